// The tracker as the seam's syncers see it: it follows the node's Node object, the
// KubeProxyConfiguration and the ServiceCIDRs (a change there is a full sync with the new config),
// and the states it hands out are snapshots later syncs do not change.
import { describe, expect, test } from 'vitest';
import { loadManifests } from '../../src/cluster/load.js';
import type { ClusterObject, KubeProxyConfiguration, Node, ServiceCIDR } from '../../src/cluster/types.js';
import { nftablesMode } from '../../src/proxy/nftables/mode.js';
import { trackerFor } from '../../src/proxy/run.js';
import { fixture } from '../support/cli.js';

const demo = async () => (await loadManifests([fixture('demo')])).objects as ClusterObject[];

describe('trackerFor: following the node configuration', () => {
  test('a KubeProxyConfiguration change re-resolves the config and forces a full sync', async () => {
    const objects = await demo();
    const tracker = trackerFor(objects, 'IPv4', { node: 'node-a' });
    const first = tracker.sync();
    expect(tracker.sync().changes.full).toBe(false);
    const kpc = structuredClone(objects.find((o) => o.kind === 'KubeProxyConfiguration')) as KubeProxyConfiguration;
    kpc.iptables = { ...kpc.iptables, masqueradeAll: true };
    tracker.upsert(kpc);
    const next = tracker.sync();
    expect(next.changes.full).toBe(true);
    expect(next.state.config.masqueradeAll).toBe(true);
    // The earlier state is a snapshot: it keeps the config it was made with.
    expect(first.state.config.masqueradeAll).toBe(false);
  });

  test("the node's addresses changing changes the config; another node's do not", async () => {
    const objects = await demo();
    const tracker = trackerFor(objects, 'IPv4', { node: 'node-a' });
    tracker.sync();
    const other = structuredClone(objects.find((o) => o.kind === 'Node' && o.metadata.name === 'node-b')) as Node;
    other.status = { addresses: [{ type: 'InternalIP', address: '192.0.2.99' }] };
    tracker.upsert(other);
    expect(tracker.sync().changes.full).toBe(false);
    const mine = structuredClone(objects.find((o) => o.kind === 'Node' && o.metadata.name === 'node-a')) as Node;
    mine.status = { addresses: [{ type: 'InternalIP', address: '192.0.2.7' }] };
    tracker.upsert(mine);
    const next = tracker.sync();
    expect(next.changes.full).toBe(true);
    expect(next.state.config.nodeIPs.IPv4).toEqual(['192.0.2.7']);
  });

  test('a new ServiceCIDR reaches the nftables ruleset of the next (full) sync', async () => {
    const objects = await demo();
    const tracker = trackerFor(objects, 'IPv4', { node: 'node-a' });
    const syncer = nftablesMode.createSyncer({ family: 'IPv4', profile: 'default', format: 'text' });
    const first = tracker.sync();
    const r1 = syncer.sync(first.state, first.changes, syncer.initialMemo, 0);
    expect(r1.payloads[0]!.text).not.toContain('100.64.0.0/16');
    const extra: ServiceCIDR = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'ServiceCIDR',
      metadata: { name: 'zz-extra' },
      spec: { cidrs: ['100.64.0.0/16'] },
    };
    tracker.upsert(extra);
    const next = tracker.sync();
    expect(next.changes.full).toBe(true);
    expect(next.state.serviceCIDRs).toContain('100.64.0.0/16');
    expect(first.state.serviceCIDRs).not.toContain('100.64.0.0/16');
    expect(syncer.sync(next.state, next.changes, r1.memo, 1).payloads[0]!.text).toContain('100.64.0.0/16');
  });

  test('a state is a snapshot: ports and endpoints stay as they were after later syncs', async () => {
    const objects = await demo();
    const tracker = trackerFor(objects, 'IPv4', { node: 'node-a' });
    const first = tracker.sync().state;
    const before = first.ports.map((p) => `${p.key} ${first.endpointsOf(p).length}`);
    for (const o of objects) if (o.kind === 'EndpointSlice') tracker.delete(o);
    const after = tracker.sync().state;
    expect(first.ports.map((p) => `${p.key} ${first.endpointsOf(p).length}`)).toEqual(before);
    expect(after.ports.every((p) => after.endpointsOf(p).length === 0)).toBe(true);
  });
});
