// Real plugin processes at once, and processes killed with SIGKILL in the middle of an ADD (at fixed
// points, through the file store's `hooks` seam: paused-plugin.mjs).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { type CniRun, envFor, netConf, runPlugin, runPluginAsync } from './cni-run.js';

const PAUSED_PLUGIN = fileURLToPath(new URL('./paused-plugin.mjs', import.meta.url));

const root = mkdtempSync(join(tmpdir(), 'kp-ipam-conc-'));
let k = 0;
const freshDir = () => join(root, `d${k++}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ipFiles = (dir: string) =>
  readdirSync(join(dir, 'testnet')).filter((f) => /^[0-9a-f.:]+$/.test(f) && f.includes('.'));

/** Run `jobs` with at most `width` at a time (2 cores: a bounded pool, not 200 forks at once). */
async function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]!();
      }
    }),
  );
  return out;
}

describe('kubeplane-ipam under concurrency', () => {
  test('200 plugin processes ADDing different containers get 200 distinct addresses, no error', async () => {
    const dir = freshDir();
    const conf = netConf(dir, { ranges: [[{ subnet: '10.30.0.0/16' }]] });
    const runs = await pool(
      Array.from({ length: 200 }, (_, i) => () => runPluginAsync(envFor('ADD', `pod-${i}`), conf)),
      40,
    );
    const failed = runs.filter((r) => r.status !== 0);
    expect(failed.map((r) => r.stdout)).toEqual([]);
    const ips = runs.map((r) => (r.json!.ips as { address: string }[])[0]!.address);
    expect(new Set(ips).size).toBe(200);
    // Round robin from an empty dir: exactly the first 200 addresses after the gateway.
    const expected = Array.from({ length: 200 }, (_, i) => `10.30.${(i + 2) >> 8}.${(i + 2) & 255}/16`);
    expect([...ips].sort()).toEqual([...expected].sort());
    const files = ipFiles(dir);
    expect(files).toHaveLength(200);
    for (const f of files) expect(readFileSync(join(dir, 'testnet', f), 'utf8')).toMatch(/^pod-\d+\r\neth0$/);

    const dels = await pool(
      Array.from({ length: 200 }, (_, i) => () => runPluginAsync(envFor('DEL', `pod-${i}`), conf)),
      40,
    );
    expect(dels.filter((r) => r.status !== 0)).toEqual([]);
    expect(ipFiles(dir)).toEqual([]);
  }, 180_000);
});

/** Start an ADD that pauses at `point`, wait until it says so, then SIGKILL it. */
async function killAt(point: string, conf: string, id: string): Promise<void> {
  const child = spawn(process.execPath, [PAUSED_PLUGIN, point], {
    env: { PATH: process.env.PATH, ...envFor('ADD', id) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.on('error', () => undefined);
  child.stdin.end(conf);
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (err.includes(`paused:${point}`)) resolve();
    });
    child.on('close', (code) => reject(new Error(`plugin exited (${code}) before pausing at ${point}: ${err}`)));
  });
  const closed = new Promise((r) => child.on('close', r));
  child.kill('SIGKILL');
  await closed;
}

const address = (r: CniRun) => (r.json?.ips as { address: string }[] | undefined)?.[0]?.address;

describe('kubeplane-ipam killed -9 in the middle of ADD', () => {
  test('after creating the address file, before writing it: the next ADD takes the empty file over', async () => {
    const dir = freshDir();
    const conf = netConf(dir, { ranges: [[{ subnet: '10.31.0.0/24' }]] });
    expect(address(runPlugin(envFor('ADD', 'first'), conf))).toBe('10.31.0.2/24');
    await killAt('after-claim', conf, 'crashed');
    expect(readFileSync(join(dir, 'testnet', '10.31.0.3'), 'utf8')).toBe(''); // the half-made claim
    // The lock died with the process; the next ADD repairs the empty file and gets that address.
    const next = runPlugin(envFor('ADD', 'next'), conf);
    expect(address(next)).toBe('10.31.0.3/24');
    expect(readFileSync(join(dir, 'testnet', '10.31.0.3'), 'utf8')).toBe('next\r\neth0');
    // The runtime's DEL of the crashed container succeeds and does not touch what `next` holds.
    expect(runPlugin(envFor('DEL', 'crashed'), conf).status).toBe(0);
    expect(existsSync(join(dir, 'testnet', '10.31.0.3'))).toBe(true);
  });

  test('an empty leftover that no ADD reaches is freed by GC and by the crashed container DEL', async () => {
    const dir = freshDir();
    const conf = netConf(dir, { ranges: [[{ subnet: '10.32.0.0/24' }]] });
    await killAt('after-claim', conf, 'crashed-1');
    await killAt('after-claim', conf, 'crashed-2');
    // Neither wrote the cursor, so the second ADD met the first one's empty file, took it over, and
    // was killed at the same point: one empty file remains.
    expect(ipFiles(dir)).toEqual(['10.32.0.2']);
    expect(runPlugin(envFor('DEL', 'crashed-2'), conf).status).toBe(0);
    expect(ipFiles(dir)).toEqual([]);
    await killAt('after-claim', conf, 'crashed-3');
    expect(ipFiles(dir)).toEqual(['10.32.0.2']);
    const gc = runPlugin(
      { CNI_COMMAND: 'GC' },
      netConf(dir, { ranges: [[{ subnet: '10.32.0.0/24' }]] }, { 'cni.dev/valid-attachments': [] }),
    );
    expect(gc.status).toBe(0);
    expect(ipFiles(dir)).toEqual([]);
  });

  test('after writing the owner, before the result: DEL releases it, the next ADD moves on', async () => {
    const dir = freshDir();
    const conf = netConf(dir, { ranges: [[{ subnet: '10.33.0.0/24' }]] });
    await killAt('after-write', conf, 'crashed');
    expect(readFileSync(join(dir, 'testnet', '10.33.0.2'), 'utf8')).toBe('crashed\r\neth0');
    expect(address(runPlugin(envFor('ADD', 'other'), conf))).toBe('10.33.0.3/24');
    expect(runPlugin(envFor('DEL', 'crashed'), conf).status).toBe(0);
    expect(ipFiles(dir)).toEqual(['10.33.0.3']);
  });

  test('after noting the owner, before claiming: nothing is held, the next ADD takes that address', async () => {
    const dir = freshDir();
    const conf = netConf(dir, { ranges: [[{ subnet: '10.34.0.0/24' }]] });
    await killAt('after-intent', conf, 'crashed');
    expect(ipFiles(dir)).toEqual([]);
    expect(address(runPlugin(envFor('ADD', 'other'), conf))).toBe('10.34.0.2/24');
    expect(runPlugin(envFor('DEL', 'crashed'), conf).status).toBe(0);
    expect(ipFiles(dir)).toEqual(['10.34.0.2']);
  });
});
