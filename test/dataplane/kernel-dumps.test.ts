// The emulator over what a real kernel hands back: our demo payloads are loaded into a fresh
// network namespace (iptables-restore with kube-proxy's jump rules, nft -f), dumped again with
// `iptables-save` and `nft list ruleset`, and every service destination of the payload is traced
// over both texts. The dump must give the same verdicts, endpoint splits and masquerading.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type Dataplane,
  IptablesDataplane,
  outcomesOf,
  type Packet,
  parseIptables,
} from '../../src/dataplane/index.js';
import { kubeProxyJumpRules } from '../../src/dataplane/iptables/implicit.js';
import { NftablesDataplane } from '../../src/dataplane/nftables/evaluate.js';
import { parseNftJson } from '../../src/dataplane/nftables/parse-json.js';
import { parseNftText } from '../../src/dataplane/nftables/parse-text.js';
import { createNetns, deleteNetns, inNetns, nextNetnsName } from '../../src/lab/index.js';
import { describeKernel } from '../support/env.js';

const NODE_IP = '192.168.49.2';
const SOURCES = ['10.244.0.5', '203.0.113.7', NODE_IP];
const iptablesText = readFileSync(new URL('../../rules/demo.iptables', import.meta.url), 'utf8');
const nftText = readFileSync(new URL('../../rules/demo.nft', import.meta.url), 'utf8');

/** Every destination the payload's KUBE-SERVICES / KUBE-NODEPORTS rules name, as packets. */
function destinations(): { proto: 'tcp' | 'udp' | 'sctp'; dst: string; dport: number }[] {
  const out = new Map<string, { proto: 'tcp' | 'udp' | 'sctp'; dst: string; dport: number }>();
  for (const t of parseIptables(iptablesText).tables.values())
    for (const c of t.chains.values())
      for (const r of c.rules) {
        const proto = r.matches.find((m) => m.kind === 'protocol');
        const port = r.matches.find((m) => m.kind === 'dport');
        const dst = r.matches.find((m) => m.kind === 'destination');
        if (proto?.kind !== 'protocol' || port?.kind !== 'dport') continue;
        const d =
          dst?.kind === 'destination'
            ? dst.cidr.text.replace(/\/32$/, '')
            : c.name === 'KUBE-NODEPORTS'
              ? NODE_IP
              : undefined;
        if (d === undefined) continue;
        const p = { proto: proto.protocol as 'tcp', dst: d, dport: port.range.from };
        out.set(`${p.proto} ${p.dst} ${p.dport}`, p);
      }
  return [...out.values()];
}

function summary(dp: Dataplane, p: Packet): string {
  return outcomesOf(dp, p)
    .map(
      (o) => `${o.trace.verdict} ${o.trace.endpoint ?? '-'} p=${o.probability.toFixed(6)} masq=${o.trace.masquerade}`,
    )
    .sort()
    .join(' | ');
}

describeKernel('traces over real iptables-save / nft list ruleset dumps agree with traces over our payload', () => {
  const ns = nextNetnsName('dp');
  let saved = '';
  let listed = '';
  let listedJson = '';
  let wholeJson = '';
  beforeAll(async () => {
    await createNetns(ns);
    const declared = (name: string) => iptablesText.includes(`:${name} `);
    const jumps = ['filter', 'nat']
      .map((t) => `*${t}\n${kubeProxyJumpRules(t, declared).join('\n')}\nCOMMIT\n`)
      .join('');
    await inNetns(ns, 'iptables-restore', ['--noflush'], { input: iptablesText });
    await inNetns(ns, 'iptables-restore', ['--noflush'], { input: jumps });
    saved = (await inNetns(ns, 'iptables-save', [])).stdout;
    await inNetns(ns, 'nft', ['-f', '-'], { input: nftText });
    listed = (await inNetns(ns, 'nft', ['list', 'table', 'ip', 'kube-proxy'])).stdout;
    listedJson = (await inNetns(ns, 'nft', ['-j', 'list', 'table', 'ip', 'kube-proxy'])).stdout;
    wholeJson = (await inNetns(ns, 'nft', ['-j', 'list', 'ruleset'])).stdout;
  }, 60_000);
  afterAll(async () => {
    await deleteNetns(ns);
  });

  test('iptables: the dump declares its built-in chains, so no implicit rule is used, and every trace agrees', () => {
    const ours = new IptablesDataplane(parseIptables(iptablesText), { localAddresses: [NODE_IP] });
    const dump = new IptablesDataplane(parseIptables(saved), { localAddresses: [NODE_IP] });
    const dests = destinations();
    expect(dests.length).toBeGreaterThan(10);
    for (const d of dests)
      for (const src of SOURCES) {
        const p: Packet = { ...d, src, sport: 40000, hook: src === NODE_IP ? 'output' : 'prerouting' };
        const t = outcomesOf(dump, p)[0]!.trace;
        expect(t.path.some((s) => s.line === 0)).toBe(false);
        expect(summary(dump, p), `${src} -> ${d.dst}:${d.dport}/${d.proto}`).toBe(summary(ours, p));
      }
  });

  test.each(['nft list table', 'nft -j list table'])(
    'nftables: %s traces like the payload it was loaded from',
    (form) => {
      const ours = new NftablesDataplane(parseNftText(nftText), { localAddresses: [NODE_IP] });
      const parsed = form === 'nft list table' ? parseNftText(listed) : parseNftJson(listedJson);
      const dump = new NftablesDataplane(parsed, { localAddresses: [NODE_IP] });
      for (const d of destinations())
        for (const src of SOURCES) {
          const p: Packet = { ...d, src, sport: 40000, hook: src === NODE_IP ? 'output' : 'prerouting' };
          expect(summary(dump, p), `${src} -> ${d.dst}:${d.dport}/${d.proto}`).toBe(summary(ours, p));
        }
    },
  );

  test('the whole ruleset also holds the iptables-nft tables; their xt matches are refused, naming the entry', () => {
    expect(() => parseNftJson(wholeJson)).toThrow(/nftables\[\d+\]: unsupported expression "xt"/);
  });
});
