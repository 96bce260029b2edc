#!/usr/bin/env node
// Redis store benchmark: loading a 10k-service cluster (generate --services 10000 --endpoints 10
// --nodes 50 --seed 1) into a RedisClusterStore (one atomic replace) and reading it back (snapshot),
// each against the MemoryClusterStore doing the same in the same run; and watch-delivery latency
// (from the upsert call to the event at N watchers on their own connections) for 1 and 20 watchers.
//
//   npm run build && node bench/redis.mjs [--rounds 5] [--changes 200] [--json bench/results/redis.json]
//
// Bounded: a fixed number of rounds and changes; the redis-server it starts is killed at the end.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;
const { generateCluster } = await import(dist('cluster/generate.js'));
const { MemoryClusterStore } = await import(dist('cluster/memory-store.js'));
const { RedisClusterStore } = await import(dist('cluster/redis-store.js'));

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    changes: { type: 'string', default: '200' },
    json: { type: 'string' },
  },
});
const ROUNDS = Math.min(20, Number(args.rounds));
const CHANGES = Math.min(2000, Number(args.changes));

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const dir = mkdtempSync(join(tmpdir(), 'kubeplane-redis-bench-'));
const server = spawn(
  'redis-server',
  ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
  {
    stdio: ['ignore', 'pipe', 'ignore'],
  },
);
process.on('exit', () => {
  if (server.exitCode === null) server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
await new Promise((resolve) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    if (out.includes('Ready to accept connections')) resolve();
  });
});
const url = `redis://127.0.0.1:${port}/0`;
const loadStart = os.loadavg()[0];

const objects = generateCluster({ services: 10000, endpoints: 10, nodes: 50, seed: 1 });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const time = async (fn) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

// Store load and snapshot: warm-up round, then ROUNDS alternating memory / redis, each into a fresh store.
const load = { memory: [], redis: [] };
const snap = { memory: [], redis: [] };
for (let r = -1; r < ROUNDS; r++) {
  const mem = new MemoryClusterStore();
  const ml = await time(() => mem.replace(objects));
  const ms = await time(() => mem.snapshot());
  const red = await RedisClusterStore.open(`${url}?prefix=load${r + 1}`);
  const rl = await time(() => red.replace(objects));
  const rs = await time(() => red.snapshot());
  await red.close();
  if (r >= 0) {
    load.memory.push(ml);
    load.redis.push(rl);
    snap.memory.push(ms);
    snap.redis.push(rs);
  }
}

// Watch delivery: CHANGES upserts one after another; latency to the last of N watchers.
async function delivery(watchers) {
  const writer = await RedisClusterStore.open(`${url}?prefix=watch${watchers}`);
  const readers = [];
  const pending = new Map();
  for (let i = 0; i < watchers; i++) {
    const s = await RedisClusterStore.open(`${url}?prefix=watch${watchers}`);
    readers.push(s);
    await s.watch((e) => {
      const p = pending.get(e.resourceVersion);
      if (p && --p.left === 0) p.done(performance.now() - p.start);
    });
  }
  const svc = objects.find((o) => o.kind === 'Service');
  const lat = [];
  for (let i = 0; i < CHANGES + 20; i++) {
    const start = performance.now();
    const got = new Promise((done) => {
      // The resourceVersion is known only when the upsert returns; key by the next one.
      pending.set(i + 1, { left: watchers, start, done });
    });
    await writer.upsert([{ ...svc, metadata: { ...svc.metadata, labels: { round: String(i) } } }]);
    const ms = await got;
    if (i >= 20) lat.push(ms);
  }
  for (const s of [writer, ...readers]) await s.close();
  return {
    watchers,
    changes: CHANGES,
    p50Ms: +pct(lat, 50).toFixed(3),
    p99Ms: +pct(lat, 99).toFixed(3),
    maxMs: +Math.max(...lat).toFixed(3),
  };
}
const watch = [await delivery(1), await delivery(20)];

const result = {
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, platform: os.platform(), kernel: os.release() },
  loadAverage: { start: loadStart, end: os.loadavg()[0] },
  node: process.version,
  date: new Date().toISOString(),
  cluster: { services: 10000, endpointsPerService: 10, nodes: 50, seed: 1, objects: objects.length },
  rounds: ROUNDS,
  storeLoad: {
    memoryMedianMs: +median(load.memory).toFixed(1),
    redisMedianMs: +median(load.redis).toFixed(1),
    redisOverMemory: +(median(load.redis) / median(load.memory)).toFixed(1),
  },
  snapshot: {
    memoryMedianMs: +median(snap.memory).toFixed(2),
    redisMedianMs: +median(snap.redis).toFixed(1),
    redisOverMemory: +(median(snap.redis) / median(snap.memory)).toFixed(1),
  },
  watchDelivery: watch,
};
const text = `${JSON.stringify(result, null, 2)}\n`;
if (args.json) writeFileSync(args.json, text);
process.stdout.write(text);
process.exit(0);
