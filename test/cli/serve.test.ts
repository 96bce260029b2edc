// `kubeplane serve --store URL` as a process: it syncs, reports one JSON line per sync, picks up a
// change another process writes, serves /proxyMode and /metrics, and exits cleanly on SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, fixture, ROOT, runCli } from '../support/cli.js';
import { describeRedis } from '../support/env.js';
import { freePort, startRedis, type TestRedis } from '../support/redis.js';

/** `kubeplane serve ARGS` as a child process: its stderr so far, its JSON log lines, a bounded wait. */
function spawnServe(args: string[]) {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stderr.on('data', (d: Buffer) => (text += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const stderr = () => text;
  const waitFor = async (ok: () => boolean, what: string) => {
    const end = Date.now() + 20_000;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${text}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const logLines = () =>
    text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; full: boolean; services: number; node: string });
  return { child, exited, stderr, waitFor, logLines };
}

describeRedis('kubeplane serve', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.destroy();
  });

  test('follows the store, logs each sync, serves metrics, stops on SIGTERM', async () => {
    const url = `${redis.url}?prefix=serve`;
    expect(runCli(['store', 'load', '-f', fixture('demo'), '--store', url]).status).toBe(0);
    const port = await freePort();
    const dnsPort = await freePort();
    const { child, exited, stderr, waitFor, logLines } = spawnServe([
      '--store',
      url,
      '--metrics-listen',
      `127.0.0.1:${port}`,
      '--health-listen',
      `127.0.0.1:${await freePort()}`,
      '--min-sync-period',
      '50ms',
      '--dns-listen',
      `127.0.0.1:${dnsPort}`,
    ]);
    const syncs = logLines;
    try {
      await waitFor(() => syncs().length >= 1 && stderr().includes('serving node'), 'the first sync');
      expect(syncs()[0]).toMatchObject({ msg: 'synced', full: true, node: 'node-a' });
      const svc =
        'apiVersion: v1\nkind: Service\nmetadata: {name: late, namespace: default}\nspec: {clusterIP: 10.96.200.1, ports: [{name: http, port: 80}]}\n';
      expect(runCli(['store', 'apply', '-f', '-', '--store', url], svc).status).toBe(0);
      await waitFor(() => syncs().some((s) => !s.full && s.services === 1), 'the partial sync');
      expect(await (await fetch(`http://127.0.0.1:${port}/proxyMode`)).text()).toBe('iptables');
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain('kubeproxy_sync_proxy_rules_service_changes_total 1\n');
      // DNS from the same store answers for the new Service (a real dig over loopback).
      const dig = spawnSync(
        'dig',
        ['@127.0.0.1', '-p', String(dnsPort), '+short', '+tries=3', 'late.default.svc.cluster.local', 'A'],
        {
          encoding: 'utf8',
          timeout: 10_000,
        },
      );
      expect(dig.stdout.trim()).toBe('10.96.200.1');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});

describe('kubeplane serve -f --watch --nodes all --health-listen', () => {
  test('every Node synced, a file edit re-syncs each, health served apart from metrics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-serve-watch-'));
    cpSync(fixture('demo'), dir, { recursive: true });
    const port = await freePort();
    const healthPort = await freePort();
    const { child, exited, stderr, waitFor, logLines } = spawnServe([
      '-f',
      dir,
      '--watch',
      '--nodes',
      'all',
      '--metrics-listen',
      `127.0.0.1:${port}`,
      '--health-listen',
      `127.0.0.1:${healthPort}`,
      '--min-sync-period',
      '50ms',
    ]);
    const syncs = () => logLines().filter((l) => l.msg === 'synced');
    const nodes = ['node-a', 'node-b', 'node-c'];
    try {
      await waitFor(
        () => nodes.every((n) => syncs().some((s) => s.node === n)) && stderr().includes('health on'),
        'every first sync',
      );
      const health = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
      expect(health.status).toBe(200);
      expect(((await health.json()) as { healthy: boolean }).healthy).toBe(true);
      expect((await fetch(`http://127.0.0.1:${healthPort}/livez`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${healthPort}/metrics`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
      writeFileSync(
        join(dir, '99-late.yaml'),
        'apiVersion: v1\nkind: Service\nmetadata: {name: late, namespace: default}\nspec: {clusterIP: 10.96.200.1, ports: [{name: http, port: 80}]}\n',
      );
      await waitFor(
        () => nodes.every((n) => syncs().some((s) => s.node === n && !s.full && s.services === 1)),
        'the partial sync on every node',
      );
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('kubeplane serve, bad flags', () => {
  test.each([
    [['--nodes', 'some'], '--nodes: "some" is not "all"'],
    [['--nodes', 'all', '--node', 'node-a'], '--nodes all and --node exclude each other'],
    [['--health-listen', 'nowhere'], '--health-listen: "nowhere" is not IP:PORT'],
    [['--watch', '--store', 'redis://127.0.0.1:1/0'], '--watch follows -f files'],
  ])('%j is refused before anything starts', (flags, message) => {
    const r = runCli(['serve', '-f', fixture('demo'), ...flags]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
