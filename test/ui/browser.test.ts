// The console in headless Chromium (Debian's chromium, driven by playwright-core): load the page,
// search a Service, open its rules in every mode, run a trace and read the drawn path and chart,
// resolve a name, and see a store change arrive. Screenshots go to docs/ (the README shows them).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { EndpointSlice } from '../../src/cluster/types.js';
import { CHROMIUM, describeBrowser } from '../support/env.js';
import { startTestConsole, type TestConsole } from './support.js';

const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));

describeBrowser('the console in headless chromium', () => {
  let c: TestConsole;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;

  beforeAll(async () => {
    c = await startTestConsole();
    profile = mkdtempSync(join(tmpdir(), 'kubeplane-chromium-'));
    // A fresh profile each run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      viewport: { width: 1400, height: 900 },
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(c.console.url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  }, 60_000);

  /** Waits until the Services table shows `n` rows. */
  const rows = (n: number) =>
    expect.poll(() => page.locator('#svc-table tbody tr').count(), { timeout: 10_000 }).toBe(n);

  afterAll(async () => {
    await browser?.close();
    await c?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test('lists the Services and searches them', async () => {
    expect(await page.locator('#svc-table tbody tr').count()).toBe(15);
    await page.fill('#svc-q', 'front');
    await rows(1);
    const row = page.locator('#svc-table tbody tr');
    await expect.poll(() => row.getAttribute('data-service')).toBe('shop/frontend');
    expect(await row.textContent()).toContain('LoadBalancer');
    await page.fill('#svc-q', '');
    await rows(15);
    await page.screenshot({ path: join(DOCS, 'console-services.png') });
  });

  test("opens one Service's rules in iptables, nftables and IPVS with its lines highlighted", async () => {
    await page.fill('#svc-q', 'frontend');
    await rows(1);
    await page.click('#svc-table tbody a');
    await page.waitForSelector('#rules-cols .col[data-mode="ipvs"] .own');
    for (const mode of ['iptables', 'nftables', 'ipvs']) {
      const own = page.locator(`#payload-${mode} div.own`);
      expect(await own.count()).toBeGreaterThan(5);
    }
    expect(await page.locator('#payload-iptables div.own').allTextContents()).toContainEqual(
      expect.stringContaining('--comment "shop/frontend:http cluster IP"'),
    );
    expect(await page.locator('#payload-nftables div.own').first().textContent()).toContain('-shop/frontend/');
    // Lines that are not its own are shown, not highlighted.
    expect(await page.locator('#payload-iptables div:not(.own)').first().textContent()).not.toContain('frontend');
    await page.screenshot({ path: join(DOCS, 'console-rules.png') });
    await page.click('#explain-btn');
    await page.locator('#explain', { hasText: 'from a pod on node-a' }).waitFor();
    await page.screenshot({ path: join(DOCS, 'console-explain.png') });
  });

  test('runs a trace and draws the chain path and where 1000 connections land', async () => {
    await page.goto(`${c.console.url}#trace`);
    await page.fill('#trace-form [name=to]', '10.96.10.10:80');
    await page.fill('#trace-form [name=count]', '1000');
    await page.click('#trace-form button[type=submit]');
    await page.waitForSelector('#trace-chart rect.bar');
    expect(await page.textContent('#trace-verdict')).toMatch(/^verdict: DNAT to 10\.244\.[01]\.10:8080/);
    const chains = await page
      .locator('#trace-path g.chain')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-chain')));
    expect(chains.slice(0, 4)).toEqual([
      'nat PREROUTING',
      'nat KUBE-SERVICES',
      'nat KUBE-SVC-PY4JZH2ITZYEO4CN',
      expect.stringMatching(/^nat KUBE-SEP-(3E4MQ6QSHQXUNNPA|DNEA7RLSAO4BR5MP)$/),
    ]);
    // One box per run of steps in one chain, in the order of the API's path.
    const api = await c.get('/api/trace?mode=iptables&from=10.244.0.200&to=10.96.10.10:80&count=1000');
    const runs: string[] = [];
    for (const step of api.body.path as { table: string; chain: string }[])
      if (runs.at(-1) !== `${step.table} ${step.chain}`) runs.push(`${step.table} ${step.chain}`);
    expect(chains).toEqual(runs);
    const bars = await page
      .locator('#trace-chart rect.bar')
      .evaluateAll((rs) => rs.map((r) => [r.getAttribute('data-endpoint'), Number(r.getAttribute('width'))]));
    expect(bars.map(([k]) => k)).toEqual(['10.244.0.10:8080', '10.244.1.10:8080']);
    // Both bars near half of the 420px scale (1000 seeded connections; seed 1 is deterministic).
    for (const [, w] of bars) expect(Math.abs((w as number) - 210)).toBeLessThan(40);
    await page.screenshot({ path: join(DOCS, 'console-trace.png') });
  });

  test('traces in ipvs mode: the path passes the virtual server, the chart splits rr evenly', async () => {
    await page.goto(`${c.console.url}#trace`);
    await page.selectOption('#trace-form [name=mode]', 'ipvs');
    await page.fill('#trace-form [name=to]', '10.96.10.10:80');
    await page.fill('#trace-form [name=count]', '1000');
    await page.click('#trace-form button[type=submit]');
    await page.locator('#trace-path g.chain[data-chain="ipvs LOCAL_IN"]').waitFor();
    const chains = await page
      .locator('#trace-path g.chain')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-chain')));
    expect(chains.slice(0, 2)).toEqual(['nat PREROUTING', 'nat KUBE-SERVICES']);
    expect(chains).toContain('filter KUBE-IPVS-FILTER');
    expect(await page.textContent('#trace-steps')).toContain('virtual service -t 10.96.10.10:80 -s rr');
    const bars = await page
      .locator('#trace-chart rect.bar')
      .evaluateAll((rs) => rs.map((r) => [r.getAttribute('data-endpoint'), Number(r.getAttribute('width'))]));
    expect(bars.map(([k]) => k)).toEqual(['10.244.0.10:8080', '10.244.1.10:8080']);
    for (const [, w] of bars) expect(Math.abs((w as number) - 210)).toBeLessThan(40);
    await page.screenshot({ path: join(DOCS, 'console-trace-ipvs.png') });
    await page.selectOption('#trace-form [name=mode]', 'iptables');
  });

  test('a bad trace says why, from the 400', async () => {
    await page.fill('#trace-form [name=to]', '10.96.10.10');
    await page.click('#trace-form button[type=submit]');
    await page.locator('#trace-error', { hasText: /\S/ }).waitFor();
    expect(await page.textContent('#trace-error')).toContain('to: "10.96.10.10" must be IP:PORT');
  });

  test('resolves a name through the search list', async () => {
    await page.goto(`${c.console.url}#dns`);
    await page.fill('#dns-form [name=name]', 'kubernetes.default');
    await page.fill('#dns-form [name=namespace]', 'shop');
    await page.click('#dns-form button[type=submit]');
    await page.waitForSelector('#dns-steps li');
    const steps = await page.locator('#dns-steps > li').allTextContents();
    expect(steps[0]).toContain('kubernetes.default.shop.svc.cluster.local: NXDOMAIN');
    expect(steps[1]).toContain('kubernetes.default.svc.cluster.local: NOERROR');
    expect(steps[1]).toContain('IN A 10.96.0.1');
    await page.screenshot({ path: join(DOCS, 'console-dns.png') });
  });

  test('shows IPAM use, and follows a store change into the open view', async () => {
    await page.goto(`${c.console.url}#ipam`);
    await page.waitForSelector('#ipam-table tbody tr');
    expect(await page.locator('#ipam-table tbody tr').count()).toBe(6);
    await page.goto(`${c.console.url}#diff`);
    await page.locator('#diff-result', { hasText: 'No change seen yet' }).waitFor();
    const slice = (await c.store.list('EndpointSlice')).find(
      (s) => s.metadata?.labels?.['kubernetes.io/service-name'] === 'frontend',
    ) as EndpointSlice;
    await c.store.upsert([{ ...slice, endpoints: (slice.endpoints ?? []).slice(0, 1) }]);
    await page.locator('#diff-result', { hasText: 'changed Services: shop/frontend' }).waitFor();
    expect(await page.textContent('#live')).toMatch(/^live: store version \d+/);
  });
});
