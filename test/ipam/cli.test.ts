// `kubeplane ipam node-cidrs` and `kubeplane ipam show` through the built CLI.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { fixture, runCli } from '../support/cli.js';
import { envFor, netConf, runPlugin } from './cni-run.js';

const root = mkdtempSync(join(tmpdir(), 'kp-ipam-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('kubeplane ipam node-cidrs', () => {
  test('keeps existing podCIDRs and allocates new nodes in name order after the last allocation', () => {
    const r = runCli(['ipam', 'node-cidrs', '-f', fixture('ipam', 'nodes.yaml'), '--cluster-cidr', '10.244.0.0/16']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n').map((l) => l.split(/\s+/).slice(0, 3).join(' '))).toEqual([
      'control-plane 10.244.0.0/24 existing',
      'worker-a 10.244.1.0/24 allocated',
      'worker-b 10.244.3.0/24 allocated',
      'worker-c 10.244.4.0/24 allocated',
      'worker-z 10.244.2.0/24 existing',
      '# 10.244.0.0/16 /24:',
      '',
    ]);
  });

  test('dual stack as JSON', () => {
    const r = runCli([
      'ipam',
      'node-cidrs',
      '-f',
      fixture('ipam', 'nodes-dual.yaml'),
      '--cluster-cidr',
      '10.244.0.0/16,fd00:10:244::/56',
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { nodes: { name: string; podCIDRs: string[] }[]; pools: { used: number }[] };
    expect(out.nodes.map((n) => [n.name, n.podCIDRs])).toEqual([
      ['node-1', ['10.244.0.0/24', 'fd00:10:244::/64']],
      ['node-2', ['10.244.1.0/24', 'fd00:10:244:1::/64']],
      ['node-3', ['10.244.2.0/24', 'fd00:10:244:2::/64']],
    ]);
    expect(out.pools.map((p) => p.used)).toEqual([3, 3]);
  });

  test('--node-mask sets the block size; an existing smaller CIDR occupies its whole block', () => {
    const r = runCli([
      'ipam',
      'node-cidrs',
      '-f',
      fixture('ipam', 'nodes.yaml'),
      '--cluster-cidr',
      '10.244.0.0/16',
      '--node-mask',
      '23',
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      nodes: { name: string; podCIDRs: string[] }[];
      pools: { capacity: number }[];
    };
    expect(out.nodes.map((n) => `${n.name} ${n.podCIDRs.join(',')}`)).toEqual([
      'control-plane 10.244.0.0/24',
      'worker-a 10.244.4.0/23',
      'worker-b 10.244.6.0/23',
      'worker-c 10.244.8.0/23',
      'worker-z 10.244.2.0/24',
    ]);
    expect(out.pools[0]!.capacity).toBe(128);
  });

  test.each([
    { name: 'missing --cluster-cidr', args: ['-f', 'FIX:nodes.yaml'], status: 2, err: '--cluster-cidr is required' },
    {
      name: 'bad --cluster-cidr',
      args: ['-f', 'FIX:nodes.yaml', '--cluster-cidr', '10.244.0.0'],
      status: 2,
      err: 'is not a CIDR',
    },
    {
      name: '--node-mask with per-family flags',
      args: ['-f', 'FIX:nodes.yaml', '--cluster-cidr', '10.244.0.0/16', '--node-mask', '24', '--node-mask-ipv4', '24'],
      status: 2,
      err: 'cannot be combined',
    },
    {
      name: 'existing CIDR outside the cluster CIDR',
      args: ['-f', 'FIX:nodes-outside.yaml', '--cluster-cidr', '10.244.0.0/16'],
      status: 2,
      err: 'node stray: spec.podCIDRs[0]: cidr 10.99.0.0/24 is out the range of cluster cidr 10.244.0.0/16',
    },
    {
      name: 'exhaustion',
      args: ['-f', 'FIX:nodes.yaml', '--cluster-cidr', '10.244.0.0/22'],
      status: 1,
      err: '1 node(s) left without a pod CIDR (worker-c)',
    },
    {
      name: 'more podCIDRs than cluster CIDRs',
      args: ['-f', 'FIX:nodes-dual.yaml', '--cluster-cidr', '10.244.0.0/16'],
      status: 2,
      err: 'node node-1: spec.podCIDRs has 2 CIDRs but the cluster has 1',
    },
    { name: 'missing -f', args: ['--cluster-cidr', '10.244.0.0/16'], status: 2, err: '-f/--file is required' },
  ])('$name', ({ args, status, err }) => {
    const r = runCli([
      'ipam',
      'node-cidrs',
      ...args.map((a) => (a.startsWith('FIX:') ? fixture('ipam', a.slice(4)) : a)),
    ]);
    expect(r.status).toBe(status);
    expect(r.stderr).toContain(err);
    expect(r.stdout).toBe('');
  });
});

describe('kubeplane ipam show', () => {
  test('allocations and utilisation per range from a data dir the plugin wrote', () => {
    const dir = join(root, 'data');
    const conf = netConf(dir, { ranges: [[{ subnet: '10.244.1.0/28' }], [{ subnet: 'fd00:10:244:1::/64' }]] });
    for (const c of ['a', 'b', 'c']) expect(runPlugin(envFor('ADD', c), conf).status).toBe(0);
    runPlugin(envFor('DEL', 'b'), conf);
    const text = runCli(['ipam', 'show', '--data-dir', dir]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain('network testnet');
    expect(text.stdout).toMatch(
      /range set 0 {2}10\.244\.1\.1-10\.244\.1\.14 +2\/13 used \(15\.4%\) {2}last 10\.244\.1\.4/,
    );
    const json = JSON.parse(runCli(['ipam', 'show', '--data-dir', dir, '--json']).stdout) as {
      networks: {
        allocations: { ip: string; containerId: string }[];
        ranges: { used: number; capacity: number | string }[];
      }[];
    };
    const net = json.networks[0]!;
    expect(net.allocations.map((a) => `${a.ip} ${a.containerId}`)).toEqual([
      '10.244.1.2 a',
      '10.244.1.4 c',
      'fd00:10:244:1::2 a',
      'fd00:10:244:1::4 c',
    ]);
    expect(net.ranges.map((r) => [r.used, r.capacity])).toEqual([
      [2, 13],
      [2, '18446744073709551614'],
    ]);
  });

  test('--config gives the ranges of a directory host-local wrote', () => {
    const dir = join(root, 'hl', 'mynet');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '10.9.0.2'), 'x\r\neth0');
    writeFileSync(join(dir, 'lock'), '');
    const conf = join(root, 'mynet.conflist');
    writeFileSync(
      conf,
      JSON.stringify({
        cniVersion: '1.0.0',
        name: 'mynet',
        plugins: [
          { type: 'bridge', ipam: { type: 'host-local', ranges: [[{ subnet: '10.9.0.0/24' }]] } },
          { type: 'portmap' },
        ],
      }),
    );
    const bare = runCli(['ipam', 'show', '--data-dir', join(root, 'hl')]);
    expect(bare.stdout).toContain('ranges: unknown');
    const r = runCli(['ipam', 'show', '--data-dir', join(root, 'hl'), '--config', conf]);
    expect(r.stdout).toMatch(/range set 0 {2}10\.9\.0\.1-10\.9\.0\.254 +1\/253 used/);
  });

  test('the example conflist in fixtures/ipam gives per-range utilisation', () => {
    const dir = join(root, 'example', 'podnet');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '10.244.1.2'), 'c1\r\neth0');
    writeFileSync(join(dir, 'fd00:10:244:1::2'), 'c1\r\neth0');
    const r = runCli([
      'ipam',
      'show',
      '--data-dir',
      join(root, 'example'),
      '--config',
      fixture('ipam', '10-podnet.conflist'),
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const net = (
      JSON.parse(r.stdout) as { networks: { rangesSource: string; ranges: { range: string; used: number }[] }[] }
    ).networks[0]!;
    expect(net.rangesSource).toBe('config');
    expect(net.ranges.map((x) => `${x.range} ${x.used}`)).toEqual([
      '10.244.1.1-10.244.1.254 1',
      'fd00:10:244:1::1-fd00:10:244:1:ffff:ffff:ffff:ffff 1',
    ]);
  });

  test("a bad range in --config gives host-local's message and names the field", () => {
    const conf = join(root, 'bad.conflist');
    const ranges = [[{ subnet: '10.0.0.0/24' }, { subnet: '10.0.1.0/31' }]];
    writeFileSync(
      conf,
      JSON.stringify({ cniVersion: '1.1.0', name: 'n', plugins: [{ type: 'bridge', ipam: { ranges } }] }),
    );
    mkdirSync(join(root, 'bad-data', 'n'), { recursive: true });
    const r = runCli(['ipam', 'show', '--data-dir', join(root, 'bad-data'), '--config', conf]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      'bad.conflist: invalid range set 0: Network 10.0.1.0/31 too small to allocate from (ipam.ranges[0][1].subnet)',
    );
    expect(r.stdout).toBe('');
  });

  test.each([
    { name: 'big.conflist', text: `{"name":"n","pad":"${'x'.repeat(2 ** 21)}"}`, msg: 'more than 1048576 bytes' },
    {
      name: 'deep.conflist',
      text: `{"name":"n","x":${'['.repeat(200_000)}${']'.repeat(200_000)}}`,
      msg: 'nested deeper than 64 levels',
    },
  ])('--config $name is held to the plugin stdin bounds: exit 2 naming the file', ({ name, text, msg }) => {
    const conf = join(root, name);
    writeFileSync(conf, text);
    mkdirSync(join(root, 'hostile-data', 'n'), { recursive: true });
    const r = runCli(['ipam', 'show', '--data-dir', join(root, 'hostile-data'), '--config', conf]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--config ${conf}: `);
    expect(r.stderr).toContain(msg);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('--config /dev/zero is refused after reading just past the bound, not read forever', () => {
    mkdirSync(join(root, 'hostile-data', 'n'), { recursive: true });
    const r = runCli(['ipam', 'show', '--data-dir', join(root, 'hostile-data'), '--config', '/dev/zero']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--config /dev/zero: more than 1048576 bytes');
  });

  test('a missing data dir is a clear input error', () => {
    const r = runCli(['ipam', 'show', '--data-dir', join(root, 'nope')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no such directory');
  });
});
