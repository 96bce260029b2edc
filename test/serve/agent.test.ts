// The node agent over a memory store and over a real Redis store: a Service change written to the
// store shows up in the next (partial) sync, in the metrics, and on the HTTP endpoints.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadManifests } from '../../src/cluster/load.js';
import { MemoryClusterStore } from '../../src/cluster/memory-store.js';
import { RedisClusterStore } from '../../src/cluster/redis-store.js';
import type { ClusterStore } from '../../src/cluster/store.js';
import { type ClusterObject, objectKey, type Service } from '../../src/cluster/types.js';
import { iptablesMode } from '../../src/proxy/iptables/mode.js';
import type { ProxyMode } from '../../src/proxy/mode.js';
import { type SyncRecord, startAgent } from '../../src/serve/agent.js';
import { startAgentHttp } from '../../src/serve/http.js';
import { fixture } from '../support/cli.js';
import { describeRedis } from '../support/env.js';
import { startRedis, type TestRedis } from '../support/redis.js';

const added: Service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'late', namespace: 'default' },
  spec: { clusterIP: '10.96.200.1', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
};

async function waitFor(ok: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 15_000;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function agentSuite(open: (objects: ClusterObject[]) => Promise<ClusterStore>): void {
  test('syncs fully at start, then partially for a change; metrics and HTTP follow', async () => {
    const objects = (await loadManifests([fixture('demo')])).objects;
    const store = await open(objects);
    const records: SyncRecord[] = [];
    const agent = await startAgent(store, {
      mode: iptablesMode as ProxyMode,
      node: 'node-a',
      minSyncPeriodMs: 50,
      syncPeriodMs: 60_000,
      onSync: (r) => records.push(r),
    });
    const http = await startAgentHttp(agent, 'iptables', '127.0.0.1', 0);
    try {
      await waitFor(() => records.length >= 1, 'the first sync');
      expect(records[0]!.full).toBe(true);
      const text = () => agent.payloads.map((p) => p.text).join('\n');
      expect(text()).not.toContain('default/late:http');
      await store.upsert([added]);
      await waitFor(() => text().includes('default/late:http'), 'the new Service in the payload');
      const last = records.at(-1)!;
      expect(last.full).toBe(false);
      expect(last.services).toBe(1);
      const get = async (path: string) => {
        const r = await fetch(`http://127.0.0.1:${http.port}${path}`);
        return { status: r.status, body: await r.text() };
      };
      expect(await get('/proxyMode')).toEqual({ status: 200, body: 'iptables' });
      expect((await get('/healthz')).status).toBe(200);
      expect((await get('/livez')).status).toBe(200);
      const metrics = (await get('/metrics')).body;
      expect(metrics).toContain('kubeproxy_sync_proxy_rules_service_changes_total 1\n');
      expect(metrics).toContain('kubeplane_sync_partial_total 1\n');
      expect(metrics).toMatch(/kubeproxy_sync_proxy_rules_duration_seconds_count 2\n/);
      expect(metrics).toMatch(/kubeproxy_sync_proxy_rules_last_timestamp_seconds \d+/);
    } finally {
      agent.stop();
      await http.close();
      await store.close();
    }
  });

  test('many nodes from one informer: each syncs fully, then each re-syncs for one change', async () => {
    const objects = (await loadManifests([fixture('demo')])).objects;
    const store = await open(objects);
    const records: SyncRecord[] = [];
    const agent = await startAgent(store, {
      mode: iptablesMode as ProxyMode,
      nodes: ['node-a', 'node-b', 'node-c'],
      minSyncPeriodMs: 20,
      syncPeriodMs: 60_000,
      onSync: (r) => records.push(r),
    });
    try {
      const text = (n: string) => (agent.payloadsOf(n) ?? []).map((p) => p.text).join('\n');
      const synced = (n: string) => records.filter((r) => r.node === n);
      await waitFor(() => ['node-a', 'node-b', 'node-c'].every((n) => synced(n).length >= 1), 'every first sync');
      expect(agent.nodes()).toEqual(['node-a', 'node-b', 'node-c']);
      for (const n of ['node-a', 'node-b', 'node-c']) expect(synced(n)[0]!.full).toBe(true);
      // The demo's Local-policy Services make each node's rules its own.
      expect(text('node-a')).not.toBe(text('node-b'));
      await store.upsert([added]);
      await waitFor(
        () => ['node-a', 'node-b', 'node-c'].every((n) => text(n).includes('default/late:http')),
        'the new Service on every node',
      );
      for (const n of ['node-a', 'node-b', 'node-c']) {
        const last = synced(n).at(-1)!;
        expect(last).toMatchObject({ node: n, full: false, services: 1 });
      }
      // One store event, counted once, however many nodes synced it.
      expect(agent.metrics.serviceChanges).toBe(1);
      expect(agent.metrics.partialSyncs).toBe(3);
    } finally {
      agent.stop();
      await store.close();
    }
  });

  test("nodes: 'all' follows the Node objects in the store", async () => {
    const objects = (await loadManifests([fixture('demo')])).objects;
    const store = await open(objects);
    const records: SyncRecord[] = [];
    const changes: [readonly string[], readonly string[]][] = [];
    const agent = await startAgent(store, {
      mode: iptablesMode as ProxyMode,
      nodes: 'all',
      minSyncPeriodMs: 20,
      syncPeriodMs: 60_000,
      onSync: (r) => records.push(r),
      onNodes: (a, r) => changes.push([a, r]),
    });
    try {
      expect(agent.nodes()).toEqual(['node-a', 'node-b', 'node-c']);
      const nodeC = objects.find((o) => o.kind === 'Node' && o.metadata.name === 'node-c')!;
      const nodeD = { ...nodeC, metadata: { ...nodeC.metadata, name: 'node-d' } } as ClusterObject;
      await store.upsert([nodeD]);
      await waitFor(() => records.some((r) => r.node === 'node-d'), "node-d's first sync");
      expect(records.find((r) => r.node === 'node-d')!.full).toBe(true);
      expect(
        agent
          .payloadsOf('node-d')!
          .map((p) => p.text)
          .join(''),
      ).toContain('KUBE-SERVICES');
      await store.delete('Node', objectKey(nodeC));
      await waitFor(() => !agent.nodes().includes('node-c'), 'node-c gone');
      expect(agent.nodes()).toEqual(['node-a', 'node-b', 'node-d']);
      expect(changes).toEqual([
        [['node-a', 'node-b', 'node-c'], []],
        [['node-d'], []],
        [[], ['node-c']],
      ]);
      // The remaining nodes still follow changes.
      const before = records.length;
      await store.upsert([added]);
      await waitFor(
        () => ['node-a', 'node-b', 'node-d'].every((n) => records.slice(before).some((r) => r.node === n)),
        'a re-sync on each remaining node',
      );
      expect(records.slice(before).some((r) => r.node === 'node-c')).toBe(false);
    } finally {
      agent.stop();
      await store.close();
    }
  });
}

describe('agent over a memory store', () => {
  agentSuite(async (objects) => new MemoryClusterStore(objects));
});

describeRedis('agent over a Redis store', () => {
  let redis: TestRedis;
  let n = 0;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.destroy();
  });
  agentSuite(async (objects) => {
    const store = await RedisClusterStore.open(`${redis.url}?prefix=agent${++n}`);
    await store.replace(objects);
    return store;
  });
});

describeRedis('agent when Redis goes away', () => {
  test('unhealthy while Redis is down, healthy again after its restart, and no change lost', async () => {
    const redis = await startRedis({ aof: true });
    const url = `${redis.url}?prefix=down`;
    const writer = await RedisClusterStore.open(url);
    await writer.replace((await loadManifests([fixture('demo')])).objects);
    await writer.close();
    const store = await RedisClusterStore.open(url);
    const connection: boolean[] = [];
    const agent = await startAgent(store, {
      mode: iptablesMode as ProxyMode,
      node: 'node-a',
      minSyncPeriodMs: 20,
      syncPeriodMs: 60_000,
      onConnection: (up) => connection.push(up),
    });
    try {
      await waitFor(() => agent.payloads.length > 0 && agent.healthy(), 'the first sync');
      await redis.stop();
      await waitFor(() => !agent.healthy(), 'unhealthy');
      await redis.restart();
      const again = await RedisClusterStore.open(url);
      await again.upsert([added]);
      await again.close();
      await waitFor(() => agent.payloads.some((p) => p.text.includes('default/late:http')), 'the change after restart');
      await waitFor(() => agent.healthy(), 'healthy again');
      expect(connection).toEqual([false, true]);
      expect(agent.metrics.resyncs).toBe(0);
    } finally {
      agent.stop();
      await store.close();
      await redis.destroy();
    }
  });
});
