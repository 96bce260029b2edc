// `kubeplane proxy` refuses bad flags before anything listens: a clear line and exit 2.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CLI, ROOT } from '../../support/cli.js';
import { manifest } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'kp-proxy-err-'));
const file = join(dir, 'c.yaml');
writeFileSync(
  file,
  manifest([{ ns: 'shop', name: 'web', clusterIP: '10.96.0.10', port: 80, targetPort: 8080, endpoints: {} }]),
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kubeplane proxy: bad input exits 2', () => {
  test.each([
    {
      name: 'unknown --balance',
      args: ['--balance', 'least-conn'],
      want: '--balance: "least-conn" must be round-robin or random',
    },
    {
      name: 'port map in a missing directory',
      args: ['--port-map', '/nonexistent/dir/ports.json'],
      want: '--port-map /nonexistent/dir/ports.json: directory /nonexistent/dir does not exist',
    },
    { name: 'port map path is a directory', args: ['--port-map', tmpdir()], want: 'is a directory' },
    {
      name: 'bad --udp-idle-timeout',
      args: ['--udp-idle-timeout', 'soon'],
      want: '--udp-idle-timeout: "soon" must be a positive duration',
    },
    { name: 'unknown --l7', args: ['--l7', 'grpc'], want: '--l7: "grpc" must be http' },
    {
      name: 'listen address not on this machine',
      args: ['--listen-address', '192.0.2.1'],
      want: '--listen-address 192.0.2.1 is not an address of this machine',
    },
    {
      name: 'bad --dns-listen',
      args: ['--dns-listen', 'localhost'],
      want: '--dns-listen: expected IP:PORT (e.g. 127.0.0.1:5353), got "localhost"',
    },
    {
      name: 'a --netns that is no name',
      args: ['--netns', '../x'],
      want: '--netns: "../x" is not a network namespace name',
    },
    {
      name: 'a --netns that does not exist (or no root)',
      args: ['--netns', 'kp-no-such-ns'],
      want:
        process.getuid?.() === 0
          ? '--netns kp-no-such-ns: no such network namespace'
          : '--netns kp-no-such-ns: entering',
    },
  ])('$name', ({ args, want }) => {
    // Bounded: a proxy that wrongly started is killed after 10 s (and the status is then not 2).
    const r = spawnSync(process.execPath, [CLI, 'proxy', '-f', file, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(r.stderr).toContain(want);
    expect(r.status).toBe(2);
  });
});
