// Hostile CNI input (issue 18): oversized, deep, malformed and over-long network configs and
// environment get the CNI error JSON with the right code (6 undecodable, 7 invalid, 4 bad env),
// short messages, and no addresses reserved; never a crash (999 with a RangeError) or a hang.
import { mkdtempSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCni } from '../../src/ipam/cni.js';
import {
  MAX_CONFIG_DEPTH,
  MAX_RANGE_SETS,
  MAX_RANGES_PER_SET,
  MAX_REQUESTED_IPS,
  MAX_ROUTES,
  MAX_STDIN_BYTES,
} from '../../src/ipam/cni-limits.js';
import { MAX_RESOLV_CONF_BYTES } from '../../src/ipam/resolv.js';
import { MAX_STORE_FILE_BYTES } from '../../src/ipam/stores/file.js';
import { envFor, runPluginAsync } from './cni-run.js';

const root = mkdtempSync(join(tmpdir(), 'kp-ipam-hostile-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const conf = (dataDir: string, ipam: string, extra = '') =>
  `{"cniVersion":"1.1.0","name":"net","type":"bridge"${extra},"ipam":{"type":"kubeplane-ipam","dataDir":${JSON.stringify(dataDir)},${ipam}}}`;
const subnet = '"subnet":"10.1.0.0/24"';
const sets = (n: number) =>
  `"ranges":[${Array.from({ length: n }, (_, i) => `[{"subnet":"10.${i >> 8}.${i & 255}.0/24"}]`).join(',')}]`;
const ranges = (n: number) =>
  `"ranges":[[${Array.from({ length: n }, (_, i) => `{"subnet":"10.${i >> 8}.${i & 255}.0/24"}`).join(',')}]]`;
const routes = (n: number) =>
  `${subnet},"routes":[${Array.from({ length: n }, () => '{"dst":"0.0.0.0/0"}').join(',')}]`;
const ips = (n: number) => `{"ips":[${Array.from({ length: n }, (_, i) => `"10.1.${i >> 8}.${i & 255}"`).join(',')}]}`;

interface HostileCase {
  name: string;
  stdin: (dataDir: string) => string;
  env?: Record<string, string>;
  code: number;
  msg: RegExp;
}

const cases: HostileCase[] = [
  {
    name: 'a config over the stdin bound',
    stdin: (d) => conf(d, `${subnet},"pad":"${'x'.repeat(MAX_STDIN_BYTES)}"`),
    code: 6,
    msg: /more than 1048576 bytes on stdin/,
  },
  {
    name: 'a config over the bound in multi-byte characters',
    stdin: (d) => conf(d, `${subnet},"pad":"${'é'.repeat(MAX_STDIN_BYTES / 2 + 1)}"`),
    code: 6,
    msg: /more than 1048576 bytes/,
  },
  {
    name: '100,000-deep nesting in an unread field',
    stdin: (d) => conf(d, `${subnet},"x":${deep(100_000)}`),
    code: 6,
    msg: /nested deeper than 64 levels/,
  },
  {
    name: 'deep nesting where an error message would echo it (routes[0].dst)',
    stdin: (d) => conf(d, `${subnet},"routes":[{"dst":${deep(10_000)}}]`),
    code: 6,
    msg: /nested deeper than 64 levels/,
  },
  {
    name: 'nesting one level past the bound',
    // The config object is level 1, ipam 2, x 3: MAX_CONFIG_DEPTH - 2 arrays reach the bound + 1.
    stdin: (d) => conf(d, `${subnet},"x":${deep(MAX_CONFIG_DEPTH - 1)}`),
    code: 6,
    msg: /nested deeper/,
  },
  {
    name: 'truncated JSON',
    stdin: (d) => conf(d, subnet).slice(0, 40),
    code: 6,
    msg: /error unmarshall network config/,
  },
  { name: 'a JSON array', stdin: () => '[1,2,3]', code: 6, msg: /must be a JSON object/ },
  { name: 'NUL bytes', stdin: () => '\0\0\0{', code: 6, msg: /error unmarshall network config/ },
  { name: 'empty stdin', stdin: () => '', code: 6, msg: /error unmarshall network config/ },
  {
    name: 'more range sets than the bound',
    stdin: (d) => conf(d, sets(MAX_RANGE_SETS + 1)),
    code: 7,
    msg: /ipam\.ranges: 257 items; at most 256/,
  },
  {
    name: 'more ranges in one set than the bound',
    stdin: (d) => conf(d, ranges(MAX_RANGES_PER_SET + 1)),
    code: 7,
    msg: /ipam\.ranges\[0\]: 257 items; at most 256/,
  },
  {
    name: 'more routes than the bound',
    stdin: (d) => conf(d, routes(MAX_ROUTES + 1)),
    code: 7,
    msg: /ipam\.routes: 1025 items; at most 1024/,
  },
  {
    name: 'more requested IPs than the bound',
    stdin: (d) => conf(d, subnet, `,"args":{"cni":${ips(MAX_REQUESTED_IPS + 1)}}`),
    code: 7,
    msg: /args\.cni\.ips: 1025 items; at most 1024/,
  },
  {
    name: 'a 500 KB subnet string',
    stdin: (d) => conf(d, `"subnet":"${'1'.repeat(500_000)}"`),
    code: 7,
    msg: /invalid CIDR address: 1{200}\.\.\.$/,
  },
  {
    name: 'a 100 KB non-string gateway',
    stdin: (d) => conf(d, `${subnet},"gateway":[${Array.from({ length: 20_000 }, () => '1').join(',')}]`),
    code: 7,
    msg: /must be a string, got \[1,1,.*\.\.\.$/,
  },
  {
    name: 'a 100 KB invalid container ID',
    stdin: (d) => conf(d, subnet),
    env: { CNI_CONTAINERID: `-${'a'.repeat(100_000)}` },
    code: 4,
    msg: /^invalid characters in containerID$/,
  },
  {
    name: 'a 100 KB CNI_ARGS of unknown keys',
    stdin: (d) => conf(d, subnet),
    env: { CNI_ARGS: Array.from({ length: 10_000 }, (_, i) => `K${i}=v`).join(';') },
    code: 4,
    msg: /^ARGS: unknown args \[.{0,200}\.\.\.$/,
  },
];

describe('kubeplane-ipam on hostile input (in process)', () => {
  test.each(cases)('$name -> code $code', async ({ stdin, env, code, msg }) => {
    const dataDir = mkdtempSync(join(root, 'd-'));
    const out = await runCni({ ...envFor('ADD', 'c1'), ...env }, async () => stdin(dataDir));
    expect(out.exitCode).toBe(1);
    const json = JSON.parse(out.stdout) as { code: number; msg: string; details?: string };
    expect(json.code).toBe(code);
    expect(json.msg).toMatch(msg);
    expect(out.stdout.length).toBeLessThan(1000);
    expect(readdirSync(dataDir)).toEqual([]); // nothing reserved
  });

  test('at the bounds a config still allocates', async () => {
    const dataDir = mkdtempSync(join(root, 'ok-'));
    const stdin = conf(dataDir, `${routes(MAX_ROUTES)},"x":${deep(MAX_CONFIG_DEPTH - 2)}`);
    const out = await runCni(envFor('ADD', 'c1'), async () => stdin);
    expect(out.exitCode).toBe(0);
    expect((JSON.parse(out.stdout) as { ips: { address: string }[] }).ips[0]?.address).toBe('10.1.0.2/24');
  });
});

describe('the kubeplane-ipam executable on hostile stdin', () => {
  test('16 MiB on stdin is refused with code 6 after reading just past the bound', async () => {
    const r = await runPluginAsync(envFor('ADD', 'c1'), `{"name":"${'x'.repeat(16 * 2 ** 20)}"}`);
    expect(r.status).toBe(1);
    expect(r.json).toMatchObject({ code: 6, msg: expect.stringMatching(/more than 1048576 bytes on stdin/) });
    expect(r.stderr).toBe('');
  });

  test('400,000 nested arrays are code 6, not a stack overflow', async () => {
    const r = await runPluginAsync(envFor('ADD', 'c1'), `{"name":"n","x":${deep(400_000)}}`);
    expect(r.status).toBe(1);
    expect(r.json).toMatchObject({ code: 6, msg: expect.stringMatching(/nested deeper than 64 levels/) });
  });
});

describe('files the config points at, or the data dir holds, are read only so far', () => {
  test('resolvConf: /dev/zero (endless) is refused, not read forever', async () => {
    const dataDir = mkdtempSync(join(root, 'rz-'));
    const out = await runCni(envFor('ADD', 'c1'), async () => conf(dataDir, `${subnet},"resolvConf":"/dev/zero"`));
    expect(out.exitCode).toBe(1);
    const json = JSON.parse(out.stdout) as { code: number; msg: string };
    expect(json.msg).toBe(`/dev/zero: more than ${MAX_RESOLV_CONF_BYTES} bytes; not a resolv.conf`);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  test('a 1 GiB (sparse) file where a reservation should be: DEL fails naming it, in bounded memory', async () => {
    const dataDir = mkdtempSync(join(root, 'big-'));
    const stdin = conf(dataDir, subnet);
    expect((await runCni(envFor('ADD', 'c1'), async () => stdin)).exitCode).toBe(0);
    const file = join(dataDir, 'net', '10.1.0.2');
    truncateSync(file, 2 ** 30);
    const rss = process.memoryUsage().rss;
    const out = await runCni(envFor('DEL', 'c1'), async () => stdin);
    expect(out.exitCode).toBe(1);
    expect((JSON.parse(out.stdout) as { msg: string }).msg).toContain(
      `${file}: more than ${MAX_STORE_FILE_BYTES} bytes; not a host-local data file`,
    );
    expect(process.memoryUsage().rss - rss).toBeLessThan(2 ** 28);
  });
});
