// `kubeplane ui --watch` as a user runs it (the built CLI, a copy of the demo fixture): a manifest is
// edited on disk, the open Diff view follows it, and any two kept syncs can be compared in the page,
// showing what `kubeplane diff` prints for the chosen mode.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CLI, fixture, ROOT } from '../support/cli.js';
import { CHROMIUM, describeBrowser } from '../support/env.js';

const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));
const NODE_B_FRONTEND = `- addresses: [10.244.1.10]
  conditions: {ready: true, serving: true, terminating: false}
  nodeName: node-b
  zone: zone-b
  targetRef: {kind: Pod, namespace: shop, name: frontend-6d4b7-bbbbb}
`;

/** Replaces a file the way editors save: a new file renamed into place. */
function edit(file: string, change: (text: string) => string): void {
  const text = readFileSync(file, 'utf8');
  const next = change(text);
  expect(next).not.toBe(text);
  writeFileSync(`${file}.tmp`, next);
  renameSync(`${file}.tmp`, file);
}

describeBrowser('kubeplane ui --watch: the diff between two syncs in the page', () => {
  let dir: string;
  let profile: string;
  let proc: ChildProcess;
  let url: string;
  let browser: BrowserContext;
  let page: Page;
  let stderr = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubeplane-ui-watch-'));
    cpSync(fixture('demo'), dir, { recursive: true });
    proc = spawn(process.execPath, [CLI, 'ui', '-f', dir, '--watch', '--listen', '127.0.0.1:0'], { cwd: ROOT });
    proc.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no console URL in 30s: ${out}${stderr}`)), 30_000);
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^console: (http:\/\/\S+)$/m.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      proc.once('exit', (code) => reject(new Error(`kubeplane ui exited ${code}: ${stderr}`)));
    });
    profile = mkdtempSync(join(tmpdir(), 'kubeplane-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      viewport: { width: 1400, height: 900 },
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(`${url}#diff`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (proc && proc.exitCode === null) {
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGINT');
      await exited;
    }
    if (profile) rmSync(profile, { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Waits for the page to have taken in store version > `after`, and returns it. */
  const nextVersion = async (after: number) => {
    await expect
      .poll(async () => Number((await page.getAttribute('body', 'data-version')) ?? -1), { timeout: 20_000 })
      .toBeGreaterThan(after);
    return Number(await page.getAttribute('body', 'data-version'));
  };

  test('an edited manifest shows up as the partial sync it makes, then two chosen syncs diff', async () => {
    await page.locator('#diff-result', { hasText: 'No change seen yet' }).waitFor();
    // 1: frontend loses its node-b endpoint.
    edit(join(dir, '30-shop-endpoints.yaml'), (t) => t.replace(NODE_B_FRONTEND, ''));
    const v1 = await nextVersion(-1);
    await page.locator('#diff-result', { hasText: 'changed Services: shop/frontend' }).waitFor();
    expect(await page.textContent('#diff-output')).toContain('-X KUBE-SEP-DNEA7RLSAO4BR5MP');
    // 2: the api Service's http port moves to another node port.
    edit(join(dir, '20-shop-services.yaml'), (t) => t.replace('nodePort: 30081}', 'nodePort: 30082}'));
    const v2 = await nextVersion(v1);
    await page.locator('#diff-title', { hasText: `to sync ${v2}` }).waitFor();
    expect(await page.textContent('#diff-result')).toContain('changed Services: shop/api');
    // Three syncs kept; choose the first and the last: both changes, in nftables.
    const ids = await page
      .locator('#diff-from option')
      .evaluateAll((os) => os.map((o) => o.getAttribute('value') ?? ''));
    expect(ids).toHaveLength(3);
    expect(ids.slice(1).map(Number)).toEqual([v1, v2]);
    await page.selectOption('#diff-mode', 'nftables');
    await page.selectOption('#diff-from', ids[0]!);
    await page.locator('#diff-title', { hasText: `sync ${ids[0]} to sync ${v2} in nftables` }).waitFor();
    expect(await page.textContent('#diff-result')).toContain('changed Services: shop/api, shop/frontend');
    const shown = (await page.textContent('#diff-output'))!;
    const api = await fetch(new URL(`/api/diff?mode=nftables&from=${ids[0]}&to=${v2}`, url)).then(
      (r) => r.json() as Promise<{ output: string }>,
    );
    expect(shown).toBe(api.output);
    expect(shown).toContain('30082');
    await page.screenshot({ path: join(DOCS, 'console-diff.png') });
    // The same sync twice: the 400's reason is shown.
    await page.selectOption('#diff-to', ids[0]!);
    await page.locator('#diff-error', { hasText: 'to: must be another sync than from' }).waitFor();
  }, 60_000);
});
