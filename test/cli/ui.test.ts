// `kubeplane ui`, `kubeplane up` and `kubeplane serve --ui-listen` as processes, on loopback: they
// print where they listen, answer the API, follow edited manifests with --watch, resolve names over
// real DNS, refuse bad flags with exit 2, and stop cleanly on SIGTERM.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { CLI, fixture, ROOT, runCli } from '../support/cli.js';

interface Running {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

const running: Running[] = [];
afterEach(() => {
  for (const r of running.splice(0)) if (r.child.exitCode === null) r.child.kill('SIGKILL');
});

function start(args: string[]): Running {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (err += d));
  const r = {
    child,
    out: () => out,
    err: () => err,
    exited: new Promise<number | null>((res) => child.on('close', res)),
  };
  running.push(r);
  return r;
}

async function waitFor<T>(get: () => T | undefined | Promise<T | undefined>, what: string, r: Running): Promise<T> {
  const end = Date.now() + 30_000;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > end || r.child.exitCode !== null)
      throw new Error(`waiting for ${what}:\nstdout:\n${r.out()}\nstderr:\n${r.err()}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

const urlIn = (text: string, label: string) => new RegExp(`${label}:? +(http://\\S+)`).exec(text)?.[1];

test('kubeplane up: demo summary, console, DNS and proxy on loopback; --watch follows an edit; SIGTERM exits 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeplane-up-'));
  try {
    cpSync(fixture('demo'), dir, { recursive: true });
    const r = start(['up', '-f', dir, '--watch', '--listen', '127.0.0.1:0', '--dns-listen', '127.0.0.1:0']);
    const url = await waitFor(() => urlIn(r.out(), 'console'), 'the console URL', r);
    expect(r.out()).toContain('kubeplane up: ');
    expect(r.out()).toContain('node node-a (192.168.49.2, fd00:192:168:49::2)');
    expect(r.out()).toContain('frontend.shop.svc.cluster.local. 5 IN A 10.96.10.10');
    expect(r.out()).toMatch(/shop\/frontend:http\/TCP 10\.96\.10\.10:80 -> 127\.0\.0\.1:\d+/);
    const dnsPort = /dns: +127\.0\.0\.1:(\d+)/.exec(r.out())![1]!;
    const dig = spawnSync(
      'dig',
      ['@127.0.0.1', '-p', dnsPort, '+short', '+tries=3', 'frontend.shop.svc.cluster.local', 'A'],
      {
        encoding: 'utf8',
        timeout: 10_000,
      },
    );
    expect(dig.stdout.trim()).toBe('10.96.10.10');
    const summary = async () => (await (await fetch(`${url}api/summary`)).json()) as { counts: { Service: number } };
    expect((await summary()).counts.Service).toBe(15);
    writeFileSync(
      join(dir, '90-late.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata: {name: late, namespace: shop}\nspec: {clusterIP: 10.96.10.250, ports: [{name: http, port: 80}]}\n',
    );
    await waitFor(async () => ((await summary()).counts.Service === 16 ? true : undefined), 'the reload', r);
    const late = (await (await fetch(`${url}api/services?q=shop/late`)).json()) as { services: unknown[] };
    expect(late.services[0]).toMatchObject({ service: 'shop/late', clusterIPs: ['10.96.10.250'] });
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kubeplane ui says when it is not on loopback, and serves the page', async () => {
  const r = start(['ui', '-f', fixture('demo'), '--listen', '0.0.0.0:0']);
  const url = await waitFor(() => urlIn(r.out(), 'console'), 'the console URL', r);
  expect(r.err()).toContain('warning: --listen 0.0.0.0:0 is not loopback');
  const port = new URL(url).port;
  const page = await fetch(`http://127.0.0.1:${port}/`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('kubeplane console');
  r.child.kill('SIGTERM');
  expect(await r.exited).toBe(0);
});

test('kubeplane serve --ui-listen serves the console on the agent store', async () => {
  const r = start(['serve', '-f', fixture('demo'), '--metrics-listen', '127.0.0.1:0', '--ui-listen', '127.0.0.1:0']);
  const url = await waitFor(() => /console on (http:\/\/\S+)/.exec(r.err())?.[1], 'the console URL', r);
  const body = (await (await fetch(`${url}api/services?q=frontend`)).json()) as { services: { service: string }[] };
  expect(body.services[0]?.service).toBe('shop/frontend');
  r.child.kill('SIGTERM');
  expect(await r.exited).toBe(0);
});

test('a taken port exits 2 naming the flag', async () => {
  const first = start(['ui', '-f', fixture('demo'), '--listen', '127.0.0.1:0']);
  const url = await waitFor(() => urlIn(first.out(), 'console'), 'the console URL', first);
  const second = runCli(['ui', '-f', fixture('demo'), '--listen', `127.0.0.1:${new URL(url).port}`]);
  expect(second.status).toBe(2);
  expect(second.stderr).toContain(`--listen: 127.0.0.1:${new URL(url).port} is already in use`);
  first.child.kill('SIGTERM');
  expect(await first.exited).toBe(0);
});

test.each([
  { name: 'ui without -f', args: ['ui'], want: '-f/--file is required' },
  { name: 'up without -f', args: ['up'], want: '-f/--file is required' },
  {
    name: 'a listen address that is not IP:PORT',
    args: ['ui', '-f', fixture('demo'), '--listen', 'localhost'],
    want: '--listen',
  },
  {
    name: 'a DNS address that is not IP:PORT',
    args: ['up', '-f', fixture('demo'), '--dns-listen', ':53'],
    want: '--dns-listen',
  },
])('$name exits 2', ({ args, want }) => {
  const r = runCli(args);
  expect(r.status).toBe(2);
  expect(r.stderr).toContain(want);
});
