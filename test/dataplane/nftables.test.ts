// Hand-worked traces through src/dataplane's nftables evaluator, in both text forms (our `nft -f`
// commands and the `nft list ruleset` blocks), and the parser's promised errors.
import { describe, expect, test } from 'vitest';
import {
  EmulatedClock,
  outcomesOf,
  type Packet,
  randomChooser,
  sampleConnections,
  seededRandom,
} from '../../src/dataplane/index.js';
import { NftablesDataplane } from '../../src/dataplane/nftables/evaluate.js';
import { parseNftText } from '../../src/dataplane/nftables/parse-text.js';
import { RuleParseError } from '../../src/errors.js';

const COMMANDS = `add table ip kp
add chain ip kp nat-prerouting { type nat hook prerouting priority -100 ; }
add chain ip kp filter-forward { type filter hook forward priority 0 ; }
add chain ip kp nat-postrouting { type nat hook postrouting priority 100 ; }
add chain ip kp services
add chain ip kp svc-a
add chain ip kp ep-1
add chain ip kp ep-2
add chain ip kp svc-aff
add chain ip kp ep-x
add chain ip kp ep-y
add chain ip kp mark-for-masquerade
add chain ip kp masquerading
add map ip kp service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; }
add map ip kp no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; }
add set ip kp aff-x { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
add set ip kp aff-y { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
add rule ip kp nat-prerouting jump services
add rule ip kp nat-postrouting jump masquerading
add rule ip kp filter-forward ip daddr . meta l4proto . th dport vmap @no-endpoint-services
add rule ip kp services ip daddr . meta l4proto . th dport vmap @service-ips
add rule ip kp mark-for-masquerade mark set mark or 0x4000
add rule ip kp masquerading mark and 0x4000 == 0 return
add rule ip kp masquerading mark set mark xor 0x4000
add rule ip kp masquerading masquerade fully-random
add rule ip kp svc-a ip daddr 10.96.0.1 ip saddr != 10.244.0.0/16 jump mark-for-masquerade
add rule ip kp svc-a numgen random mod 2 vmap { 0 : goto ep-1 , 1 : goto ep-2 }
add rule ip kp ep-1 ip saddr 10.244.1.5 jump mark-for-masquerade
add rule ip kp ep-1 meta l4proto tcp dnat to 10.244.1.5:8080
add rule ip kp ep-2 meta l4proto tcp dnat to 10.244.2.5:8080
add rule ip kp svc-aff ip saddr @aff-x goto ep-x
add rule ip kp svc-aff ip saddr @aff-y goto ep-y
add rule ip kp svc-aff numgen random mod 2 vmap { 0 : goto ep-x , 1 : goto ep-y }
add rule ip kp ep-x update @aff-x { ip saddr }
add rule ip kp ep-x meta l4proto tcp dnat to 10.244.1.7:80
add rule ip kp ep-y update @aff-y { ip saddr }
add rule ip kp ep-y meta l4proto tcp dnat to 10.244.2.7:80
add element ip kp service-ips { 10.96.0.1 . tcp . 80 : goto svc-a }
add element ip kp service-ips { 10.96.0.3 . tcp . 80 : goto svc-aff }
add element ip kp no-endpoint-services { 10.96.0.2 . tcp . 80 : reject }
`;

const LISTED = `table ip kp {
	map m {
		type ipv4_addr . inet_proto . inet_service : verdict
		elements = { 10.96.0.1 . tcp . 80 comment "ns/a:p" : goto svc,
			     10.96.0.9 . udp . 53 : drop }
	}

	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr . meta l4proto . th dport vmap @m
	}

	chain svc {
		meta mark & 0x00004000 == 0x00000000 counter packets 0 bytes 0 meta l4proto tcp dnat to 10.244.9.9:80
	}
}
`;

const pod = (dst: string, src = '10.244.1.9', sport = 40000): Packet => ({
  proto: 'tcp',
  src,
  sport,
  dst,
  dport: 80,
  hook: 'prerouting',
});
const first = { chance: () => true, pick: () => 0 };

describe('nftables evaluator, hand-worked', () => {
  const rs = () => parseNftText(COMMANDS);
  test('a pod to a cluster IP: exact path and verdict', () => {
    const t = new NftablesDataplane(rs(), { localAddresses: ['192.168.0.2'] }).trace(pod('10.96.0.1'), first);
    expect({ verdict: t.verdict, endpoint: t.endpoint, masquerade: t.masquerade }).toEqual({
      verdict: 'DNAT',
      endpoint: '10.244.1.5:8080',
      masquerade: false,
    });
    expect(t.path.map((s) => `${s.chain} ${s.rule} ${s.line}`)).toEqual([
      'nat-prerouting 1 18',
      'services 1 21',
      'svc-a 2 27',
      'ep-1 2 29',
      'filter-forward policy 3',
      'nat-postrouting 1 19',
      'masquerading 1 23',
      'nat-postrouting policy 4',
    ]);
  });
  test('an external client is marked and masqueraded', () => {
    const t = new NftablesDataplane(rs(), { localAddresses: [] }).trace(pod('10.96.0.1', '203.0.113.1'), first);
    expect(t.masquerade).toBe(true);
    expect(t.path.at(-1)!.text).toContain('masquerade fully-random');
  });
  test('a verdict map element rejects a service without endpoints', () => {
    expect(new NftablesDataplane(rs(), { localAddresses: [] }).trace(pod('10.96.0.2'), first).verdict).toBe('REJECT');
  });
  test('numgen branches split evenly; 30k seeded connections within 1 %', () => {
    const dp = new NftablesDataplane(rs(), { localAddresses: [] });
    expect(outcomesOf(dp, pod('10.96.0.1')).map((o) => [o.trace.endpoint, o.probability])).toEqual([
      ['10.244.1.5:8080', 0.5],
      ['10.244.2.5:8080', 0.5],
    ]);
    const r = sampleConnections(dp, pod('10.96.0.1'), 30_000, 11);
    for (const n of r.counts.values()) expect(Math.abs(n / 30_000 - 0.5)).toBeLessThan(0.01);
  });
  test('affinity (timed set): kept until the set timeout on the emulated clock, then chosen again', () => {
    const clock = new EmulatedClock();
    const dp = new NftablesDataplane(rs(), { localAddresses: [], clock });
    const random = randomChooser(seededRandom(3));
    const e = dp.trace(pod('10.96.0.3', '10.244.5.5', 1000), random).endpoint;
    for (let i = 1; i <= 50; i++) {
      clock.advance(200);
      expect(dp.trace(pod('10.96.0.3', '10.244.5.5', 1000 + i), random).endpoint).toBe(e);
    }
    const after = new Set<string | null>();
    for (let i = 0; i < 40; i++) {
      clock.advance(10_801);
      after.add(dp.trace(pod('10.96.0.3', '10.244.5.5', 2000 + i), random).endpoint);
    }
    expect(after).toEqual(new Set(['10.244.1.7:80', '10.244.2.7:80']));
  });
  test('the `nft list ruleset` form: multi-line elements, element comments, named priorities, mark masks', () => {
    const dp = new NftablesDataplane(parseNftText(LISTED), { localAddresses: [] });
    expect(dp.trace(pod('10.96.0.1'), first)).toMatchObject({ verdict: 'DNAT', endpoint: '10.244.9.9:80' });
    expect(dp.trace({ ...pod('10.96.0.9'), proto: 'udp', dport: 53 }, first).verdict).toBe('DROP');
  });
});

describe('nftables parser errors', () => {
  test.each([
    {
      name: 'an expression it does not know',
      rule: 'add rule ip kp c tcp flags syn drop',
      want: /unsupported nftables expression "tcp"/,
      column: 18,
    },
    {
      name: 'a rule in a chain that does not exist',
      rule: 'add rule ip kp nope drop',
      want: /chain nope does not exist/,
      column: 16,
    },
    {
      name: 'an unknown command',
      rule: 'replace rule ip kp c drop',
      want: /unsupported nft command "replace"/,
      column: 1,
    },
    {
      name: 'a bad priority',
      rule: 'add chain ip kp d { type filter hook input priority lots ; }',
      want: /bad priority lots/,
      column: 53,
    },
  ])('$name', ({ rule, want, column }) => {
    let err: unknown;
    try {
      parseNftText(`add table ip kp\nadd chain ip kp c\n${rule}\n`);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RuleParseError);
    const e = err as RuleParseError;
    expect(e.message).toMatch(want);
    expect({ line: e.line, column: e.column }).toEqual({ line: 3, column });
    expect(e.context).toContain(`>     3 | ${rule}`);
  });
});
