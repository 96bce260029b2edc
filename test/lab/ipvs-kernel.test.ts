// The IPVS mode's ipsets and companion iptables payload in a real kernel: a full sync loads
// (ipset restore, then iptables-restore --noflush), and a partial sync's set and rule changes on top
// of full(A) leave the state full(B) writes (compared as `ipset save` and `iptables-save`).
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import type { ClusterObject } from '../../src/cluster/types.js';
import { ipvsApplier } from '../../src/lab/appliers/ipvs.js';
import { createNetns, deleteNetns, inNetns, nextNetnsName } from '../../src/lab/netns.js';
import { objectsOf, renderFull, renderPartial } from '../proxy/ipvs/render.js';
import { fixture } from '../support/cli.js';
import { describeKernel } from '../support/env.js';

const made: string[] = [];
async function netns(): Promise<string> {
  const ns = nextNetnsName('v');
  await createNetns(ns);
  made.push(ns);
  return ns;
}

/** `ipset save` and `iptables-save` of a namespace, ordered and without counters or dates. */
async function dump(
  ns: string,
  family: 'IPv4' | 'IPv6' = 'IPv4',
): Promise<{ ipset: string[]; iptables: string[]; addresses: string[] }> {
  const ipset = (await inNetns(ns, 'ipset', ['save'])).stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/ initval 0x[0-9a-f]+/, ''))
    .sort();
  const iptables = (await inNetns(ns, family === 'IPv6' ? 'ip6tables-save' : 'iptables-save', [])).stdout
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]/, '[0:0]'));
  const addr = (await inNetns(ns, 'ip', ['-o', 'addr', 'show', 'dev', 'kube-ipvs0']).catch(() => ({ stdout: '' })))
    .stdout;
  const addresses = [...addr.matchAll(/inet6? (\S+)/g)].map((m) => m[1]!).sort();
  return { ipset, iptables, addresses };
}

/** The upstream proxier cases (fixtures/upstream-ipvs/), with the family each is rendered for. */
const UPSTREAM = fixture('upstream-ipvs');
const upstreamCases = readdirSync(UPSTREAM)
  .sort()
  .map((dir) => {
    const e = JSON.parse(readFileSync(`${UPSTREAM}/${dir}/expected.json`, 'utf8')) as { family?: 'IPv4' | 'IPv6' };
    return { dir, family: e.family ?? ('IPv4' as const) };
  });

const clone = (o: ClusterObject[]) => structuredClone(o) as ClusterObject[];

describe.sequential('ipvs in a kernel', () => {
  afterAll(async () => {
    for (const ns of made) await deleteNetns(ns);
  });

  describeKernel('ipvs: ipset restore + iptables-restore of the rendered sync', () => {
    test('fixtures/demo loads, and every rendered member is in the kernel', async () => {
      const objs = await objectsOf([fixture('demo')]);
      const r = renderFull(objs);
      const ns = await netns();
      const applied = await ipvsApplier.apply(ns, r.payloads, { full: true, family: 'IPv4' });
      const d = await dump(ns);
      const rendered = r.payloads[1]!.text.split('\n').filter((l) => l.startsWith('add '));
      expect(d.ipset.filter((l) => l.startsWith('add ')).sort()).toEqual(rendered.sort());
      // iptables-save respells some matches, so count the rules chain by chain; the -m ipvs ones
      // load only where the kernel has xt_ipvs.
      const noIpvs = applied.via.some((v) => v.includes('without the -m ipvs'));
      const rules = r.payloads[2]!.text.split('\n').filter((l) => !(noIpvs && l.includes(' -m ipvs ')));
      const chains = (l: string[]) =>
        l
          .filter((x) => x.startsWith('-A '))
          .map((x) => x.split(' ')[1])
          .sort();
      expect(chains(d.iptables)).toEqual(chains(rules));
      if (!applied.via.some((v) => v.includes('no dummy links'))) expect(d.addresses).toContain('10.96.0.1/32');
    });

    test.each(upstreamCases)(
      'upstream case $dir loads, every rendered member is in the kernel',
      async ({ dir, family }) => {
        const objs = await objectsOf([`${UPSTREAM}/${dir}/cluster.yaml`]);
        const r = renderFull(objs, { profile: 'kube-proxy-test', family });
        const ns = await netns();
        const applied = await ipvsApplier.apply(ns, r.payloads, { full: true, family });
        const d = await dump(ns, family);
        const rendered = r.payloads[1]!.text.split('\n').filter((l) => l.startsWith('add '));
        expect(d.ipset.filter((l) => l.startsWith('add ')).sort()).toEqual(rendered.sort());
        // Every rendered rule is in the kernel, chain by chain (the -m ipvs ones where xt_ipvs is).
        const noIpvs = applied.via.some((v) => v.includes('without the -m ipvs'));
        const rules = r.payloads[2]!.text.split('\n').filter((l) => !(noIpvs && l.includes(' -m ipvs ')));
        const chains = (l: string[]) =>
          l
            .filter((x) => x.startsWith('-A '))
            .map((x) => x.split(' ')[1])
            .sort();
        expect(chains(d.iptables)).toEqual(chains(rules));
      },
    );

    test('full(A) + partial(A->B) gives the sets, rules and addresses of full(B)', async () => {
      const a = await objectsOf([fixture('demo')]);
      const b = clone(a).filter(
        (x, i) =>
          (x.kind !== 'EndpointSlice' || i % 2 === 0) && !(x.kind === 'Service' && x.spec?.type === 'LoadBalancer'),
      );
      const { full, partial } = renderPartial(a, b);
      const ns1 = await netns();
      await ipvsApplier.apply(ns1, full.payloads, { full: true, family: 'IPv4' });
      await ipvsApplier.apply(ns1, partial.payloads, { full: false, family: 'IPv4' });
      const ns2 = await netns();
      await ipvsApplier.apply(ns2, renderFull(b).payloads, { full: true, family: 'IPv4' });
      const [d1, d2] = [await dump(ns1), await dump(ns2)];
      expect(d1).toEqual(d2);
      expect(partial.payloads[1]!.text).toMatch(/^del /m);
    });
  }, ['ipset', 'iptables-restore']);
});
