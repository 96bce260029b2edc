// The same store conformance suite on a 3-node Redis Cluster: every key of a kubeplane cluster sits
// under one hash tag, so its scripts and transactions run on one node whatever the slot map.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { RedisClusterStore } from '../../src/cluster/redis-store.js';
import { RedisIpamStore } from '../../src/ipam/stores/redis.js';
import { describeIpamStore } from '../ipam/store.conformance.js';
import { commandUnavailableReason, describeWith, redisUnavailableReason } from '../support/env.js';
import { startRedisCluster, type TestRedisCluster } from '../support/redis.js';
import { clusterStoreConformance } from './store.conformance.js';

describeWith(
  redisUnavailableReason() ?? commandUnavailableReason('redis-cli', 'redis-tools'),
  'KUBEPLANE_REQUIRE_REDIS',
  'Redis Cluster (3 masters)',
  () => {
    let cluster: TestRedisCluster;
    let n = 0;
    const ipam: RedisIpamStore[] = [];
    beforeAll(async () => {
      cluster = await startRedisCluster();
    }, 60_000);
    afterAll(async () => {
      for (const s of ipam) await s.close();
      await cluster?.destroy();
    });

    clusterStoreConformance('redis cluster', async (options) =>
      RedisClusterStore.open(`${cluster.url}?prefix=c${++n}`, { streamMaxLen: options?.historyLimit }),
    );

    describeIpamStore('redis cluster', {
      async create() {
        const s = await RedisIpamStore.open(`${cluster.url}?prefix=i${++n}`, 'testnet');
        ipam.push(s);
        return s;
      },
    });

    test('prefixes land on different nodes and still work (hash tags, not one node by luck)', async () => {
      const { Cluster } = await import('ioredis');
      const probe = new Cluster([{ host: '127.0.0.1', port: cluster.ports[0]! }]);
      const owners = new Set<string>();
      for (let i = 0; i < 12; i++) {
        const prefix = `spread${i}`;
        const store = await RedisClusterStore.open(`${cluster.url}?prefix=${prefix}`);
        expect(await store.upsert([{ apiVersion: 'v1', kind: 'Node', metadata: { name: `n${i}` } }])).toBe(1);
        expect((await store.snapshot()).objects).toHaveLength(1);
        await store.close();
        const slot = (await probe.call('CLUSTER', 'KEYSLOT', `{kubeplane:${prefix}}:rv`)) as number;
        const shards = (await probe.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
        owners.add(String(shards.find(([lo, hi]) => slot >= lo && slot <= hi)![2][1]));
      }
      probe.disconnect();
      expect(owners.size).toBeGreaterThan(1);
    });
  },
);
