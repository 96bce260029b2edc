// The nftables mode through its ProxyMode interface: full renders, incremental transactions
// (renderDiff and the long-lived sync renderer) and their equivalence with full syncs.
import { readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { ClusterObject } from '../../../src/cluster/types.js';
import { resolveProxyConfig } from '../../../src/proxy/config.js';
import { nftablesMode } from '../../../src/proxy/nftables/mode.js';
import { EMPTY_NFT_MEMO, renderSync } from '../../../src/proxy/nftables/render.js';
import { Transaction } from '../../../src/proxy/nftables/transaction.js';
import { diffPayloads, renderFullSync, replayDiff } from '../../../src/proxy/run.js';
import { ProxyTracker } from '../../../src/proxy/state.js';
import { FULL_SYNC } from '../../../src/proxy/types.js';
import { fixture } from '../../support/cli.js';
import { NftModel, sortNFTablesTransaction } from './nft-model.js';
import { fullSyncModel, loadFixture, renderOptions } from './support.js';

const STEPS = readdirSync(fixture('upstream-nftables', 'sync-repeated')).sort();
const step = (name: string) => loadFixture('upstream-nftables', 'sync-repeated', name);

function objectId(o: ClusterObject): string {
  return `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

/** full(from), then the partial sync to `to` and the later stale-chain deletions, in a model. */
function incrementalModel(from: ClusterObject[], to: ClusterObject[]): { model: NftModel; partial: Transaction } {
  const config = resolveProxyConfig(to);
  const tracker = new ProxyTracker('IPv4', config);
  for (const o of from) tracker.upsert(o);
  const model = new NftModel('ip');
  const first = renderSync(tracker.sync().state, FULL_SYNC, EMPTY_NFT_MEMO, renderOptions(from, 'IPv4', 'default'));
  model.apply(first.main);
  const keep = new Set(to.map(objectId));
  for (const o of from) if (!keep.has(objectId(o))) tracker.delete(o);
  for (const o of to) tracker.upsert(o);
  const next = tracker.sync();
  const sync = renderSync(next.state, next.changes, first.memo, renderOptions(to, 'IPv4', 'default'));
  model.apply(sync.pre);
  model.apply(sync.main);
  const later = new Transaction('ip');
  for (const c of sync.memo.stale) later.delete({ kind: 'chain', name: c });
  model.apply(later);
  return { model, partial: sync.main };
}

describe('an incremental transaction leaves the state of a full sync', () => {
  const pairs = [
    ...STEPS.slice(1).map((to, i) => ({ from: STEPS[i]!, to })),
    { from: '13-no-change', to: '01-initial' },
    { from: '01-initial', to: '09-endpoints-emptied' },
    { from: '09-endpoints-emptied', to: '02-add-service' },
  ];
  test.each(pairs)('$from -> $to', async ({ from, to }) => {
    const toObjects = await step(to);
    const { model } = incrementalModel(await step(from), toObjects);
    const full = fullSyncModel(toObjects, 'IPv4', 'default').model;
    expect(sortNFTablesTransaction(model.dump())).toBe(sortNFTablesTransaction(full.dump()));
  });

  // One Service (ns1/svc1) moving between upstream's scenarios: endpoints turning terminating,
  // remote, unusable and back; traffic policies and the Service type changing.
  test.each([
    { from: 'terminating-endpoints-local-ready', to: 'terminating-endpoints-local-only-terminating' },
    { from: 'terminating-endpoints-local-only-terminating', to: 'terminating-endpoints-local-remote' },
    { from: 'terminating-endpoints-local-remote', to: 'terminating-endpoints-local-none-usable' },
    { from: 'terminating-endpoints-local-none-usable', to: 'terminating-endpoints-local-ready' },
    { from: 'terminating-endpoints-cluster', to: 'terminating-endpoints-local-ready' },
    { from: 'terminating-endpoints-cluster-none-usable', to: 'terminating-endpoints-cluster-remote' },
    { from: 'itp-cluster', to: 'itp-local-no-local' },
    { from: 'itp-local-no-local', to: 'itp-local-multiple-local' },
    { from: 'itp-local-one-local', to: 'terminating-endpoints-cluster-remote' },
    { from: 'terminating-endpoints-local-remote', to: 'itp-local-one-local' },
    { from: 'lb-ingress-ip-mode/vip', to: 'lb-ingress-ip-mode/proxy' },
  ])('upstream scenarios: $from -> $to', async ({ from, to }) => {
    const load = (d: string) => loadFixture('upstream-nftables', ...d.split('/'));
    const toObjects = await load(to);
    const { model, partial } = incrementalModel(await load(from), toObjects);
    const full = fullSyncModel(toObjects, 'IPv4', 'default').model;
    expect(sortNFTablesTransaction(model.dump())).toBe(sortNFTablesTransaction(full.dump()));
    expect(partial.size).toBeGreaterThan(0);
  });

  // Two Services on one external IP and port share one service-ips element: dropping either one
  // must leave the service-ips element, holding the verdict of the Service that remains.
  test.each(['alpha', 'beta'])('a shared service-ips element survives deleting %s', async (gone) => {
    const both = await loadFixture('shared-external-ip');
    const rest = both.filter((o) => !(o.metadata?.name ?? '').startsWith(gone));
    const { model, partial } = incrementalModel(both, rest);
    const full = fullSyncModel(rest, 'IPv4', 'default').model;
    expect(sortNFTablesTransaction(model.dump())).toBe(sortNFTablesTransaction(full.dump()));
    const survivor = gone === 'alpha' ? 'beta' : 'alpha';
    expect(model.dump()).toMatch(
      new RegExp(`service-ips \\{ 192\\.0\\.2\\.10 \\. tcp \\. 80 .*: goto external-\\w+-shared/${survivor}/`),
    );
    expect(partial.size).toBeGreaterThan(0);
  });

  test('an unchanged cluster sends an empty transaction', async () => {
    const objects = await step('06-endpoints-added');
    expect(incrementalModel(objects, objects).partial.size).toBe(0);
  });
});

function diffOf(from: ClusterObject[], to: ClusterObject[], format: 'text' | 'json') {
  const d = replayDiff(nftablesMode, from, to, {}, { family: 'IPv4', format, profile: 'default' });
  const { payloads, summary } = diffPayloads(nftablesMode, d, format);
  return { text: payloads[0]!.text, summary };
}

describe('replayDiff', () => {
  test('deleting a service: element deletes, chains flushed, then deleted; a summary', async () => {
    const from = await step('02-add-service');
    const to = await step('03-delete-service');
    const r = diffOf(from, to, 'text');
    expect(r.text.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([
      'flush chain ip kube-proxy endpoint-7RVP4LUQ-ns2/svc2/tcp/p8080__10.0.2.1/8080',
      'flush chain ip kube-proxy service-MHHHYRWA-ns2/svc2/tcp/p8080',
      'delete element ip kube-proxy cluster-ips { 172.30.0.42 }',
      'delete element ip kube-proxy service-ips { 172.30.0.42 . tcp . 8080 }',
      'delete chain ip kube-proxy endpoint-7RVP4LUQ-ns2/svc2/tcp/p8080__10.0.2.1/8080',
      'delete chain ip kube-proxy service-MHHHYRWA-ns2/svc2/tcp/p8080',
    ]);
    expect(r.summary).toContain('elements added: 0, deleted: 2');
    expect(r.summary).toContain('stale chains deleted: 2');
  });

  test('a changed endpoint: the service chain is flushed and refilled, a new endpoint chain added', async () => {
    const from = await step('06-endpoints-added');
    const to = await step('07-endpoint-changed');
    const r = diffOf(from, to, 'json');
    const ops = JSON.parse(r.text).nftables as Record<string, unknown>[];
    expect(ops.filter((o) => 'flush' in o)).toHaveLength(3);
    expect(r.summary[0]).toBe('partial sync: 1 service(s) written: ns3/svc3');
    expect(r.summary).toContain('chains added: 1 (endpoint-SWWHDC7X-ns3/svc3/tcp/p80__10.0.3.2/80)');
  });
});

describe('full sync through the mode', () => {
  test('IPv6 renders an ip6 table; stats count rules and chains', async () => {
    const objects = await loadFixture('demo');
    const r = renderFullSync(nftablesMode, objects, {}, { family: 'IPv6', format: 'text', profile: 'default' });
    const text = r.payloads[0]!.text;
    expect(text.startsWith('add table ip6 kube-proxy')).toBe(true);
    expect(text).not.toMatch(/ ip kube-proxy /);
    expect(r.stats.rules).toBeGreaterThan(20);
  });
});

describe('syncer', () => {
  test('a partial sync writes only the changed service', async () => {
    const objects = await step('08-endpoint-added');
    const config = resolveProxyConfig(objects);
    const tracker = new ProxyTracker('IPv4', config);
    for (const o of objects) tracker.upsert(o);
    const syncer = nftablesMode.createSyncer({ family: 'IPv4', profile: 'default', format: 'text' });
    const first = tracker.sync();
    const r1 = syncer.sync(first.state, first.changes, syncer.initialMemo, 0);
    expect(r1.payloads[0]!.text).toContain('ns1/svc1');
    const next = await step('09-endpoints-emptied');
    for (const o of next) tracker.upsert(o);
    const second = tracker.sync();
    const payload = syncer.sync(second.state, second.changes, r1.memo, 1).payloads[0]!.text;
    expect(payload).toContain('ns3/svc3');
    expect(payload).not.toContain('ns1/svc1');
    expect(payload).not.toContain('ns4/svc4');
  });

  test('a memo stays valid after a sync from it: the same sync again gives the same payload', async () => {
    const objects = await step('08-endpoint-added');
    const tracker = new ProxyTracker('IPv4', resolveProxyConfig(objects));
    for (const o of objects) tracker.upsert(o);
    const syncer = nftablesMode.createSyncer({ family: 'IPv4', profile: 'default', format: 'text' });
    const first = tracker.sync();
    const base = syncer.sync(first.state, first.changes, syncer.initialMemo, 0).memo;
    for (const o of await step('09-endpoints-emptied')) tracker.upsert(o);
    const second = tracker.sync();
    const once = syncer.sync(second.state, second.changes, base, 1);
    // The apply of `once` failed: retry from the memo it started from.
    const again = syncer.sync(second.state, second.changes, base, 2);
    expect(again.payloads).toEqual(once.payloads);
    expect(once.payloads[0]!.text.length).toBeGreaterThan(0);
  });
});

test('JSON partial syncs declare only new affinity sets (nft 1.0.6 cannot re-add them); text re-adds all', async () => {
  const objects = await loadFixture('demo');
  const cart = objects.find((o) => o.kind === 'EndpointSlice' && o.metadata.name === 'cart-m2n8v')!;
  const changed = structuredClone(cart) as typeof cart & { endpoints: { addresses: string[] }[] };
  changed.endpoints = changed.endpoints.filter((e) => e.addresses[0] !== '10.244.2.30');
  const to = objects.map((o) => (o === cart ? changed : o));
  const diff = (format: 'text' | 'json') => diffOf(objects, to, format).text;
  expect(diff('text').match(/^add set .*affinity-/gm)).toHaveLength(2);
  expect(diff('json')).not.toMatch(/"add":\{"set"/);
  expect(diff('json')).toMatch(/"delete":\{"set":\{[^}]*affinity-SB6TRJBJ/);
});
