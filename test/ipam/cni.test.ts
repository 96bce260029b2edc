// The kubeplane-ipam executable, as a runtime calls it: worked examples, every command, and the
// spec's error JSON for bad input.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { envFor, netConf, runPlugin } from './cni-run.js';

const root = mkdtempSync(join(tmpdir(), 'kp-ipam-cni-'));
let k = 0;
const freshDir = () => join(root, `d${k++}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function addresses(r: ReturnType<typeof runPlugin>): string[] {
  expect(r.status, r.stdout + r.stderr).toBe(0);
  return ((r.json?.ips as { address: string }[]) ?? []).map((i) => i.address);
}

describe('kubeplane-ipam: worked examples through the executable', () => {
  test('A: results, files, DEL then ADD continues after the cursor', () => {
    const dir = freshDir();
    const conf = netConf(
      dir,
      {
        ranges: [[{ subnet: '10.1.2.0/24', rangeStart: '10.1.2.10', gateway: '10.1.2.1' }]],
        routes: [{ dst: '0.0.0.0/0' }],
      },
      { name: 'ex1' },
    );
    const first = runPlugin(envFor('ADD', 'c1'), conf);
    expect(first.stdout).toBe(
      '{"cniVersion":"1.1.0","ips":[{"address":"10.1.2.10/24","gateway":"10.1.2.1"}],"routes":[{"dst":"0.0.0.0/0"}]}\n',
    );
    for (const c of ['c2', 'c3', 'c4', 'c5']) runPlugin(envFor('ADD', c), conf);
    const del = runPlugin(envFor('DEL', 'c2'), conf);
    expect([del.status, del.stdout]).toEqual([0, '']);
    expect(addresses(runPlugin(envFor('ADD', 'c6'), conf))).toEqual(['10.1.2.15/24']);
    expect(addresses(runPlugin(envFor('ADD', 'c7'), conf))).toEqual(['10.1.2.16/24']);
    const files = readdirSync(join(dir, 'ex1'))
      .filter((f) => !f.startsWith('.'))
      .sort();
    expect(files).toEqual([
      '10.1.2.10',
      '10.1.2.12',
      '10.1.2.13',
      '10.1.2.14',
      '10.1.2.15',
      '10.1.2.16',
      'last_reserved_ip.0',
      'lock',
    ]);
  });

  test('B: gateway skipped, wrap-around, exhaustion 999, duplicate 999', () => {
    const conf = netConf(freshDir(), {
      ranges: [[{ subnet: '10.22.0.0/24', rangeStart: '10.22.0.10', rangeEnd: '10.22.0.20', gateway: '10.22.0.12' }]],
    });
    const add = (id: string) => addresses(runPlugin(envFor('ADD', id), conf))[0];
    expect(['A', 'B', 'C', 'D', 'E'].map(add)).toEqual([
      '10.22.0.10/24',
      '10.22.0.11/24',
      '10.22.0.13/24',
      '10.22.0.14/24',
      '10.22.0.15/24',
    ]);
    runPlugin(envFor('DEL', 'B'), conf);
    expect(['F', 'G', 'H', 'I', 'J', 'K'].map(add)).toEqual([
      '10.22.0.16/24',
      '10.22.0.17/24',
      '10.22.0.18/24',
      '10.22.0.19/24',
      '10.22.0.20/24',
      '10.22.0.11/24',
    ]);
    const full = runPlugin(envFor('ADD', 'L'), conf);
    expect(full.status).toBe(1);
    expect(full.json).toMatchObject({
      cniVersion: '1.1.0',
      code: 999,
      msg: 'failed to allocate for range 0: no IP addresses available in range set: 10.22.0.10-10.22.0.20',
    });
    const dup = runPlugin(envFor('ADD', 'A'), conf);
    expect(dup.json).toMatchObject({
      code: 999,
      msg: 'failed to allocate for range 0: 10.22.0.10 has been allocated to A, duplicate allocation is not allowed',
    });
    const status = runPlugin({ CNI_COMMAND: 'STATUS' }, conf);
    expect(status.status).toBe(1);
    expect(status.json).toMatchObject({
      code: 50,
      msg: 'no IP addresses available in range set: 10.22.0.10-10.22.0.20',
    });
  });

  test('C: dual stack with CNI_ARGS IP= (IgnoreUnknown honoured), cursor files per set', () => {
    const dir = freshDir();
    const conf = netConf(dir, { ranges: [[{ subnet: '10.244.1.0/24' }], [{ subnet: 'fd00:10:244:1::/64' }]] });
    expect(addresses(runPlugin(envFor('ADD', 'p1'), conf))).toEqual(['10.244.1.2/24', 'fd00:10:244:1::2/64']);
    const second = runPlugin(envFor('ADD', 'p2'), conf);
    expect(second.json?.ips).toEqual([
      { address: '10.244.1.3/24', gateway: '10.244.1.1' },
      { address: 'fd00:10:244:1::3/64', gateway: 'fd00:10:244:1::1' },
    ]);
    expect(readFileSync(join(dir, 'testnet', 'last_reserved_ip.1'), 'utf8')).toBe('fd00:10:244:1::3');
    const args = 'IgnoreUnknown=1;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=x;IP=10.244.1.77';
    expect(addresses(runPlugin(envFor('ADD', 'p3', { CNI_ARGS: args }), conf))).toEqual([
      '10.244.1.77/24',
      'fd00:10:244:1::4/64',
    ]);
    expect(addresses(runPlugin(envFor('ADD', 'p4'), conf))).toEqual(['10.244.1.78/24', 'fd00:10:244:1::5/64']);
  });

  test('D: multi-range set, then exhausted', () => {
    const conf = netConf(freshDir(), { ranges: [[{ subnet: '10.0.0.0/30' }, { subnet: '10.0.1.0/30' }]] });
    expect(addresses(runPlugin(envFor('ADD', 'a'), conf))).toEqual(['10.0.0.2/30']);
    expect(addresses(runPlugin(envFor('ADD', 'b'), conf))).toEqual(['10.0.1.2/30']);
    expect(runPlugin(envFor('ADD', 'c'), conf).json).toMatchObject({
      code: 999,
      msg: expect.stringContaining('10.0.0.1-10.0.0.2,10.0.1.1-10.0.1.2'),
    });
  });
});

describe('kubeplane-ipam: commands', () => {
  test('same container with another ifname gets a second address; DEL and CHECK are per ifname', () => {
    const conf = netConf(freshDir(), { ranges: [[{ subnet: '10.5.0.0/24' }]] });
    expect(addresses(runPlugin(envFor('ADD', 'c'), conf))).toEqual(['10.5.0.2/24']);
    expect(addresses(runPlugin(envFor('ADD', 'c', { CNI_IFNAME: 'net1' }), conf))).toEqual(['10.5.0.3/24']);
    expect(runPlugin(envFor('CHECK', 'c', { CNI_IFNAME: 'net1' }), conf).status).toBe(0);
    expect(runPlugin(envFor('DEL', 'c', { CNI_IFNAME: 'net1' }), conf).status).toBe(0);
    const check = runPlugin(envFor('CHECK', 'c', { CNI_IFNAME: 'net1' }), conf);
    expect(check.json).toMatchObject({ code: 999, msg: 'host-local: Failed to find address added by container c' });
    expect(runPlugin(envFor('CHECK', 'c'), conf).status).toBe(0);
  });

  test('IPv6-only range set: the all-ones address is allocatable, names are RFC 5952', () => {
    const dir = freshDir();
    const conf = netConf(dir, {
      ranges: [[{ subnet: 'fd00:10:244:7::/64', rangeStart: 'fd00:10:244:7:ffff:ffff:ffff:fffe' }]],
    });
    expect(addresses(runPlugin(envFor('ADD', 'a'), conf))).toEqual(['fd00:10:244:7:ffff:ffff:ffff:fffe/64']);
    expect(addresses(runPlugin(envFor('ADD', 'b'), conf))).toEqual(['fd00:10:244:7:ffff:ffff:ffff:ffff/64']);
    expect(runPlugin(envFor('ADD', 'c'), conf).json).toMatchObject({
      code: 999,
      msg: expect.stringContaining('no IP addresses available'),
    });
    expect(readdirSync(join(dir, 'testnet'))).toContain('fd00:10:244:7:ffff:ffff:ffff:ffff');
  });

  test('DEL of an unknown container, repeated, and without CNI_NETNS, succeeds', () => {
    const dir = freshDir();
    const conf = netConf(dir, { ranges: [[{ subnet: '10.5.0.0/24' }]] });
    expect(runPlugin(envFor('DEL', 'never-added'), conf).status).toBe(0);
    expect(existsSync(dir)).toBe(false);
    runPlugin(envFor('ADD', 'someone'), conf);
    for (let i = 0; i < 2; i++)
      expect(runPlugin(envFor('DEL', 'never-added', { CNI_NETNS: undefined }), conf)).toMatchObject({
        status: 0,
        stdout: '',
      });
  });

  test('GC releases only attachments not listed; an empty list releases everything; lock and cursors stay', () => {
    const dir = freshDir();
    const conf = (extra: Record<string, unknown>) => netConf(dir, { ranges: [[{ subnet: '10.6.0.0/24' }]] }, extra);
    for (const c of ['a', 'b', 'c']) runPlugin(envFor('ADD', c), conf({}));
    const gc = runPlugin(
      { CNI_COMMAND: 'GC', CNI_PATH: '/opt/cni/bin' },
      conf({
        'cni.dev/valid-attachments': [
          { containerID: 'a', ifname: 'eth0' },
          { containerID: 'c', ifname: 'eth1' },
        ],
      }),
    );
    expect([gc.status, gc.stdout]).toEqual([0, '']);
    const left = () =>
      readdirSync(join(dir, 'testnet'))
        .filter((f) => !f.startsWith('.'))
        .sort();
    expect(left()).toEqual(['10.6.0.2', 'last_reserved_ip.0', 'lock']);
    runPlugin({ CNI_COMMAND: 'GC' }, conf({ 'cni.dev/valid-attachments': [] }));
    expect(left()).toEqual(['last_reserved_ip.0', 'lock']);
    // DEL after GC still succeeds, and the next ADD continues round-robin.
    expect(runPlugin(envFor('DEL', 'a'), conf({})).status).toBe(0);
    expect(addresses(runPlugin(envFor('ADD', 'd'), conf({})))).toEqual(['10.6.0.5/24']);
  });

  test('GC without the valid-attachments key releases nothing', () => {
    const dir = freshDir();
    const conf = netConf(dir, { ranges: [[{ subnet: '10.6.0.0/24' }]] });
    runPlugin(envFor('ADD', 'a'), conf);
    expect(runPlugin({ CNI_COMMAND: 'GC' }, conf).status).toBe(0);
    expect(readdirSync(join(dir, 'testnet'))).toContain('10.6.0.2');
  });

  test('restart keeps state: a new process sees earlier allocations and the cursor', () => {
    const dir = freshDir();
    const conf = netConf(dir, { ranges: [[{ subnet: '10.7.0.0/24' }]] });
    runPlugin(envFor('ADD', 'a'), conf);
    runPlugin(envFor('ADD', 'b'), conf);
    runPlugin(envFor('DEL', 'a'), conf);
    expect(addresses(runPlugin(envFor('ADD', 'c'), conf))).toEqual(['10.7.0.4/24']);
    expect(runPlugin(envFor('ADD', 'b'), conf).json).toMatchObject({ code: 999 });
  });

  test('VERSION echoes a supported input version, else 1.1.0', () => {
    const v = runPlugin({ CNI_COMMAND: 'VERSION' }, '{"cniVersion":"0.4.0"}');
    expect(v.json).toEqual({
      cniVersion: '0.4.0',
      supportedVersions: ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'],
    });
    expect(runPlugin({ CNI_COMMAND: 'VERSION' }, '').json?.cniVersion).toBe('1.1.0');
  });

  test('no CNI_COMMAND prints the about text on stderr and exits 0', () => {
    const r = runPlugin({}, '');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/CNI protocol versions supported: 0.1.0, .*1.1.0/);
  });

  test.each([
    {
      name: '0.4.0 adds "version"',
      v: '0.4.0',
      want: { cniVersion: '0.4.0', ips: [{ version: '4', address: '10.8.0.2/24', gateway: '10.8.0.1' }] },
    },
    {
      name: '0.2.0 uses ip4',
      v: '0.2.0',
      want: { cniVersion: '0.2.0', ip4: { ip: '10.8.0.2/24', gateway: '10.8.0.1' } },
    },
    {
      name: '1.0.0 has plain ips',
      v: '1.0.0',
      want: { cniVersion: '1.0.0', ips: [{ address: '10.8.0.2/24', gateway: '10.8.0.1' }] },
    },
  ])('result in the config version: $name', ({ v, want }) => {
    const r = runPlugin(
      envFor('ADD', 'x'),
      netConf(freshDir(), { ranges: [[{ subnet: '10.8.0.0/24' }]] }, { cniVersion: v }),
    );
    expect(r.json).toEqual(want);
  });

  test('resolvConf becomes the dns object', () => {
    const dir = freshDir();
    const resolv = join(root, `resolv-${k}`);
    writeFileSync(resolv, 'nameserver 10.96.0.10\nsearch svc.cluster.local cluster.local\noptions ndots:5\n');
    const r = runPlugin(
      envFor('ADD', 'x'),
      netConf(dir, { ranges: [[{ subnet: '10.8.0.0/24' }]], resolvConf: resolv }),
    );
    expect(r.json?.dns).toEqual({
      nameservers: ['10.96.0.10'],
      search: ['svc.cluster.local', 'cluster.local'],
      options: ['ndots:5'],
    });
  });
});

describe('kubeplane-ipam: error JSON on stdout, non-zero exit', () => {
  const good = () => netConf(freshDir(), { ranges: [[{ subnet: '10.9.0.0/24' }]] });
  test.each([
    {
      name: 'missing CNI_* variables (all listed)',
      env: { CNI_COMMAND: 'ADD' },
      stdin: 'good',
      code: 4,
      msg: 'required env variables [CNI_CONTAINERID,CNI_NETNS,CNI_IFNAME] missing',
    },
    {
      name: 'empty CNI_CONTAINERID counts as missing',
      env: envFor('DEL', ''),
      stdin: 'good',
      code: 4,
      msg: 'required env variables [CNI_CONTAINERID] missing',
    },
    {
      name: 'bad container ID',
      env: envFor('ADD', '-bad id'),
      stdin: 'good',
      code: 4,
      msg: 'invalid characters in containerID',
    },
    {
      name: 'ifname too long',
      env: envFor('ADD', 'c', { CNI_IFNAME: 'a-very-long-ifname' }),
      stdin: 'good',
      code: 4,
      msg: 'interface name is too long',
    },
    { name: 'unknown command', env: envFor('FOO', 'c'), stdin: 'good', code: 4, msg: 'unknown CNI_COMMAND: FOO' },
    {
      name: 'malformed stdin',
      env: envFor('ADD', 'c'),
      stdin: '{"cniVersion": "1.1.0", name',
      code: 6,
      msg: 'error unmarshall network config',
    },
    {
      name: 'stdin not an object',
      env: envFor('ADD', 'c'),
      stdin: '[1,2]',
      code: 6,
      msg: 'error unmarshall network config',
    },
    {
      name: 'missing network name',
      env: envFor('ADD', 'c'),
      stdin: '{"cniVersion":"1.1.0","ipam":{}}',
      code: 7,
      msg: 'missing network name',
    },
    {
      name: 'unsupported cniVersion',
      env: envFor('ADD', 'c'),
      stdin: '{"cniVersion":"9.9.9","name":"n","ipam":{}}',
      code: 1,
      msg: 'incompatible CNI versions',
    },
    {
      name: 'GC with a 1.0.0 config',
      env: { CNI_COMMAND: 'GC' },
      stdin: '{"cniVersion":"1.0.0","name":"n","ipam":{}}',
      code: 1,
      msg: 'config version does not allow GC',
    },
    {
      name: 'CHECK with a 0.3.1 config',
      env: envFor('CHECK', 'c'),
      stdin: '{"cniVersion":"0.3.1","name":"n","ipam":{}}',
      code: 1,
      msg: 'config version does not allow CHECK',
    },
    {
      name: 'invalid range',
      env: envFor('ADD', 'c'),
      stdin: JSON.stringify({ cniVersion: '1.1.0', name: 'n', ipam: { ranges: [[{ subnet: '10.9.0.0/31' }]] } }),
      code: 7,
      msg: 'invalid range set 0: Network 10.9.0.0/31 too small to allocate from',
    },
    {
      name: 'no ipam key',
      env: envFor('ADD', 'c'),
      stdin: '{"cniVersion":"1.1.0","name":"n"}',
      code: 7,
      msg: "IPAM config missing 'ipam' key",
    },
    {
      name: 'CNI_ARGS with an unknown key',
      env: envFor('ADD', 'c', { CNI_ARGS: 'K8S_POD_NAME=x' }),
      stdin: 'good',
      code: 4,
      msg: 'ARGS: unknown args ["K8S_POD_NAME=x"]',
    },
    {
      name: 'CNI_ARGS pair without =',
      env: envFor('ADD', 'c', { CNI_ARGS: 'IgnoreUnknown=1;junk' }),
      stdin: 'good',
      code: 4,
      msg: 'ARGS: invalid pair "junk"',
    },
  ])('$name -> code $code', ({ env, stdin, code, msg }) => {
    const r = runPlugin(env, stdin === 'good' ? good() : stdin);
    expect(r.status).toBe(1);
    expect(r.json, r.stdout).toBeDefined();
    expect(r.json!.code).toBe(code);
    expect(String(r.json!.msg)).toContain(msg);
    expect(typeof r.json!.cniVersion).toBe('string');
    expect(r.stderr).toBe('');
  });

  test('incompatible version details list what the plugin supports', () => {
    const r = runPlugin(envFor('ADD', 'c'), '{"cniVersion":"9.9.9","name":"n","ipam":{}}');
    expect(r.json).toEqual({
      cniVersion: '1.1.0',
      code: 1,
      msg: 'incompatible CNI versions',
      details: 'config is "9.9.9", plugin supports ["0.1.0" "0.2.0" "0.3.0" "0.3.1" "0.4.0" "1.0.0" "1.1.0"]',
    });
  });
});
