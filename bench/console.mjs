// The web console on a 10k-service generated cluster, against a 100-service one in the same run:
// first paint and ready time of the page in headless Chromium, time for a search to show its row,
// and the /api/services latency. Build first (npm run build), then:
//   node bench/console.mjs [repeats] > bench/results/console.json
// Both consoles run in this process (dist/ui/server.js over a MemoryClusterStore holding
// generateCluster objects, as `kubeplane ui -f` would hold them). The sizes are measured
// interleaved (100, 10k, 100, 10k, ...) after one warm-up each, so drift on the shared machine
// cancels; medians are reported with every run. Nothing here is asserted by the tests.
import { cpus, loadavg } from 'node:os';
import { chromium } from 'playwright-core';
import { loadMode } from '../dist/cli/modes.js';
import { generateCluster } from '../dist/cluster/generate.js';
import { MemoryClusterStore } from '../dist/cluster/memory-store.js';
import { startConsole } from '../dist/ui/server.js';

const repeats = Number(process.argv[2] ?? 5);
const CHROMIUM = process.env.KUBEPLANE_CHROMIUM ?? '/usr/bin/chromium';
const SIZES = [100, 10_000];
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const round = (x) => Math.round(x * 10) / 10;

async function startSized(services) {
  const objects = generateCluster({ services, endpoints: 10, nodes: 3, seed: 1, mixed: true });
  const store = new MemoryClusterStore(objects);
  const t0 = performance.now();
  const running = await startConsole(store, { host: '127.0.0.1', port: 0, follow: false, loadMode, node: 'node-0' });
  const startMs = performance.now() - t0;
  // The first Services request builds the view's proxy state: the cold cost, reported apart.
  const t1 = performance.now();
  const first = await fetch(new URL('/api/services', running.url)).then((r) => r.json());
  const coldServicesMs = performance.now() - t1;
  return { services, objects: objects.length, store, running, startMs, coldServicesMs, total: first.total };
}

/** /api/services as the page first asks for it (no query, the first 200 rows). */
async function servicesLatency(url) {
  const t0 = performance.now();
  const body = await fetch(new URL('/api/services', url)).then((r) => r.json());
  const ms = performance.now() - t0;
  if (body.services.length === 0) throw new Error('no services');
  return ms;
}

/** A fresh page: first contentful paint, and when the Services table is filled (data-ready). */
async function pageLoad(browser, url) {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  const t = await page.evaluate(() => ({
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
    ready: performance.now(),
  }));
  const rows = await page.locator('#svc-table tbody tr').count();
  return { page, firstPaintMs: t.fcp, readyMs: t.ready, rows };
}

/** Typing one Service's "ns/name" until its row alone is shown (includes the page's 120 ms debounce). */
async function search(page, key) {
  await page.fill('#svc-q', '');
  await page.waitForFunction(() => document.querySelectorAll('#svc-table tbody tr').length > 1);
  const t0 = performance.now();
  await page.fill('#svc-q', key);
  await page.waitForFunction(
    (k) => {
      const rows = document.querySelectorAll('#svc-table tbody tr');
      return rows.length === 1 && rows[0].getAttribute('data-service') === k;
    },
    key,
    { timeout: 60_000 },
  );
  return performance.now() - t0;
}

// A Service of each size that matches one row only: ns-7/svc-57 (100), ns-7/svc-4207 (10k).
const KEY = { 100: 'ns-7/svc-57', 10000: 'ns-7/svc-4207' };

const consoles = [];
for (const n of SIZES) consoles.push(await startSized(n));
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
});
const runs = Object.fromEntries(SIZES.map((n) => [n, { api: [], firstPaint: [], ready: [], search: [], rows: 0 }]));
for (let i = -1; i < repeats; i++) {
  for (const c of consoles) {
    const api = await servicesLatency(c.running.url);
    const load = await pageLoad(browser, c.running.url);
    const s = await search(load.page, KEY[c.services]);
    await load.page.close();
    if (i < 0) continue; // warm-up
    const r = runs[c.services];
    r.api.push(api);
    r.firstPaint.push(load.firstPaintMs);
    r.ready.push(load.readyMs);
    r.search.push(s);
    r.rows = load.rows;
  }
}
await browser.close();

const summary = (xs) => ({ medianMs: round(median(xs)), runsMs: xs.map(round) });
const sizes = {};
for (const c of consoles) {
  const r = runs[c.services];
  sizes[c.services] = {
    services: c.total,
    objects: c.objects,
    consoleStartMs: round(c.startMs),
    coldServicesMs: round(c.coldServicesMs),
    rowsShown: r.rows,
    apiServices: summary(r.api),
    firstPaint: summary(r.firstPaint),
    ready: summary(r.ready),
    search: summary(r.search),
  };
  await c.running.close();
  await c.store.close();
}
const [small, large] = SIZES.map((n) => sizes[n]);
const ratio = (k) => round(large[k].medianMs / small[k].medianMs);
process.stdout.write(
  `${JSON.stringify(
    {
      command: `node bench/console.mjs ${process.argv.slice(2).join(' ')}`.trim(),
      machine: {
        node: process.version,
        cpus: cpus().length,
        loadavg: loadavg().map(round),
        note: 'shared with 3 other helpers and the lead: noisy; sizes interleaved so drift cancels',
      },
      repeats,
      generated: 'generateCluster({ endpoints: 10, nodes: 3, seed: 1, mixed: true }), node node-0',
      baseline: '100 services, same run',
      sizes,
      ratio10kOver100: {
        apiServices: ratio('apiServices'),
        firstPaint: ratio('firstPaint'),
        ready: ratio('ready'),
        search: ratio('search'),
      },
    },
    null,
    2,
  )}\n`,
);
