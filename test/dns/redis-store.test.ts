// `dns serve --store`: the DNS service follows a Redis store live through the informer, including a
// resync after its watch position was trimmed away.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { RedisClusterStore } from '../../src/cluster/redis-store.js';
import type { Service } from '../../src/cluster/types.js';
import { startDnsService } from '../../src/dns/service.js';
import { describeRedis } from '../support/env.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { OPTIONS } from './cases.js';

const service = (name: string, ip: string): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'app' },
  spec: { clusterIP: ip, ports: [{ name: 'http', port: 80 }] },
});

async function waitFor(ok: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describeRedis('DNS service over a Redis store', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.destroy();
  });

  test('a Service written by another process resolves; a deleted one stops resolving', async () => {
    const url = `${redis.url}?prefix=dns`;
    const writer = await RedisClusterStore.open(url);
    const reader = await RedisClusterStore.open(url);
    await writer.upsert([service('first', '10.96.0.10')]);
    const dns = await startDnsService(reader, { listen: { host: '127.0.0.1', port: 0 }, zone: OPTIONS });
    try {
      expect(dns.index.service('app', 'first')).toBeDefined();
      await writer.upsert([service('second', '10.96.0.11')]);
      await waitFor(() => dns.index.service('app', 'second') !== undefined, 'the new Service');
      await writer.delete('Service', 'app/first');
      await waitFor(() => dns.index.service('app', 'first') === undefined, 'the deletion');
    } finally {
      await dns.close();
      await reader.close();
      await writer.close();
    }
  });
});
