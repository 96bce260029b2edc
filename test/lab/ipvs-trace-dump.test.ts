// A trace over dumps taken from a kernel agrees with the trace over our payload: fixtures/demo's
// IPVS sets and companion rules (plus the IPVS proxier's jumps from the built-in chains) are loaded
// into a fresh namespace, `ipset save` and `iptables-save` are read back, and each packet below is
// traced through both (the virtual-server table is ours in both: these kernels have no ip_vs).
import { afterAll, describe, expect, test } from 'vitest';
import { randomChooser } from '../../src/dataplane/dataplane.js';
import { kubeProxyJumpRules } from '../../src/dataplane/iptables/implicit.js';
import { IpvsDataplane } from '../../src/dataplane/ipvs/dataplane.js';
import type { Packet } from '../../src/dataplane/packet.js';
import { seededRandom } from '../../src/dataplane/random.js';
import { ipvsApplier } from '../../src/lab/appliers/ipvs.js';
import { createNetns, deleteNetns, inNetns, nextNetnsName } from '../../src/lab/netns.js';
import { objectsOf, part, renderFull } from '../proxy/ipvs/render.js';
import { fixture } from '../support/cli.js';
import { describeKernel } from '../support/env.js';

const NODE_IP = '192.168.49.2';
const made: string[] = [];

const packets: (Partial<Packet> & { name: string; dst: string; dport: number })[] = [
  { name: 'pod to a ClusterIP', dst: '10.96.10.20', dport: 80 },
  { name: 'outside client to a ClusterIP (masquerade)', src: '192.0.2.7', dst: '10.96.10.20', dport: 80 },
  { name: 'no endpoints', dst: '10.96.10.70', dport: 80 },
  { name: 'a port the VIP does not serve', dst: '10.96.10.20', dport: 81 },
  { name: 'LB from an allowed range', src: '198.51.100.9', dst: '203.0.113.10', dport: 80 },
  { name: 'LB from elsewhere', src: '192.0.2.9', dst: '203.0.113.10', dport: 80 },
  { name: 'node port, Local policy', src: '192.0.2.9', dst: NODE_IP, dport: 30080 },
  { name: 'node port, Cluster policy', src: '192.0.2.9', dst: NODE_IP, dport: 30081 },
  { name: 'node process to the API server', hook: 'output', src: NODE_IP, dst: '10.96.0.1', dport: 443 },
  { name: 'UDP DNS', proto: 'udp', dst: '10.96.0.10', dport: 53 },
];

describe.sequential('ipvs trace over kernel dumps', () => {
  afterAll(async () => {
    for (const ns of made) await deleteNetns(ns);
  });

  describeKernel('ipvs: trace(ipset save + iptables-save from a namespace) = trace(our payload)', () => {
    test('fixtures/demo: same verdict, endpoint and masquerade for every packet', async () => {
      const r = renderFull(await objectsOf([fixture('demo')]));
      const ns = nextNetnsName('vt');
      await createNetns(ns);
      made.push(ns);
      const applied = await ipvsApplier.apply(ns, r.payloads, { full: true, family: 'IPv4' });
      const declared = (n: string) => part(r, 'iptables').includes(`:${n} `);
      const jumps = ['nat', 'filter']
        .map((t) => `*${t}\n${kubeProxyJumpRules(t, declared, 'ipvs').join('\n')}\nCOMMIT\n`)
        .join('');
      await inNetns(ns, 'iptables-restore', ['--noflush'], { input: jumps });
      const ipset = (await inNetns(ns, 'ipset', ['save'])).stdout;
      const iptables = (await inNetns(ns, 'iptables-save', [])).stdout;
      const dumped = `${part(r, 'ipvs')}${ipset}\n${iptables}${part(r, 'addresses')}`;
      // Without xt_ipvs the -m ipvs rules did not load; leave them out of our side too.
      const noIpvs = applied.via.some((v) => v.includes('without the -m ipvs'));
      const ours = r.payloads
        .map((p) => (p.part === 'iptables' && noIpvs ? p.text.replace(/^.* -m ipvs .*\n/gm, '') : p.text))
        .join('');
      const a = new IpvsDataplane(ours, { localAddresses: [NODE_IP] });
      const b = new IpvsDataplane(dumped, { localAddresses: [NODE_IP] });
      const rows = packets.map(({ name, ...p }) => {
        const pkt: Packet = { proto: 'tcp', src: '10.244.0.5', sport: 40000, hook: 'prerouting', ...p };
        const t = (dp: IpvsDataplane) => {
          const x = dp.trace(pkt, randomChooser(seededRandom(1)));
          return { name, verdict: x.verdict, endpoint: x.endpoint, masquerade: x.masquerade };
        };
        return [t(a), t(b)];
      });
      expect(rows.map((r) => r[1])).toEqual(rows.map((r) => r[0]));
      // The table is not trivial: it has every verdict kind.
      expect(new Set(rows.map((r) => r[0]!.verdict))).toEqual(new Set(['DNAT', 'REJECT', 'DROP']));
    });
  }, ['ipset', 'iptables-restore', 'iptables-save']);
});
