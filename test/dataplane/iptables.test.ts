// Hand-worked traces through src/dataplane's iptables evaluator: each rule kind kube-proxy writes,
// with the exact path and verdict, plus the parser's promised errors.
import { describe, expect, test } from 'vitest';
import {
  EmulatedClock,
  IptablesDataplane,
  outcomesOf,
  type Packet,
  parseIptables,
  randomChooser,
  sampleConnections,
  seededRandom,
} from '../../src/dataplane/index.js';
import { RuleParseError } from '../../src/errors.js';

const NODE = '192.168.0.2';
const RULES = `# a small kube-proxy-like payload
*filter
:KUBE-SERVICES - [0:0]
:KUBE-FORWARD - [0:0]
-A KUBE-SERVICES -m comment --comment "ns/none:p has no endpoints" -m tcp -p tcp -d 10.96.0.2 --dport 80 -j REJECT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
COMMIT
*nat
:KUBE-SERVICES - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-SVC-A - [0:0]
:KUBE-SEP-1 - [0:0]
:KUBE-SEP-2 - [0:0]
:KUBE-SEP-3 - [0:0]
:KUBE-SVC-AFF - [0:0]
:KUBE-SEP-X - [0:0]
:KUBE-SEP-Y - [0:0]
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-SERVICES -m comment --comment "ns/a:p cluster IP" -m tcp -p tcp -d 10.96.0.1 --dport 80 -j KUBE-SVC-A
-A KUBE-SERVICES -m comment --comment "ns/aff:p cluster IP" -m tcp -p tcp -d 10.96.0.3 --dport 80 -j KUBE-SVC-AFF
-A KUBE-SVC-A ! -s 10.244.0.0/16 -d 10.96.0.1 -m tcp -p tcp --dport 80 -j KUBE-MARK-MASQ
-A KUBE-SVC-A -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-1
-A KUBE-SVC-A -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-2
-A KUBE-SVC-A -j KUBE-SEP-3
-A KUBE-SEP-1 -s 10.244.1.5/32 -j KUBE-MARK-MASQ
-A KUBE-SEP-1 -m tcp -p tcp -j DNAT --to-destination 10.244.1.5:8080
-A KUBE-SEP-2 -m tcp -p tcp -j DNAT --to-destination 10.244.2.5:8080
-A KUBE-SEP-3 -m tcp -p tcp -j DNAT --to-destination 10.244.3.5:8080
-A KUBE-SVC-AFF -m recent --name KUBE-SEP-X --rcheck --seconds 10800 --reap -j KUBE-SEP-X
-A KUBE-SVC-AFF -m recent --name KUBE-SEP-Y --rcheck --seconds 10800 --reap -j KUBE-SEP-Y
-A KUBE-SVC-AFF -m statistic --mode random --probability 0.5 -j KUBE-SEP-X
-A KUBE-SVC-AFF -j KUBE-SEP-Y
-A KUBE-SEP-X -m recent --name KUBE-SEP-X --set -m tcp -p tcp -j DNAT --to-destination 10.244.1.7:80
-A KUBE-SEP-Y -m recent --name KUBE-SEP-Y --set -m tcp -p tcp -j DNAT --to-destination 10.244.2.7:80
COMMIT
`;

const pod = (dst: string, dport = 80, src = '10.244.1.9', sport = 40000): Packet => ({
  proto: 'tcp',
  src,
  sport,
  dst,
  dport,
  hook: 'prerouting',
});
const firstBranch = { chance: () => true, pick: () => 0 };

describe('iptables evaluator, hand-worked', () => {
  const rules = parseIptables(RULES);
  test('a pod to a cluster IP, first endpoint: exact path and verdict', () => {
    const dp = new IptablesDataplane(rules, { localAddresses: [NODE] });
    const t = dp.trace(pod('10.96.0.1'), firstBranch);
    expect(t.verdict).toBe('DNAT');
    expect(t.endpoint).toBe('10.244.1.5:8080');
    expect(t.masquerade).toBe(false);
    expect(t.path.map((s) => `${s.table} ${s.chain} ${s.rule} ${s.line}`)).toEqual([
      'nat PREROUTING 1 0',
      'nat KUBE-SERVICES 1 23',
      'nat KUBE-SVC-A 2 26',
      'nat KUBE-SEP-1 2 30',
      'filter FORWARD 1 0', // implicit -j KUBE-FORWARD (KUBE-FORWARD's one rule does not match)
      'filter FORWARD 2 0', // implicit -j KUBE-SERVICES (the REJECT rule does not match)
      'filter FORWARD policy 0',
      'nat POSTROUTING 1 0',
      'nat KUBE-POSTROUTING 1 19',
      'nat POSTROUTING policy 0',
    ]);
    expect(t.path[0]!.text).toContain('implicit');
  });
  test('an external client is marked, accepted by KUBE-FORWARD and masqueraded', () => {
    const dp = new IptablesDataplane(rules, { localAddresses: [NODE] });
    const t = dp.trace(pod('10.96.0.1', 80, '203.0.113.9'), firstBranch);
    expect({ verdict: t.verdict, endpoint: t.endpoint, masquerade: t.masquerade }).toEqual({
      verdict: 'DNAT',
      endpoint: '10.244.1.5:8080',
      masquerade: true,
    });
    expect(t.path.map((s) => s.text)).toContain(
      '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
    );
    expect(t.path.at(-1)!.text).toContain('-j MASQUERADE --random-fully');
  });
  test('hairpin: an endpoint reaching itself through the Service is masqueraded', () => {
    const dp = new IptablesDataplane(rules, { localAddresses: [NODE] });
    expect(dp.trace(pod('10.96.0.1', 80, '10.244.1.5'), firstBranch).masquerade).toBe(true);
  });
  test('a service without endpoints is rejected in filter', () => {
    const dp = new IptablesDataplane(rules, { localAddresses: [NODE] });
    const t = dp.trace(pod('10.96.0.2'), firstBranch);
    expect(t.verdict).toBe('REJECT');
    expect(t.endpoint).toBeNull();
    expect(t.path.at(-1)).toMatchObject({ table: 'filter', chain: 'KUBE-SERVICES', rule: 1, line: 5 });
  });
  test('a destination nothing matches is accepted by the policies, untouched', () => {
    const dp = new IptablesDataplane(rules, { localAddresses: [NODE] });
    expect(dp.trace(pod('10.0.0.1'), firstBranch)).toMatchObject({ verdict: 'ACCEPT', endpoint: null });
  });
  test('every branch is listed with its probability (1/3 each)', () => {
    const dp = new IptablesDataplane(rules, { localAddresses: [NODE] });
    const o = outcomesOf(dp, pod('10.96.0.1'));
    expect(o.map((x) => x.trace.endpoint)).toEqual(['10.244.1.5:8080', '10.244.2.5:8080', '10.244.3.5:8080']);
    for (const x of o) expect(x.probability).toBeCloseTo(1 / 3, 6);
  });
  test('30k seeded connections split 1/3 each within 1 %', () => {
    const dp = new IptablesDataplane(rules, { localAddresses: [NODE] });
    const r = sampleConnections(dp, pod('10.96.0.1'), 30_000, 7);
    for (const n of r.counts.values()) expect(Math.abs(n / 30_000 - 1 / 3)).toBeLessThan(0.01);
    expect(r.chiSquareP).toBeGreaterThan(0.001);
    expect([...r.counts.keys()].sort()).toEqual(['10.244.1.5:8080', '10.244.2.5:8080', '10.244.3.5:8080']);
  });
  test('the same seed gives the same choices', () => {
    const a = sampleConnections(new IptablesDataplane(rules, { localAddresses: [NODE] }), pod('10.96.0.1'), 100, 3);
    const b = sampleConnections(new IptablesDataplane(rules, { localAddresses: [NODE] }), pod('10.96.0.1'), 100, 3);
    expect(a.counts).toEqual(b.counts);
  });
  test('conntrack: an established flow keeps its translation and skips nat', () => {
    const dp = new IptablesDataplane(rules, { localAddresses: [NODE] });
    const random = randomChooser(seededRandom(1));
    const first = dp.trace(pod('10.96.0.1'), random);
    for (let i = 0; i < 20; i++) {
      const again = dp.trace(pod('10.96.0.1'), random);
      expect(again.established).toBe(true);
      expect(again.endpoint).toBe(first.endpoint);
      expect(again.path.some((s) => s.table === 'nat')).toBe(false);
    }
    dp.flushConntrack();
    expect(dp.trace(pod('10.96.0.1'), random).established).toBe(false);
  });
  test('affinity (recent): a client keeps its endpoint until the timeout on the emulated clock', () => {
    const clock = new EmulatedClock();
    const dp = new IptablesDataplane(rules, { localAddresses: [NODE], clock });
    const random = randomChooser(seededRandom(5));
    const first = dp.trace(pod('10.96.0.3', 80, '10.244.5.5', 1000), random).endpoint;
    for (let i = 1; i <= 50; i++) {
      clock.advance(200); // 50 x 200 s = 10000 s < 10800 s
      expect(dp.trace(pod('10.96.0.3', 80, '10.244.5.5', 1000 + i), random).endpoint).toBe(first);
    }
    clock.advance(10_801);
    const after = new Set<string | null>();
    for (let i = 0; i < 40; i++) {
      // Each new connection without affinity resets the list, so advance past it every time.
      clock.advance(10_801);
      after.add(dp.trace(pod('10.96.0.3', 80, '10.244.5.5', 2000 + i), random).endpoint);
    }
    expect(after).toEqual(new Set(['10.244.1.7:80', '10.244.2.7:80']));
  });
  test('nodes: output hook from the node, to a local address, goes through filter INPUT', () => {
    const text =
      '*filter\n:INPUT DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -d 192.168.0.2 -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n';
    const dp = new IptablesDataplane(parseIptables(text), { localAddresses: [NODE] });
    expect(dp.trace({ ...pod(NODE, 22, NODE), hook: 'output' }, firstBranch).verdict).toBe('ACCEPT');
    expect(dp.trace({ ...pod(NODE, 23, NODE), hook: 'output' }, firstBranch).verdict).toBe('DROP');
  });
  test('goto does not come back; RETURN from a built-in chain takes its policy', () => {
    const text = [
      '*filter',
      ':FORWARD DROP [0:0]',
      ':A - [0:0]',
      ':B - [0:0]',
      '-A FORWARD -p tcp -g A',
      '-A FORWARD -j ACCEPT',
      '-A A -j B',
      '-A A -j ACCEPT',
      '-A B -j RETURN',
      'COMMIT',
      '',
    ].join('\n');
    const dp = new IptablesDataplane(parseIptables(text), { localAddresses: [NODE] });
    expect(dp.trace(pod('10.1.1.1'), firstBranch).path.map((s) => `${s.chain}:${s.rule}`)).toEqual([
      'FORWARD:1',
      'A:1',
      'B:1',
      'A:2',
    ]);
    const udp = dp.trace({ ...pod('10.1.1.1'), proto: 'udp' }, firstBranch);
    expect(udp.path.map((s) => `${s.chain}:${s.rule}`)).toEqual(['FORWARD:2']);
    const ret = '*filter\n:FORWARD DROP [0:0]\n-A FORWARD -j RETURN\nCOMMIT\n';
    expect(
      new IptablesDataplane(parseIptables(ret), { localAddresses: [] }).trace(pod('10.1.1.1'), firstBranch).verdict,
    ).toBe('DROP');
  });
  test('statistic --mode nth takes every Nth connection', () => {
    const text = [
      '*nat',
      ':PREROUTING ACCEPT [0:0]',
      ':S - [0:0]',
      '-A PREROUTING -p tcp -j S',
      '-A S -m statistic --mode nth --every 2 --packet 0 -j DNAT --to-destination 10.0.0.1:80',
      '-A S -j DNAT --to-destination 10.0.0.2:80',
      'COMMIT',
      '',
    ].join('\n');
    const dp = new IptablesDataplane(parseIptables(text), { localAddresses: [] });
    const seen = [0, 1, 2, 3].map((i) => dp.trace(pod('10.96.9.9', 80, '10.1.1.1', 5000 + i), firstBranch).endpoint);
    expect(seen).toEqual(['10.0.0.1:80', '10.0.0.2:80', '10.0.0.1:80', '10.0.0.2:80']);
  });
  test('-m set needs the set contents, and matches them when given', () => {
    const text = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m set --match-set KUBE-X src -j DROP\nCOMMIT\n';
    const r = parseIptables(text);
    expect(() => new IptablesDataplane(r, { localAddresses: [NODE] }).trace(pod(NODE), firstBranch)).toThrow(/KUBE-X/);
    const dp = new IptablesDataplane(r, { localAddresses: [NODE], ipsets: new Map([['KUBE-X', ['10.244.0.0/16']]]) });
    expect(dp.trace(pod(NODE), firstBranch).verdict).toBe('DROP');
    expect(dp.trace(pod(NODE, 80, '10.1.0.1'), firstBranch).verdict).toBe('ACCEPT');
  });
  test('nfacct is noted in the trace, not skipped silently', () => {
    const text =
      '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m nfacct --nfacct-name localhost_nps_accepted_pkts -j ACCEPT\nCOMMIT\n';
    const t = new IptablesDataplane(parseIptables(text), { localAddresses: [NODE] }).trace(pod(NODE), firstBranch);
    expect(t.notes).toEqual([expect.stringContaining('nfacct counter localhost_nps_accepted_pkts')]);
  });
});

describe('iptables parser errors', () => {
  test.each([
    {
      name: 'unknown match module',
      line: '-A X -m multiport --dports 80,443 -j ACCEPT',
      want: /match module "multiport"/,
      column: 9,
    },
    {
      name: 'unknown option',
      line: '-A X -p tcp --tcp-flags SYN SYN -j ACCEPT',
      want: /option --tcp-flags is not supported/,
      column: 13,
    },
    { name: 'option without its module', line: '-A X --dport 80 -j ACCEPT', want: /--dport needs -m tcp/, column: 6 },
    {
      name: 'unknown target option',
      line: '-A X -j DNAT --to-destination 10.0.0.1:80 --bogus',
      want: /--bogus is not supported for target DNAT/,
      column: 43,
    },
    { name: 'jump to an undeclared chain', line: '-A X -j KUBE-NOPE', want: /KUBE-NOPE is neither/, column: 9 },
    { name: 'rule in an undeclared chain', line: '-A Y -j ACCEPT', want: /chain Y is not declared/, column: 4 },
    { name: 'bad address', line: '-A X -s 10.0.0.300 -j ACCEPT', want: /bad address 10.0.0.300/, column: 9 },
    {
      name: 'addrtype other than LOCAL',
      line: '-A X -m addrtype --dst-type UNICAST -j ACCEPT',
      want: /addrtype UNICAST/,
      column: 29,
    },
    { name: 'unterminated quote', line: '-A X -m comment --comment "oops -j ACCEPT', want: /unterminated/, column: 27 },
  ])('$name', ({ line, want, column }) => {
    const text = `*filter\n:X - [0:0]\n${line}\nCOMMIT\n`;
    let err: unknown;
    try {
      parseIptables(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RuleParseError);
    const e = err as RuleParseError;
    expect(e.message).toMatch(want);
    expect({ line: e.line, column: e.column, code: e.code }).toEqual({ line: 3, column, code: 'KP_RULE_PARSE' });
    expect(e.context).toContain(`>     3 | ${line}`);
    expect(e.context).toContain('      2 | :X - [0:0]');
  });
  test('a table without COMMIT names the table line', () => {
    expect(() => parseIptables('*nat\n:X - [0:0]\n')).toThrow(/line 1, column 1: table nat has no COMMIT/);
  });
  test('-I inserts, -F flushes, -X deletes', () => {
    const r = parseIptables(
      '*filter\n:X - [0:0]\n:Y - [0:0]\n-A X -j ACCEPT\n-I X -j DROP\n-I X 2 -j RETURN\n-A Y -j DROP\n-F Y\n-X Y\nCOMMIT\n',
    );
    const t = r.tables.get('filter')!;
    expect(t.chains.get('X')!.rules.map((x) => x.target.kind)).toEqual(['DROP', 'RETURN', 'ACCEPT']);
    expect(t.chains.has('Y')).toBe(false);
  });
  test('built-in chains need no declaration (kube-proxy inserts its jumps with -I INPUT 1)', () => {
    const text = '*filter\n:KUBE-NODEPORTS - [0:0]\n-A KUBE-NODEPORTS -j DROP\n-I INPUT 1 -j KUBE-NODEPORTS\nCOMMIT\n';
    const dp = new IptablesDataplane(parseIptables(text), { localAddresses: [NODE] });
    const t = dp.trace(pod(NODE, 30080, '203.0.113.9'), firstBranch);
    expect(t.verdict).toBe('DROP');
    expect(t.path.map((s) => `${s.chain} ${s.rule} ${s.line}`)).toEqual(['INPUT 1 4', 'KUBE-NODEPORTS 1 3']);
    expect(() => parseIptables('*filter\n-A NOPE -j DROP\nCOMMIT\n')).toThrow(/chain NOPE is not declared/);
  });
  test('addresses with leading zeros are read as iptables-save prints them', () => {
    const r = parseIptables(
      '*nat\n:X - [0:0]\n-A X -d 010.096.000.001/32 -j DNAT --to-destination 010.244.0.05:80\nCOMMIT\n',
    );
    const rule = r.tables.get('nat')!.chains.get('X')!.rules[0]!;
    expect(rule.matches[0]).toMatchObject({ kind: 'destination', cidr: { text: '10.96.0.1/32', prefix: 32 } });
    expect(rule.target).toEqual({ kind: 'DNAT', host: '10.244.0.5', port: 80 });
  });
  test('repeated matches and targets are one object each (a 10k-Service dump stays small)', () => {
    const r = parseIptables(
      '*nat\n:A - [0:0]\n:M - [0:0]\n-A A -p tcp -m tcp --dport 80 -j M\n-A A -p tcp -m tcp --dport 80 -j M\nCOMMIT\n',
    );
    const [a, b] = r.tables.get('nat')!.chains.get('A')!.rules;
    expect(a!.target).toBe(b!.target);
    expect(a!.matches[0]).toBe(b!.matches[0]);
    expect(a!.line).toBe(4);
    expect(b!.line).toBe(5);
  });
});

describe('long chains (indexed by destination, protocol and port)', () => {
  const services = Array.from({ length: 40 }, (_, i) => i);
  const text = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':KUBE-SERVICES - [0:0]',
    '-A PREROUTING -j KUBE-SERVICES',
    ...services.map(
      (i) =>
        `-A KUBE-SERVICES -d 10.96.1.${i}${i % 2 ? '/32' : ''} -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.244.0.${i}:80`,
    ),
    '-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j DNAT --to-destination 10.244.9.9:80',
    'COMMIT',
    '',
  ].join('\n');
  test.each(services.filter((i) => i % 7 === 0 || i === 39))('service %i: found with the linear rule count', (i) => {
    const dp = new IptablesDataplane(parseIptables(text), { localAddresses: [NODE] });
    const t = dp.trace(pod(`10.96.1.${i}`), firstBranch);
    expect(t.endpoint).toBe(`10.244.0.${i}:80`);
    expect(t.rulesVisited).toBe(1 + i + 1); // PREROUTING's rule, then i+1 rules of KUBE-SERVICES
  });
  test('a destination no indexed rule names still reaches the rules after them', () => {
    const dp = new IptablesDataplane(parseIptables(text), { localAddresses: [NODE] });
    const t = dp.trace(pod(NODE), firstBranch);
    expect(t.endpoint).toBe('10.244.9.9:80');
    expect(t.rulesVisited).toBe(1 + 41);
  });
});
