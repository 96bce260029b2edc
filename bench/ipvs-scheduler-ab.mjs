// A/B of two builds of the IPVS scheduler emulator in one process, interleaved run by run:
// 1M connections over a 10k-service table (10 real servers each), per scheduler, medians.
//   node bench/ipvs-scheduler-ab.mjs A_DIR B_DIR [--json OUT]
// where each DIR holds dataplane/ipvs/{emulate,table}.js (e.g. a dist/ of each commit).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const [dirA, dirB] = process.argv.slice(2, 4).map((d) => resolve(d));
const load = async (d) => ({
  IpvsEmulator: (await import(`${d}/dataplane/ipvs/emulate.js`)).IpvsEmulator,
  parse: (await import(`${d}/dataplane/ipvs/table.js`)).parseIpvsadmSave,
});
const A = await load(dirA);
const B = await load(dirB);
const SERVICES = 10_000;
const DESTS = 10;
const CONNECTIONS = Number(process.env.AB_CONNECTIONS ?? 1_000_000);
const REPEAT = 3;

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
const run = (impl, table) => {
  const e = new impl.IpvsEmulator(table);
  const t0 = performance.now();
  for (let i = 0; i < conns.length; i++) e.connect(conns[i]);
  return performance.now() - t0;
};
const results = [];
for (const scheduler of ['rr', 'wrr', 'lc', 'wlc', 'sh']) {
  const ta = A.parse(tableText(scheduler));
  const tb = B.parse(tableText(scheduler));
  run(A, ta); // warm-up (also flattens the connection strings for both)
  run(B, tb);
  const a = [];
  const b = [];
  for (let r = 0; r < REPEAT; r++) {
    a.push(run(A, ta));
    b.push(run(B, tb));
  }
  const row = {
    scheduler,
    connections: CONNECTIONS,
    services: SERVICES,
    destinations: DESTS,
    msMedianA: Number(median(a).toFixed(1)),
    msMedianB: Number(median(b).toFixed(1)),
    ratioAoverB: Number((median(a) / median(b)).toFixed(2)),
  };
  results.push(row);
  console.log(JSON.stringify(row));
}
const k = process.argv.indexOf('--json');
if (k > 0)
  writeFileSync(
    process.argv[k + 1],
    `${JSON.stringify({ node: process.version, date: new Date().toISOString(), a: dirA, b: dirB, repeat: REPEAT, warmup: 1, note: 'shared 2-core machine, load average above 10 during the run: absolute figures are noisy, the ratio is what counts', results }, null, 2)}\n`,
  );
