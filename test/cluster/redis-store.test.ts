// The Redis ClusterStore against a real redis-server: the shared conformance suite, then what only a
// network store has to survive (dropped connections, restarts, trimmed logs, foreign data, no server).
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startInformer } from '../../src/cluster/informer.js';
import { UPSERT } from '../../src/cluster/redis-scripts.js';
import { RedisClusterStore } from '../../src/cluster/redis-store.js';
import type { WatchEvent } from '../../src/cluster/store.js';
import type { Service } from '../../src/cluster/types.js';
import { StoreError } from '../../src/errors.js';
import { describeRedis } from '../support/env.js';
import { freePort, startRedis, type TestRedis } from '../support/redis.js';
import { clusterStoreConformance } from './store.conformance.js';

const service = (name: string, ip: string): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'app' },
  spec: { clusterIP: ip, ports: [{ name: 'http', port: 80 }] },
});

async function waitFor(ok: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let prefixes = 0;
const fresh = () => `t${process.pid}-${++prefixes}`;

describeRedis('RedisClusterStore', () => {
  let redis: TestRedis;
  let admin: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis({ port: redis.port, host: '127.0.0.1', lazyConnect: true });
    await admin.connect();
  });
  afterAll(async () => {
    admin?.disconnect();
    await redis?.destroy();
  });

  clusterStoreConformance('redis', async (options) =>
    RedisClusterStore.open(`${redis.url}?prefix=${fresh()}`, { streamMaxLen: options?.historyLimit }),
  );

  /** Kill the watcher's connection (the one blocked in XREAD), running `more` in the same transaction. */
  async function killWatcher(more: (m: ReturnType<Redis['multi']>) => void = () => {}): Promise<void> {
    let ids: string[] = [];
    for (let i = 0; i < 500 && ids.length === 0; i++) {
      const list = (await admin.client('LIST')) as string;
      ids = list
        .split('\n')
        .filter((l) => / cmd=xread/.test(l))
        .map((l) => /(?:^| )id=(\d+)/.exec(l)![1]!);
      if (ids.length === 0) await new Promise((r) => setTimeout(r, 10));
    }
    expect(ids).toHaveLength(1);
    const m = admin.multi().client('KILL', 'ID', ids[0]!);
    more(m);
    await m.exec();
  }

  test('a watch whose connection is killed resumes from where it was: nothing lost, nothing twice', async () => {
    const store = await RedisClusterStore.open(`${redis.url}?prefix=${fresh()}`);
    try {
      const events: WatchEvent[] = [];
      const w = await store.watch((e) => events.push(e));
      await store.upsert([service('a', '10.96.0.1')]);
      await waitFor(() => events.length === 1, 'the first event');
      await killWatcher();
      for (let i = 2; i <= 6; i++) await store.upsert([service(`s${i}`, `10.96.0.${i}`)]);
      await waitFor(() => events.length >= 6, 'the events written while it reconnected');
      await new Promise((r) => setTimeout(r, 100));
      w.stop();
      expect(events.map((e) => e.object.metadata?.name)).toEqual(['a', 's2', 's3', 's4', 's5', 's6']);
      expect(events.map((e) => e.resourceVersion)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      await store.close();
    }
  });

  test('a watcher that fell behind the trimmed log gets "410 Gone"; an informer re-lists and resyncs', async () => {
    const prefix = fresh();
    const store = await RedisClusterStore.open(`${redis.url}?prefix=${prefix}`, { streamMaxLen: 3 });
    try {
      await store.upsert([service('a', '10.96.0.1')]);
      const syncs: [string, string[]][] = [];
      const events: WatchEvent[] = [];
      const informer = await startInformer(store, {
        onSync: (s, reason) => syncs.push([reason, s.objects.map((o) => o.metadata?.name ?? '').sort()]),
        onEvent: (e) => events.push(e),
      });
      // Cut the watcher off and, in the same transaction, write more than the log keeps: when it is
      // back, its next entry is gone.
      const tag = `{kubeplane:${prefix}}`;
      await killWatcher((m) => {
        for (let i = 0; i < 5; i++)
          m.eval(
            UPSERT.lua,
            3,
            `${tag}:rv`,
            `${tag}:log`,
            `${tag}:objects:Service`,
            3,
            3,
            `app/b${i}`,
            JSON.stringify(service(`b${i}`, `10.96.1.${i}`)),
          );
      });
      await waitFor(() => syncs.length >= 2, 'the resync');
      expect(syncs).toEqual([
        ['initial', ['a']],
        ['resync', ['a', 'b0', 'b1', 'b2', 'b3', 'b4']],
      ]);
      expect(informer.resyncs).toBe(1);
      expect(events).toEqual([]);
      // After the resync it follows the log again.
      await store.delete('Service', 'app/a');
      await waitFor(() => events.length === 1, 'the event after the resync');
      expect(events[0]!.type).toBe('DELETED');
      informer.stop();
    } finally {
      await store.close();
    }
  });

  test('a watch survives a Redis restart with AOF and resumes from its stream position', async () => {
    const durable = await startRedis({ aof: true });
    const url = `${durable.url}?prefix=${fresh()}`;
    let store = await RedisClusterStore.open(url);
    const watcher = await RedisClusterStore.open(url);
    try {
      const events: WatchEvent[] = [];
      const w = await watcher.watch((e) => events.push(e), { sinceResourceVersion: 0 });
      await store.upsert([service('a', '10.96.0.1'), service('b', '10.96.0.2')]);
      await waitFor(() => events.length === 2, 'events before the restart');
      await store.close();
      await durable.restart();
      store = await RedisClusterStore.open(url);
      await store.upsert([service('c', '10.96.0.3')]);
      await store.delete('Service', 'app/a');
      await waitFor(() => events.length >= 4, 'events after the restart');
      await new Promise((r) => setTimeout(r, 100));
      w.stop();
      expect(events.map((e) => `${e.resourceVersion} ${e.type} ${e.object.metadata?.name}`)).toEqual([
        '1 ADDED a',
        '1 ADDED b',
        '2 ADDED c',
        '3 DELETED a',
      ]);
      expect((await store.snapshot()).resourceVersion).toBe(3);
    } finally {
      await store.close();
      await watcher.close();
      await durable.destroy();
    }
  });

  test('data kubeplane did not write is a StoreError naming the key, not a crash', async () => {
    const prefix = fresh();
    const store = await RedisClusterStore.open(`${redis.url}?prefix=${prefix}`);
    try {
      await admin.hset(`{kubeplane:${prefix}}:objects:Service`, 'app/x', '{"kind":"Service","metadata":{}}');
      const err = await store.snapshot().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as Error).message).toContain(`{kubeplane:${prefix}}:objects:Service "app/x"`);
      await admin.hset(`{kubeplane:${prefix}}:objects:Service`, 'app/x', 'not json');
      await expect(store.get('Service', 'app/x')).rejects.toThrow(/not JSON/);
      await admin.set(`{kubeplane:${prefix}}:objects:Node`, 'a string, not a hash');
      await expect(store.snapshot()).rejects.toThrow(/did not write/);
    } finally {
      await store.close();
    }
  });

  test('a snapshot larger than the bound is refused', async () => {
    const store = await RedisClusterStore.open(`${redis.url}?prefix=${fresh()}`, { maxObjects: 2 });
    try {
      await store.upsert([service('a', '10.96.0.1'), service('b', '10.96.0.2'), service('c', '10.96.0.3')]);
      await expect(store.snapshot()).rejects.toThrow(/holds 3 objects, more than the 2/);
    } finally {
      await store.close();
    }
  });

  test('no Redis at the URL: a StoreError that says what to do', async () => {
    const port = await freePort();
    const err = await RedisClusterStore.open(`redis://127.0.0.1:${port}/0`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toMatch(
      new RegExp(`cannot reach Redis at redis://127.0.0.1:${port}/0 \\(ECONNREFUSED\\); start redis-server`),
    );
  });
});
