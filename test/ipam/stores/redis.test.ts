// The Redis IpamStore against a real redis-server: the IPAM store conformance suite, two processes
// allocating from one pool at once, and the CNI executable taking the pool from ipam.dataStore.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { RedisIpamStore } from '../../../src/ipam/stores/redis.js';
import { describeRedis } from '../../support/env.js';
import { freePort, startRedis, type TestRedis } from '../../support/redis.js';
import { envFor, runPlugin } from '../cni-run.js';
import { describeIpamStore } from '../store.conformance.js';

const DIST = (p: string) => pathToFileURL(join(import.meta.dirname, '../../../dist', p)).href;

describeRedis('RedisIpamStore', () => {
  let redis: TestRedis;
  let n = 0;
  const opened: RedisIpamStore[] = [];
  const url = () => `${redis.url}?prefix=ipam${++n}`;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const s of opened) await s.close();
    await redis?.destroy();
  });
  const track = (s: RedisIpamStore) => {
    opened.push(s);
    return s;
  };

  const urls = new WeakMap<RedisIpamStore, string>();
  describeIpamStore('redis', {
    async create() {
      const u = url();
      const s = track(await RedisIpamStore.open(u, 'testnet'));
      urls.set(s, u);
      return s;
    },
    async reopen(s) {
      return track(await RedisIpamStore.open(urls.get(s as RedisIpamStore)!, 'testnet'));
    },
  });

  test('two processes allocating 1,000 addresses from one pool at once never hand out one twice', async () => {
    const u = url();
    const script = join(redis.dir, 'alloc.mjs');
    writeFileSync(
      script,
      `import { RedisIpamStore } from ${JSON.stringify(DIST('ipam/stores/redis.js'))};
import { allocateAll } from ${JSON.stringify(DIST('ipam/allocator.js'))};
import { parseIpamConfig } from ${JSON.stringify(DIST('ipam/config.js'))};
import { formatIP } from ${JSON.stringify(DIST('ipam/ip.js'))};
const [url, who, count] = process.argv.slice(2);
const cfg = parseIpamConfig({ ipam: { subnet: '10.20.0.0/20' } }, '1.1.0');
const store = await RedisIpamStore.open(url, 'testnet', { lockTimeoutMs: 60000 });
const got = [];
for (let i = 0; i < Number(count); i++) {
  const [a] = await allocateAll(store, cfg.rangeSets, { containerId: who + '-' + i, ifname: 'eth0' });
  got.push(formatIP(a.ip));
}
await store.close();
process.stdout.write(JSON.stringify(got));
`,
    );
    const run = (who: string) =>
      new Promise<string[]>((resolve, reject) => {
        const child = spawn(process.execPath, [script, u, who, '500'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d));
        child.stderr.on('data', (d: Buffer) => (err += d));
        child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(err))));
      });
    const [a, b] = await Promise.all([run('a'), run('b')]);
    expect(a).toHaveLength(500);
    expect(b).toHaveLength(500);
    const all = [...a, ...b];
    expect(new Set(all).size).toBe(1000);
    const store = track(await RedisIpamStore.open(u, 'testnet'));
    const held = await store.list();
    expect(held).toHaveLength(1000);
    expect(new Set(held.map((h) => h.ip))).toEqual(new Set(all));
    expect(held.filter((h) => h.owner?.containerId.startsWith('a-'))).toHaveLength(500);
  }, 120_000);

  test('the CNI plugin takes its pool from ipam.dataStore: ADD, CHECK, DEL across "hosts"', async () => {
    const u = url();
    const conf = (dataDir: string) =>
      JSON.stringify({
        cniVersion: '1.1.0',
        name: 'testnet',
        type: 'bridge',
        ipam: { type: 'kubeplane-ipam', dataDir, dataStore: u, subnet: '10.30.0.0/29' },
      });
    // Two data dirs (two hosts) that never get used: the pool is in Redis.
    const hostA = conf(join(redis.dir, 'host-a'));
    const hostB = conf(join(redis.dir, 'host-b'));
    const a = runPlugin(envFor('ADD', 'ca'), hostA);
    expect(a.status, a.stdout).toBe(0);
    const b = runPlugin(envFor('ADD', 'cb'), hostB);
    expect(b.status, b.stdout).toBe(0);
    const ipOf = (r: typeof a) => (r.json!.ips as { address: string }[])[0]!.address;
    expect(ipOf(a)).toBe('10.30.0.2/29');
    expect(ipOf(b)).toBe('10.30.0.3/29');
    expect(runPlugin(envFor('CHECK', 'ca'), hostB).status).toBe(0);
    expect(runPlugin(envFor('DEL', 'ca'), hostB).status).toBe(0);
    expect(runPlugin(envFor('CHECK', 'ca'), hostA).status).toBe(1);
    const admin = new Redis({ port: redis.port, host: '127.0.0.1', lazyConnect: true });
    await admin.connect();
    expect(await admin.hgetall(`{kubeplane-ipam:ipam${n}:testnet}:ips`)).toEqual({ '10.30.0.3': 'cb\r\neth0' });
    admin.disconnect();
  });

  test('a pool nobody serves: the plugin answers a CNI error naming the URL, not a crash', async () => {
    const port = await freePort();
    const r = runPlugin(
      envFor('ADD', 'cx'),
      JSON.stringify({
        cniVersion: '1.1.0',
        name: 'testnet',
        ipam: { type: 'kubeplane-ipam', dataStore: `redis://127.0.0.1:${port}/0`, subnet: '10.30.0.0/29' },
      }),
    );
    expect(r.status).toBe(1);
    expect(r.json?.msg).toContain(`cannot reach Redis at redis://127.0.0.1:${port}/0 (ECONNREFUSED)`);
    const bad = runPlugin(
      envFor('ADD', 'cx'),
      JSON.stringify({
        cniVersion: '1.1.0',
        name: 'testnet',
        ipam: { dataStore: 'mysql://x', subnet: '10.30.0.0/29' },
      }),
    );
    expect(bad.status).toBe(1);
    expect(bad.json?.code).toBe(7);
    expect(bad.json?.msg).toContain('ipam.dataStore');
  });
});
