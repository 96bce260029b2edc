// Hand-worked traces through fixtures/demo's IPVS dumps (ipvsadm-save, ipset save, the companion
// iptables payload, kube-ipvs0): hook order, set matches, the virtual-server lookup and scheduler.
import { describe, expect, test } from 'vitest';
import { EmulatedClock } from '../../../src/dataplane/clock.js';
import { randomChooser, sampleConnections } from '../../../src/dataplane/dataplane.js';
import { IpvsDataplane } from '../../../src/dataplane/ipvs/dataplane.js';
import { splitIpvsDump } from '../../../src/dataplane/ipvs/dump.js';
import type { Packet } from '../../../src/dataplane/packet.js';
import { seededRandom } from '../../../src/dataplane/random.js';
import { objectsOf, renderFull } from '../../proxy/ipvs/render.js';
import { fixture } from '../../support/cli.js';

const NODE_IP = '192.168.49.2';
const demo = renderFull(await objectsOf([fixture('demo')]));
const text = demo.payloads.map((p) => `${p.header}\n${p.text}`).join('');

const plane = (clock?: EmulatedClock) =>
  new IpvsDataplane(text, { localAddresses: [NODE_IP], ...(clock ? { clock } : {}) });
const packet = (p: Partial<Packet> & { dst: string; dport: number }): Packet => ({
  proto: 'tcp',
  src: '10.244.0.5',
  sport: 40000,
  hook: 'prerouting',
  ...p,
});
const once = (dp: IpvsDataplane, p: Packet) => dp.trace(p, randomChooser(seededRandom(1)));
const chains = (t: ReturnType<typeof once>) => t.path.map((s) => `${s.table} ${s.chain}`);

describe('trace --mode ipvs over fixtures/demo', () => {
  test('a pod to a ClusterIP: KUBE-SERVICES accepts, INPUT filters, ip_vs schedules rr', () => {
    const dp = plane();
    const t = once(dp, packet({ dst: '10.96.10.20', dport: 80 }));
    expect(t.verdict).toBe('DNAT');
    expect(t.endpoint).toBe('10.244.0.20:8080');
    expect(t.masquerade).toBe(false);
    // Rules that matched, and each chain's policy: the VIP is LOCAL (kube-ipvs0), so KUBE-SERVICES
    // also jumps to KUBE-NODE-PORT before its ClusterIP ACCEPT; KUBE-IPVS-FILTER returns on the
    // KUBE-CLUSTER-IP member; the mark is not set, so KUBE-POSTROUTING returns.
    expect(chains(t)).toEqual([
      'nat PREROUTING',
      'nat KUBE-SERVICES',
      'nat KUBE-SERVICES',
      'filter INPUT',
      'filter KUBE-IPVS-FILTER',
      'filter INPUT',
      'filter INPUT',
      'filter INPUT',
      'ipvs LOCAL_IN',
      'filter OUTPUT',
      'filter OUTPUT',
      'nat POSTROUTING',
      'nat KUBE-POSTROUTING',
      'nat POSTROUTING',
    ]);
    expect(t.path.find((s) => s.chain === 'KUBE-IPVS-FILTER')!.text).toBe(
      '-A KUBE-IPVS-FILTER -m set --match-set KUBE-CLUSTER-IP dst,dst -j RETURN',
    );
    const ipvs = t.path.find((s) => s.table === 'ipvs')!;
    expect(ipvs.text).toBe('virtual service -t 10.96.10.20:80 -s rr: scheduled to 10.244.0.20:8080 (weight 1)');
    expect(text.split('\n')[ipvs.line - 1]).toBe('-A -t 10.96.10.20:80 -s rr');
    // rr moves on with the next connection.
    expect(once(dp, packet({ dst: '10.96.10.20', dport: 80, sport: 40001 })).endpoint).toBe('10.244.1.20:8080');
  });

  test('from outside the pod CIDR, the ClusterIP set match marks for masquerade', () => {
    const t = once(plane(), packet({ src: '192.0.2.7', dst: '10.96.10.20', dport: 80 }));
    expect(t.verdict).toBe('DNAT');
    expect(t.masquerade).toBe(true);
    expect(t.path.some((s) => s.chain === 'KUBE-MARK-MASQ')).toBe(true);
  });

  test('a service without endpoints has a virtual server without destinations: rejected', () => {
    const t = once(plane(), packet({ dst: '10.96.10.70', dport: 80 }));
    expect(t.verdict).toBe('REJECT');
    expect(t.path.at(-1)!.text).toContain('no destination available');
  });

  test('a port the service does not have, on a kube-ipvs0 address: KUBE-IPVS-FILTER rejects', () => {
    const t = once(plane(), packet({ dst: '10.96.10.20', dport: 81 }));
    expect(t.verdict).toBe('REJECT');
    expect(t.path.at(-1)).toMatchObject({ table: 'filter', chain: 'KUBE-IPVS-FILTER' });
  });

  test('load-balancer source ranges: an allowed source is scheduled, another is dropped', () => {
    const allowed = once(plane(), packet({ src: '198.51.100.9', dst: '203.0.113.10', dport: 80 }));
    expect(allowed.verdict).toBe('DNAT');
    expect(allowed.endpoint).toBe('10.244.0.10:8080');
    const denied = once(plane(), packet({ src: '192.0.2.9', dst: '203.0.113.10', dport: 80 }));
    expect(denied.verdict).toBe('DROP');
    expect(denied.path.at(-1)).toMatchObject({
      chain: 'KUBE-SOURCE-RANGES-FIREWALL',
      text: '-A KUBE-SOURCE-RANGES-FIREWALL -j DROP',
    });
  });

  test('a node port from outside, externalTrafficPolicy Local: not masqueraded, local endpoint only', () => {
    const t = once(plane(), packet({ src: '192.0.2.9', dst: NODE_IP, dport: 30080 }));
    expect(t.verdict).toBe('DNAT');
    expect(t.endpoint).toBe('10.244.0.10:8080');
    expect(t.masquerade).toBe(false);
    const cluster = once(plane(), packet({ src: '192.0.2.9', dst: NODE_IP, dport: 30081 }));
    expect(cluster.masquerade).toBe(true);
  });

  test('a process on the node (output hook): ip_vs at LOCAL_OUT, then filter OUTPUT sees the real server', () => {
    const t = once(plane(), packet({ hook: 'output', src: NODE_IP, dst: '10.96.0.1', dport: 443 }));
    expect(t.verdict).toBe('DNAT');
    expect(t.endpoint).toBe('192.168.49.2:6443');
    expect(chains(t).indexOf('ipvs LOCAL_OUT')).toBeLessThan(chains(t).indexOf('filter OUTPUT'));
  });

  test('UDP and SCTP virtual services', () => {
    expect(once(plane(), packet({ proto: 'udp', dst: '10.96.0.10', dport: 53 })).endpoint).toBe('10.244.0.3:53');
    expect(once(plane(), packet({ proto: 'sctp', dst: '10.96.10.60', dport: 9999 })).endpoint).toBe('10.244.0.70:9999');
  });

  test('ClientIP persistence: the template holds until its timeout on the emulated clock', () => {
    const clock = new EmulatedClock();
    const dp = plane(clock);
    const p = packet({ dst: '10.96.10.30', dport: 80 });
    const first = once(dp, p).endpoint;
    for (let i = 1; i <= 5; i++) {
      clock.advance(100);
      expect(once(dp, { ...p, sport: 40000 + i }).endpoint).toBe(first);
    }
    // 600 s after the last connection the template is gone: rr moves on.
    clock.advance(601);
    expect(once(dp, { ...p, sport: 41000 }).endpoint).not.toBe(first);
  });

  test('an established flow keeps its real server', () => {
    const dp = plane();
    const p = packet({ dst: '10.96.10.20', dport: 80 });
    const a = once(dp, p);
    const b = once(dp, p);
    expect(b.established).toBe(true);
    expect(b.endpoint).toBe(a.endpoint);
  });

  test('30k connections from one client split evenly under rr, and the expectation says so', () => {
    const r = sampleConnections(plane(), packet({ dst: '10.96.10.40', dport: 80 }), 30_000, 7);
    expect(Object.fromEntries(r.counts)).toEqual({
      '10.244.0.40:9200': 10_000,
      '10.244.1.40:9200': 10_000,
      '10.244.2.40:9200': 10_000,
    });
    expect([...r.expected.values()].map((p) => p.toFixed(4))).toEqual(['0.3333', '0.3333', '0.3333']);
    expect(r.chiSquareP).toBeGreaterThan(0.99);
  });

  test('a dump without section headers or kube-ipvs0 lines: lines told apart by shape', () => {
    const bare = demo.payloads
      .filter((p) => p.part !== 'addresses')
      .map((p) => p.text)
      .join('');
    const dp = new IpvsDataplane(bare, { localAddresses: [NODE_IP] });
    const t = once(dp, packet({ dst: '10.96.10.20', dport: 80 }));
    expect(t.endpoint).toBe('10.244.0.20:8080');
    expect(t.notes.join(' ')).toContain('KUBE-IPVS-IPS');
  });

  test('a line that is none of the four dumps is an error naming it', () => {
    expect(() => splitIpvsDump('-A -t 10.0.0.1:80 -s rr\nwhat is this\n')).toThrow(/line 2/);
    expect(() => new IpvsDataplane('create S hash:foo family inet\n', { localAddresses: [] })).toThrow(
      /hash:foo is not supported/,
    );
    expect(
      () => new IpvsDataplane('create S hash:ip,port family inet\nadd S 10.0.0.1\n', { localAddresses: [] }),
    ).toThrow(/not a member of a hash:ip,port set/);
  });
});
