#!/usr/bin/env node
// Network-programming latency of `kubeplane serve`: from a write to the store (the upsert call) to
// the moment every emulated node has logged a sync that includes it, through one real redis-server
// on a loopback port. The cluster is generate --services 10000 --endpoints 10 --nodes 100 --seed 1,
// loaded with one atomic replace (its load time is measured too). Runs, back to back:
//   baseline: 1 node in 1 agent process;  full: N nodes split over P agent processes;  baseline again.
// Each run makes the same number of changes, spaced past minSyncPeriod (1 s, kube-proxy's default),
// alternating a new Service and an EndpointSlice edit (an endpoint's ready flag flipped).
//
//   npm run build && node bench/serve-latency.mjs [--nodes 100] [--procs 4] [--services 10000]
//     [--changes 50] [--spacing-ms 1500] [--json bench/results/serve-latency.json]
//
// Latency is taken when the bench reads the agent's log line (stderr pipe), so it includes the
// pipe: an upper bound. Bounded: fixed changes, a timeout per wait; every process it starts is
// killed at the end.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;
const CLI = new URL('../dist/cli/main.js', import.meta.url).pathname;
const { generateCluster } = await import(dist('cluster/generate.js'));
const { RedisClusterStore } = await import(dist('cluster/redis-store.js'));

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '100' },
    procs: { type: 'string', default: '4' },
    services: { type: 'string', default: '10000' },
    changes: { type: 'string', default: '50' },
    'spacing-ms': { type: 'string', default: '1500' },
    mode: { type: 'string', default: 'iptables' },
    heap: { type: 'string', default: '4096' },
    json: { type: 'string' },
  },
});
const NODES = Math.min(1000, Number(args.nodes));
const PROCS = Math.min(16, Number(args.procs));
const SERVICES = Math.min(20000, Number(args.services));
const CHANGES = Math.min(500, Number(args.changes));
const SPACING = Math.max(1100, Number(args['spacing-ms']));
const WAIT_MS = 120_000;
const START_MS = 900_000;

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const median = (xs) => pct(xs, 50);
const children = new Set();

const dir = mkdtempSync(join(tmpdir(), 'kubeplane-serve-bench-'));
const port = await freePort();
const redis = spawn(
  'redis-server',
  ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
  { stdio: ['ignore', 'pipe', 'ignore'] },
);
children.add(redis);
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
await new Promise((resolve) => {
  let out = '';
  redis.stdout.on('data', (d) => {
    out += d;
    if (out.includes('Ready to accept connections')) resolve();
  });
});
const url = `redis://127.0.0.1:${port}/0?prefix=lat`;
const loadStart = os.loadavg();

const objects = generateCluster({ services: SERVICES, endpoints: 10, nodes: NODES, seed: 1 });
const store = await RedisClusterStore.open(url);
const t = performance.now();
await store.replace(objects);
const loadMs = performance.now() - t;
process.stderr.write(`loaded ${objects.length} objects in ${loadMs.toFixed(0)} ms\n`);

const slices = objects.filter((o) => o.kind === 'EndpointSlice');
const nodeNames = objects.filter((o) => o.kind === 'Node').map((n) => n.metadata.name);
let changeNo = 0;
/** The next change: a new Service, or an existing slice with its first endpoint's ready flipped. */
function nextChange() {
  const i = changeNo++;
  if (i % 2 === 0)
    return {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `bench-${i}`, namespace: 'default' },
      spec: {
        clusterIP: `10.97.${(i >> 8) & 255}.${i & 255}`,
        ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      },
    };
  const s = slices[(i * 7919) % slices.length];
  const [first, ...rest] = s.endpoints;
  const ready = first.conditions?.ready !== false;
  const edited = { ...s, endpoints: [{ ...first, conditions: { ...first.conditions, ready: !ready } }, ...rest] };
  slices[(i * 7919) % slices.length] = edited;
  return edited;
}

function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

async function run(label, nodes, procs) {
  process.stderr.write(`run ${label}: ${nodes.length} node(s) in ${procs} process(es)\n`);
  /** node -> [{ rv, at, full, durationMs }] */
  const syncs = new Map(nodes.map((n) => [n, []]));
  const started = Date.now();
  const agents = [];
  for (let p = 0; p < procs; p++) {
    const mine = nodes.filter((_, i) => i % procs === p);
    if (mine.length === 0) continue;
    const child = spawn(
      process.execPath,
      [
        `--max-old-space-size=${args.heap}`,
        CLI,
        'serve',
        '--store',
        url,
        '--mode',
        args.mode,
        '--metrics-listen',
        '127.0.0.1:0',
        '--min-sync-period',
        '1s',
        // Longer than a run: the periodic full syncs stay out of the measured window.
        '--sync-period',
        '60m',
        ...mine.flatMap((n) => ['--node', n]),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    children.add(child);
    let buf = '';
    let tail = '';
    child.stderr.on('data', (d) => {
      const at = Date.now();
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop();
      for (const l of lines) {
        tail = `${tail}\n${l}`.slice(-2000);
        if (!l.startsWith('{')) continue;
        const r = JSON.parse(l);
        if (r.msg === 'synced')
          syncs.get(r.node)?.push({ rv: r.resourceVersion, at, full: r.full, durationMs: r.durationMs });
      }
    });
    const exited = new Promise((resolve) => child.on('close', resolve));
    agents.push({ child, exited, tail: () => tail });
  }
  const waitFor = async (ok, what, limit) => {
    const end = Date.now() + limit;
    while (!ok()) {
      if (Date.now() > end)
        throw new Error(`${label}: timed out waiting for ${what}\n${agents.map((a) => a.tail()).join('\n---\n')}`);
      for (const a of agents)
        if (a.child.exitCode !== null) throw new Error(`${label}: an agent exited (${a.child.exitCode})\n${a.tail()}`);
      await sleep(5);
    }
  };
  await waitFor(() => nodes.every((n) => syncs.get(n).length > 0), 'every first sync', START_MS);
  const startupMs = Date.now() - started;
  const firstSyncMs = nodes.map((n) => syncs.get(n)[0].durationMs);
  const rss = agents.map((a) => rssMiB(a.child.pid));
  process.stderr.write(`  all nodes synced in ${startupMs} ms; rss MiB ${rss.join(', ')}\n`);
  const latencies = [];
  const perNode = [];
  const partialMs = [];
  for (let i = 0; i < CHANGES; i++) {
    await sleep(SPACING);
    const change = nextChange();
    const t0 = Date.now();
    const rv = await store.upsert([change]);
    const hit = (n) => syncs.get(n).find((s) => s.rv >= rv);
    await waitFor(() => nodes.every(hit), `change ${i} (rv ${rv}) on every node`, WAIT_MS);
    const ats = nodes.map((n) => hit(n).at - t0);
    latencies.push(Math.max(...ats));
    perNode.push(...ats);
    for (const n of nodes) partialMs.push(hit(n).durationMs);
  }
  const rssAfter = agents.map((a) => rssMiB(a.child.pid));
  for (const a of agents) a.child.kill('SIGTERM');
  for (const a of agents) await a.exited;
  const result = {
    label,
    nodes: nodes.length,
    processes: agents.length,
    startupAllNodesSyncedMs: startupMs,
    firstFullSyncMsPerNode: { median: median(firstSyncMs), max: Math.max(...firstSyncMs) },
    rssMiBPerProcess: { afterStart: rss, afterChanges: rssAfter },
    changes: CHANGES,
    allNodesLatencyMs: { p50: median(latencies), p99: pct(latencies, 99), max: Math.max(...latencies) },
    perNodeLatencyMs: { p50: median(perNode), p99: pct(perNode, 99) },
    syncDurationMsOfTheChange: { median: median(partialMs), p99: pct(partialMs, 99) },
  };
  process.stderr.write(`  ${JSON.stringify(result.allNodesLatencyMs)}\n`);
  return result;
}

const all = nodeNames.slice(0, NODES);
const runs = [];
runs.push(await run('baseline-1-node', [all[0]], 1));
runs.push(await run(`${NODES}-nodes`, all, PROCS));
runs.push(await run('baseline-1-node-again', [all[0]], 1));
await store.close();

const base = median([runs[0].allNodesLatencyMs.p50, runs[2].allNodesLatencyMs.p50]);
const baseP99 = Math.max(runs[0].allNodesLatencyMs.p99, runs[2].allNodesLatencyMs.p99);
const out = {
  bench: 'serve-latency',
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, loadavgAtStart: loadStart, loadavgAtEnd: os.loadavg(), shared: true },
  cluster: { services: SERVICES, endpointsPerService: 10, nodes: NODES, seed: 1, objects: objects.length },
  mode: args.mode,
  minSyncPeriod: '1s',
  spacingMs: SPACING,
  storeLoadMs: Math.round(loadMs),
  runs,
  ratio: {
    p50NodesVsBaseline: runs[1].allNodesLatencyMs.p50 / base,
    p99NodesVsBaseline: runs[1].allNodesLatencyMs.p99 / baseP99,
  },
  aim: { p99UnderMs: 2000, met: runs[1].allNodesLatencyMs.p99 < 2000 },
};
const text = `${JSON.stringify(out, null, 2)}\n`;
if (args.json) writeFileSync(args.json, text);
process.stdout.write(text);
process.exit(0);
