// kube-proxy's own nftables proxier tests, reproduced: our fixture of each upstream scenario must
// produce upstream's expected ruleset, compared after upstream's own normalisation (its test sorts
// the fake's dump: by object type, then name; rules keep their order).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { ClusterObject } from '../../../src/cluster/types.js';
import { resolveProxyConfig } from '../../../src/proxy/config.js';
import { nftablesMode } from '../../../src/proxy/nftables/mode.js';
import { EMPTY_NFT_MEMO, renderSync } from '../../../src/proxy/nftables/render.js';
import { renderFullSync } from '../../../src/proxy/run.js';
import { ProxyTracker } from '../../../src/proxy/state.js';
import { fixture } from '../../support/cli.js';
import { NftModel, sortNFTablesTransaction } from './nft-model.js';
import { fullSyncModel, loadFixture, renderOptions, upstreamExpected } from './support.js';

describe('upstream TestOverallNFTablesRules-style rulesets', () => {
  test.each([
    { name: 'TestOverallNFTablesRules', dir: 'overall' },
    { name: 'TestBadIPs', dir: 'bad-ips' },
    { name: 'TestSyncProxyRulesStartup (the ruleset after the first sync)', dir: 'sync-startup' },
    {
      name: 'TestBuildServiceMapServiceHeadless + ...TypeExternalName (no service ports)',
      dir: 'build-service-map-ignored',
    },
  ])('$name', async ({ dir }) => {
    const { model } = fullSyncModel(await loadFixture('upstream-nftables', dir));
    expect(sortNFTablesTransaction(model.dump())).toBe(sortNFTablesTransaction(upstreamExpected(dir)));
  });
});

describe('upstream TestSyncProxyRulesRepeated: one proxier through 13 syncs', () => {
  test("every step leaves upstream's ruleset and sends upstream's number of operations", async () => {
    const steps = readdirSync(fixture('upstream-nftables', 'sync-repeated')).sort();
    expect(steps).toHaveLength(13);
    const first = await loadFixture('upstream-nftables', 'sync-repeated', steps[0]!);
    const config = resolveProxyConfig(first);
    const tracker = new ProxyTracker('IPv4', config);
    let memo = EMPTY_NFT_MEMO;
    const model = new NftModel('ip');
    let previous: ClusterObject[] = [];
    for (const step of steps) {
      const objects = await loadFixture('upstream-nftables', 'sync-repeated', step);
      const keep = new Set(objects.map(objectId));
      for (const o of previous) if (!keep.has(objectId(o))) tracker.delete(o);
      for (const o of objects) tracker.upsert(o);
      previous = objects;
      const { state, changes } = tracker.sync();
      const sync = renderSync(state, changes, memo, renderOptions(objects, 'IPv4', 'kube-proxy-test'));
      memo = sync.memo;
      model.apply(sync.pre);
      model.apply(sync.main);
      const expected = readFileSync(fixture('upstream-nftables', 'sync-repeated', step, 'upstream.nft'), 'utf8');
      expect(sortNFTablesTransaction(model.dump()), step).toBe(
        sortNFTablesTransaction(`${upstreamExpected('overall').split('# TestOverall')[0]}\n${expected}`),
      );
      const ops = expected.match(/^# operations: (\d+)$/m)?.[1];
      if (ops !== undefined) expect(sync.main.size, `${step}: operations`).toBe(Number(ops));
    }
  });
});

function objectId(o: ClusterObject): string {
  return `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

describe('upstream TestLoadBalancerIngressRouteTypeProxy: a service-ips element for the LB IP', () => {
  test.each([
    { name: 'ipMode Proxy', dir: 'proxy', lbIP: '1.2.3.4', expected: false },
    { name: 'ipMode VIP', dir: 'vip', lbIP: '1.2.3.5', expected: true },
    { name: 'ipMode nil', dir: 'nil', lbIP: '1.2.3.6', expected: true },
  ])('$name', async ({ dir, lbIP, expected }) => {
    const { model } = fullSyncModel(await loadFixture('upstream-nftables', 'lb-ingress-ip-mode', dir));
    const elements = model.containers.get('service-ips')?.elements;
    expect(elements?.has(`${lbIP} . tcp . 80`)).toBe(expected);
    // the cluster IP's element is there either way
    expect(elements?.size).toBe(expected ? 2 : 1);
  });
});

describe("upstream TestNoEndpointsMetric: sync_proxy_rules_no_local_endpoints_total in the sync's stats", () => {
  test.each([
    {
      name: 'internalTrafficPolicy is set and there are local endpoints',
      dir: 'itp-local-endpoints',
      internal: 0,
      external: 0,
    },
    {
      name: 'externalTrafficPolicy is set and there are local endpoints',
      dir: 'etp-local-endpoints',
      internal: 0,
      external: 0,
    },
    {
      name: 'both policies are set and there are local endpoints',
      dir: 'both-local-endpoints',
      internal: 0,
      external: 0,
    },
    {
      name: 'internalTrafficPolicy is set and there are no local endpoints',
      dir: 'itp-no-local-endpoints',
      internal: 1,
      external: 0,
    },
    {
      name: 'externalTrafficPolicy is set and there are no local endpoints',
      dir: 'etp-no-local-endpoints',
      internal: 0,
      external: 1,
    },
    {
      name: 'both policies are set and there are no local endpoints',
      dir: 'both-no-local-endpoints',
      internal: 1,
      external: 1,
    },
    {
      name: 'both policies are set and there are no endpoints at all',
      dir: 'both-no-endpoints',
      internal: 0,
      external: 0,
    },
  ])('$name', async ({ dir, internal, external }) => {
    const objects = await loadFixture('upstream-nftables', 'no-endpoints-metric', dir);
    const { stats } = renderFullSync(
      nftablesMode,
      objects,
      {},
      {
        family: 'IPv4',
        format: 'text',
        profile: 'kube-proxy-test',
      },
    );
    expect({ internal: stats.noLocalEndpointsInternal, external: stats.noLocalEndpointsExternal }).toEqual({
      internal,
      external,
    });
  });

  test('partial syncs keep the totals over every service, changed or not', async () => {
    const load = (d: string) => loadFixture('upstream-nftables', 'no-endpoints-metric', d);
    const both = await load('both-no-local-endpoints');
    // a second, unchanged service with the same problem keeps counting through partial syncs
    const other = (await load('itp-no-local-endpoints')).map((o) =>
      o.kind === 'Node' || o.kind === 'KubeProxyConfiguration' || o.kind === 'ServiceCIDR'
        ? o
        : ({ ...o, metadata: { ...o.metadata, namespace: 'ns2' } } as ClusterObject),
    );
    const tracker = new ProxyTracker('IPv4', resolveProxyConfig(both));
    let memo = EMPTY_NFT_MEMO;
    const totals = () => {
      const { state, changes } = tracker.sync();
      const out = renderSync(state, changes, memo, renderOptions(both, 'IPv4', 'kube-proxy-test'));
      memo = out.memo;
      const { summary } = out;
      return [summary.noLocalEndpointsInternal, summary.noLocalEndpointsExternal];
    };
    for (const o of [...both, ...other.filter((o) => o.metadata?.namespace === 'ns2')]) tracker.upsert(o);
    expect(totals()).toEqual([2, 1]);
    const slice = both.find((o) => o.kind === 'EndpointSlice')!;
    tracker.delete(slice);
    expect(totals()).toEqual([1, 0]); // ns1/svc1 has no endpoints at all now: not counted
    tracker.upsert(slice);
    expect(totals()).toEqual([2, 1]);
  });
});
