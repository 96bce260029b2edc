// Scheduling decisions per second of the IPVS emulator: 1M connections over a 10k-service table
// (10 real servers each), per scheduler, warm-up + repeats, medians. Run after a build:
//   node bench/ipvs.mjs [--json bench/results/ipvs-scheduler.json]
import { writeFileSync } from 'node:fs';
import { IpvsEmulator } from '../dist/dataplane/ipvs/emulate.js';
import { parseIpvsadmSave } from '../dist/dataplane/ipvs/table.js';

const SERVICES = 10_000;
const DESTS = 10;
const CONNECTIONS = 1_000_000;
const REPEAT = 5;

function tableText(scheduler) {
  const lines = [];
  for (let s = 0; s < SERVICES; s++) {
    const vip = `10.96.${s >> 8}.${s & 255}`;
    lines.push(`-A -t ${vip}:80 -s ${scheduler}${s % 10 === 0 ? ' -p 10800' : ''}`);
    for (let d = 0; d < DESTS; d++)
      lines.push(`-a -t ${vip}:80 -r 10.${(s >> 8) & 255}.${s & 255}.${d + 1}:8080 -m -w ${1 + (d % 3)}`);
  }
  return lines.join('\n');
}

/** A fixed pseudo-random stream (xorshift32), so every scheduler sees the same connections. */
function connections() {
  let x = 2463534242;
  const rand = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  const out = new Array(CONNECTIONS);
  let t = 0;
  for (let i = 0; i < CONNECTIONS; i++) {
    t += (rand() % 1000) / 1e6;
    const s = rand() % SERVICES;
    const c = rand();
    out[i] = {
      service: `-t 10.96.${s >> 8}.${s & 255}:80`,
      client: { address: `172.16.${(c >>> 8) & 255}.${c & 255}`, port: 1024 + ((c >>> 16) % 60000) },
      start: t,
      end: t + (rand() % 30000) / 1000,
    };
  }
  return out;
}

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const conns = connections();
const results = [];
for (const scheduler of ['rr', 'wrr', 'lc', 'wlc', 'sh']) {
  const table = parseIpvsadmSave(tableText(scheduler));
  const times = [];
  for (let r = 0; r < REPEAT + 1; r++) {
    const e = new IpvsEmulator(table);
    const t0 = performance.now();
    for (let i = 0; i < conns.length; i++) e.connect(conns[i]);
    const ms = performance.now() - t0;
    if (r > 0) times.push(ms); // the first run is the warm-up
  }
  const ms = median(times);
  results.push({
    scheduler,
    services: SERVICES,
    destinations: DESTS,
    connections: CONNECTIONS,
    msMedian: Number(ms.toFixed(1)),
    decisionsPerSecond: Math.round(CONNECTIONS / (ms / 1000)),
  });
  console.log(
    `${scheduler.padEnd(4)} ${CONNECTIONS} connections over ${SERVICES} services: ${ms.toFixed(1)} ms (${Math.round(CONNECTIONS / (ms / 1000))} decisions/s)`,
  );
}
const k = process.argv.indexOf('--json');
if (k > 0)
  writeFileSync(
    process.argv[k + 1],
    `${JSON.stringify({ node: process.version, date: new Date().toISOString(), repeat: REPEAT, warmup: 1, results }, null, 2)}\n`,
  );
