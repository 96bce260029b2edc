#!/usr/bin/env node
// DNS benchmark: queries/s and p99 latency with dnsperf on loopback for a 10k-service zone, for
// kubeplane's server, dnsmasq serving the same A records, and a bare Node dgram socket answering a
// fixed record (the Node ceiling) — all in one run. Plus two in-process figures: encoding a
// 100-record headless answer, and applying one Service change to a 10k-service zone index.
//
//   npm run build && node bench/dns.mjs [--services 10000] [--seconds 10] [--rounds 3] [--json bench/results/dns.json]
//
// Bounded: each dnsperf run stops after --seconds; every child process is killed at the end.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;
const { generateCluster } = await import(dist('cluster/generate.js'));
const { ZoneIndex } = await import(dist('dns/index.js'));
const { encodeReply } = await import(dist('dns/wire/encode.js'));

const { values: args } = parseArgs({
  options: {
    services: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '10' },
    clients: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    json: { type: 'string' },
  },
});
const SERVICES = Number(args.services);
const SECONDS = Math.min(60, Number(args.seconds));
const ROUNDS = Math.min(10, Number(args.rounds));
const dir = mkdtempSync(join(tmpdir(), 'kubeplane-dns-bench-'));
const children = [];
// Even if the bench itself fails, leave no server or dnsperf behind.
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

async function freePort() {
  const s = dgram.createSocket('udp4');
  await new Promise((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

function start(cmd, argv, readyPattern) {
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start: ${out}`)), 30_000);
    const onData = (d) => {
      out += d;
      if (readyPattern.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${cmd} exited ${code}: ${out}`)));
  });
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

/**
 * One bounded dnsperf run. Plain: qps from its summary. Verbose (-v): also p50/p99 from the
 * per-query latencies it prints (printing slows dnsperf, so qps is taken from a plain run).
 */
function dnsperf(port, queries, verbose, seconds = SECONDS) {
  return new Promise((resolve, reject) => {
    const argv = [
      '-s',
      '127.0.0.1',
      '-p',
      String(port),
      '-d',
      queries,
      '-l',
      String(seconds),
      '-c',
      args.clients,
      '-q',
      '200',
    ];
    const child = spawn('dnsperf', verbose ? [...argv, '-v'] : argv);
    children.push(child);
    const lat = [];
    let tail = '';
    let summary = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      const text = tail + chunk;
      const lines = text.split('\n');
      tail = lines.pop();
      for (const l of lines) {
        if (l.startsWith('> ')) {
          const ms = Number(l.slice(l.lastIndexOf(' ') + 1));
          if (Number.isFinite(ms)) lat.push(ms);
        } else summary += `${l}\n`;
      }
    });
    child.on('error', reject);
    child.on('exit', () => {
      summary += tail;
      const qps = Number(/Queries per second:\s+([\d.]+)/.exec(summary)?.[1] ?? Number.NaN);
      const lost = /Queries lost:\s+(\d+)/.exec(summary)?.[1];
      const codes = /Response codes:\s+(.*)/.exec(summary)?.[1];
      lat.sort((a, b) => a - b);
      const pct = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] * 1000 : Number.NaN);
      const latency = verbose ? { p50Ms: +pct(0.5).toFixed(3), p99Ms: +pct(0.99).toFixed(3), samples: lat.length } : {};
      resolve({ qps: Math.round(qps), ...latency, lost: Number(lost), responseCodes: codes });
    });
  });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeMs(fn, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    fn(i);
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(out);
}

try {
  const objects = generateCluster({ services: SERVICES, endpoints: 2, nodes: 20, seed: 1 });
  const services = objects.filter((o) => o.kind === 'Service');
  writeFileSync(join(dir, 'cluster.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  const names = services.map((s) => `${s.metadata.name}.${s.metadata.namespace}.svc.cluster.local`);
  writeFileSync(join(dir, 'queries.txt'), names.map((n) => `${n} A\n`).join(''));
  writeFileSync(join(dir, 'hosts'), services.map((s, i) => `${s.spec.clusterIP} ${names[i]}\n`).join(''));
  const queries = join(dir, 'queries.txt');

  const servers = {
    kubeplane: async (port) =>
      start(
        process.execPath,
        [
          join(root, 'dist/cli/main.js'),
          'dns',
          'serve',
          '-f',
          join(dir, 'cluster.json'),
          '--listen',
          `127.0.0.1:${port}`,
        ],
        /serving/,
      ),
    dnsmasq: async (port) =>
      start(
        'dnsmasq',
        [
          '-k',
          '--conf-file=/dev/null',
          `--port=${port}`,
          '--listen-address=127.0.0.1',
          '--bind-interfaces',
          '--no-resolv',
          '--no-hosts',
          `--addn-hosts=${join(dir, 'hosts')}`,
          '--local-ttl=5',
          '--pid-file=',
          '--user=root',
          '--log-facility=-',
        ],
        /started|read/,
      ),
    'bare-node-socket': async (port) =>
      start(process.execPath, [join(root, 'bench/dns-bare-socket.mjs'), String(port)], /ready/),
  };
  // All three run side by side; rounds alternate between them so load from elsewhere on the
  // machine hits each alike, and each server's figure is the median of its rounds.
  const running = {};
  for (const [name, launch] of Object.entries(servers)) {
    const port = await freePort();
    running[name] = { port, child: await launch(port) };
  }
  await new Promise((r) => setTimeout(r, 500));
  // Warm-up, not recorded: one short pass each (JIT, first pass over every name).
  for (const name of Object.keys(servers)) await dnsperf(running[name].port, queries, false, 3);
  const rounds = Object.fromEntries(Object.keys(servers).map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of Object.keys(servers)) {
      const r = await dnsperf(running[name].port, queries, false);
      rounds[name].push(r);
      process.stderr.write(`round ${round + 1} ${name}: ${r.qps} q/s\n`);
    }
  }
  const results = {};
  for (const name of Object.keys(servers)) {
    const latencyRun = await dnsperf(running[name].port, queries, true);
    results[name] = {
      qps: median(rounds[name].map((r) => r.qps)),
      rounds: rounds[name].map((r) => r.qps),
      lost: rounds[name].reduce((n, r) => n + r.lost, 0),
      responseCodes: rounds[name].at(-1).responseCodes,
      latencyRun,
    };
    process.stderr.write(`${name}: median ${results[name].qps} q/s; p99 ${latencyRun.p99Ms} ms (verbose run)\n`);
  }
  for (const { child } of Object.values(running)) await stop(child);

  // In process: a 100-record headless answer, encoded with compression.
  const answer = Array.from({ length: 100 }, (_, i) => ({
    name: 'db.prod.svc.cluster.local',
    type: 1,
    ttl: 5,
    data: `10.244.${i >> 8}.${i & 255}`,
  }));
  const reply = {
    id: 1,
    opcode: 0,
    rcode: 0,
    aa: true,
    rd: true,
    cd: false,
    question: { name: 'db.prod.svc.cluster.local', type: 1, class: 1 },
    answer,
    authority: [],
    additional: [],
    opt: undefined,
  };
  for (let i = 0; i < 2000; i++) encodeReply(reply);
  const encodeMs = timeMs(() => encodeReply(reply), 5000);

  // In process: one Service change applied to a 10k-service index (incremental, no rebuild).
  const index = new ZoneIndex(objects);
  const svc = services[0];
  const updateMs = timeMs(
    (i) =>
      index.apply({
        type: 'MODIFIED',
        resourceVersion: i + 2,
        object: { ...svc, spec: { ...svc.spec, ports: [{ name: `p${i % 7}`, port: 80 + (i % 7), protocol: 'TCP' }] } },
      }),
    2000,
  );

  const ours = results.kubeplane.qps;
  const summary = {
    date: new Date().toISOString(),
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    command: `node bench/dns.mjs --services ${SERVICES} --seconds ${SECONDS} --clients ${args.clients} --rounds ${ROUNDS}`,
    zone: { services: SERVICES, endpointsPerService: 2 },
    dnsperf: {
      seconds: SECONDS,
      rounds: ROUNDS,
      clients: Number(args.clients),
      maxOutstanding: 200,
      queries: 'every service name, type A (plain runs for q/s; one verbose -v run per server for p50/p99)',
      loadAverageAtEnd: (await import('node:os')).loadavg()[0],
    },
    servers: results,
    ratios: {
      kubeplaneToDnsmasq: +(ours / results.dnsmasq.qps).toFixed(3),
      kubeplaneToBareNode: +(ours / results['bare-node-socket'].qps).toFixed(3),
    },
    encode100RecordHeadlessMs: +encodeMs.toFixed(4),
    zoneUpdateOneServiceAt10kMs: +updateMs.toFixed(4),
    targets: {
      qps: '>= 40000 and >= 0.5 x dnsmasq',
      encode100RecordHeadlessMs: '< 0.1',
      zoneUpdateOneServiceAt10kMs: '< 1',
    },
  };
  const text = `${JSON.stringify(summary, null, 2)}\n`;
  if (args.json) writeFileSync(args.json, text);
  process.stdout.write(text);
} finally {
  await Promise.all(children.map(stop));
  rmSync(dir, { recursive: true, force: true });
}
