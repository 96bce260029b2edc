// The rule counts kube-proxy reports (sync_proxy_rules_iptables_total and _last_sync), from our
// render stats, checked the way upstream's TestProxierMetricsIPTablesTotalRules and
// TestSyncProxyRulesRepeated check them: the last sync's count is the rules in its payload, the
// total follows what the kernel holds across partial syncs.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { loadManifests, loadTexts } from '../../../src/cluster/load.js';
import type { ClusterObject } from '../../../src/cluster/types.js';
import { resolveProxyConfig } from '../../../src/proxy/config.js';
import { iptablesOptions } from '../../../src/proxy/iptables/options.js';
import { EMPTY_MEMO, type Rendered, render } from '../../../src/proxy/iptables/render.js';
import { ProxyTracker } from '../../../src/proxy/state.js';
import { FULL_SYNC } from '../../../src/proxy/types.js';
import { fixture } from '../../support/cli.js';
import { parseDump } from './iptables-dump.js';
import { SYNC_REPEATED_STEPS } from './sync-repeated.js';

/** upstream's countRules: the rules of a table in a payload. */
function countRules(payload: string, table: string): number {
  const t = parseDump(payload).find((x) => x.name === table)!;
  return t.chains.reduce((n, c) => n + c.rules.length, 0);
}

/** proxier.go's metric values from one sync. */
function metrics(r: Rendered) {
  return {
    filterLastSync: r.stats.filterRules,
    natLastSync: r.stats.natRules - r.stats.deletedChains,
    natTotal: r.stats.natRules + r.stats.skippedNatRules - r.stats.deletedChains,
  };
}

const NODE = fixture('upstream-iptables', 'node.yaml');
const load = async (...p: string[]) => (await loadManifests([NODE, fixture('upstream-iptables', ...p)])).objects;
const identity = (o: ClusterObject) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

describe('rule counts (TestProxierMetricsIPTablesTotalRules)', () => {
  test.each([
    { name: 'overall', dir: ['overall', 'cluster.yaml'] },
    { name: 'bad IPs', dir: ['bad-ips', 'cluster.yaml'] },
    { name: 'no endpoints', dir: ['flows', 'no-endpoints-reject', 'cluster.yaml'] },
    { name: 'internal/external masquerade', dir: ['flows', 'internal-external-masquerade', 'cluster.yaml'] },
  ])('$name: the counts are the payload rules', async ({ dir }) => {
    const objects = await load(...dir);
    const config = resolveProxyConfig(objects);
    const tracker = new ProxyTracker('IPv4', config);
    for (const o of objects) tracker.upsert(o);
    const r = render(tracker.sync().state, FULL_SYNC, EMPTY_MEMO, iptablesOptions(config, 'IPv4', 'kube-proxy-test'));
    const m = metrics(r);
    expect(m.filterLastSync).toBe(countRules(r.payload, 'filter'));
    expect(m.natLastSync).toBe(countRules(r.payload, 'nat'));
    expect(m.natTotal).toBe(m.natLastSync);
  });
});

describe('rule counts across TestSyncProxyRulesRepeated', () => {
  test('last sync counts its payload; the nat total moves by the rules added and removed', async () => {
    // upstream's comments: +5 (svc3), -5 (svc2 deleted), 0 (svc4 without endpoints: a filter
    // REJECT), +5 (svc4 endpoints), 0 (endpoint changed), +3 (endpoint added), 0, -5 (svc4 deleted).
    const deltas = [0, 5, -5, 0, 5, 0, 3, 0, -5];
    const first = await load('sync-repeated', SYNC_REPEATED_STEPS[0], 'cluster.yaml');
    const config = resolveProxyConfig(first);
    const opt = iptablesOptions(config, 'IPv4', 'kube-proxy-test');
    const tracker = new ProxyTracker('IPv4', config);
    let objects: ClusterObject[] = [];
    let memo = EMPTY_MEMO;
    let total = 0;
    for (const [i, step] of SYNC_REPEATED_STEPS.entries()) {
      const next = await load('sync-repeated', step, 'cluster.yaml');
      const kept = new Set(next.map(identity));
      for (const o of objects) if (!kept.has(identity(o))) tracker.delete(o);
      for (const o of next) tracker.upsert(o);
      objects = next;
      const { state, changes } = tracker.sync();
      const full = i === 0 || step === '9-delete-service-full-sync';
      const r = render(state, full ? FULL_SYNC : changes, memo, opt);
      memo = r.memo;
      const m = metrics(r);
      expect(m.natLastSync, step).toBe(countRules(r.payload, 'nat'));
      expect(m.filterLastSync, step).toBe(countRules(r.payload, 'filter'));
      total = i === 0 ? m.natLastSync : total + deltas[i]!;
      expect(m.natTotal, step).toBe(total);
    }
  });
});

describe('no-local-endpoints counts (TestNoEndpointsMetric)', () => {
  const here = 'test-node';
  const three = (a: string, b: string, c: string) => [
    ['10.0.1.1', a],
    ['10.0.1.2', b],
    ['10.0.1.3', c],
  ];
  test.each([
    {
      name: 'internalTrafficPolicy is set and there are local endpoints',
      itp: true,
      etp: false,
      eps: three(here, 'node1', 'node2'),
      internal: 0,
      external: 0,
    },
    {
      name: 'externalTrafficPolicy is set and there are local endpoints',
      itp: false,
      etp: true,
      eps: three(here, 'node1', 'node2'),
      internal: 0,
      external: 0,
    },
    {
      name: 'both policies are set and there are local endpoints',
      itp: true,
      etp: true,
      eps: three(here, 'node1', 'node2'),
      internal: 0,
      external: 0,
    },
    {
      name: 'internalTrafficPolicy is set and there are no local endpoints',
      itp: true,
      etp: false,
      eps: three('node0', 'node1', 'node2'),
      internal: 1,
      external: 0,
    },
    {
      name: 'externalTrafficPolicy is set and there are no local endpoints',
      itp: false,
      etp: true,
      eps: three('node0', 'node1', 'node2'),
      internal: 0,
      external: 1,
    },
    {
      name: 'both policies are set and there are no local endpoints',
      itp: true,
      etp: true,
      eps: three('node0', 'node1', 'node2'),
      internal: 1,
      external: 1,
    },
    {
      name: 'both policies are set and there are no endpoints at all',
      itp: true,
      etp: true,
      eps: [],
      internal: 0,
      external: 0,
    },
  ])('$name', async ({ itp, etp, eps, internal, external }) => {
    // upstream's service: 172.30.1.1:80, a NodePort Service (nodePort 123) when externalTrafficPolicy is set.
    const spec = [
      'clusterIP: 172.30.1.1',
      etp ? 'type: NodePort' : 'type: ClusterIP',
      etp ? 'externalTrafficPolicy: Local' : '',
      itp ? 'internalTrafficPolicy: Local' : '',
      `ports: [{ name: "", port: 80, protocol: TCP${etp ? ', nodePort: 123' : ''} }]`,
    ].filter(Boolean);
    const endpoints = eps.map(
      ([ip, node]) => `  - { addresses: [${ip}], conditions: { ready: true }, nodeName: ${node} }`,
    );
    const cluster = [
      'apiVersion: v1\nkind: Service\nmetadata: { name: svc1, namespace: ns1 }\nspec:',
      ...spec.map((l) => `  ${l}`),
      '---',
      'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice',
      'metadata: { name: svc1-1, namespace: ns1, labels: { kubernetes.io/service-name: svc1 } }',
      'addressType: IPv4',
      eps.length ? 'endpoints:' : 'endpoints: []',
      ...endpoints,
      'ports: [{ name: "", port: 80, protocol: TCP }]',
    ].join('\n');
    const objects = (
      await loadTexts([
        { file: NODE, bytes: readFileSync(NODE) },
        { file: 'cluster.yaml', bytes: `${cluster}\n` },
      ])
    ).objects;
    const config = resolveProxyConfig(objects);
    const tracker = new ProxyTracker('IPv4', config);
    for (const o of objects) tracker.upsert(o);
    const r = render(tracker.sync().state, FULL_SYNC, EMPTY_MEMO, iptablesOptions(config, 'IPv4', 'kube-proxy-test'));
    expect([r.stats.noLocalEndpointsInternal, r.stats.noLocalEndpointsExternal]).toEqual([internal, external]);
  });
});
