// Differential test against upstream host-local (Debian's containernetworking-plugins binary): the
// same sequence of CNI calls runs against host-local and against kubeplane-ipam, each in its own data
// dir, and every output and the final files must match. Normalised only where we differ on purpose:
// host-local 1.1.1 prints an empty "dns": {} (current libcni omits it); our error JSON carries
// cniVersion and details (the spec's shape) and uses code 7 for an invalid config, 5 for an I/O
// failure and 4 for a bad CNI_ARGS where skel wraps everything as 999. Skipped where host-local is not installed; required
// with KUBEPLANE_REQUIRE_KERNEL=1.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { describeWith } from '../support/env.js';
import { PLUGIN } from './cni-run.js';

const HOST_LOCAL = '/usr/lib/cni/host-local';
const reason = existsSync(HOST_LOCAL) ? undefined : `no ${HOST_LOCAL} (Debian: containernetworking-plugins)`;
const root = mkdtempSync(join(tmpdir(), 'kp-ipam-diff-'));
let k = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Step =
  | { cmd?: string; id?: string; ifname?: string; args?: string; conf: Record<string, unknown> }
  | { write: string; content: string };

const c = (ipam: Record<string, unknown>, v = '1.0.0', extra: Record<string, unknown> = {}) => ({
  cniVersion: v,
  name: 'mynet',
  type: 'ipvlan',
  ipam: { type: 'host-local', dataDir: '@DIR', ...ipam },
  ...extra,
});
const r = (...sets: unknown[]) => ({ ranges: sets });
const add = (id: string, conf: Record<string, unknown>, more: { args?: string; ifname?: string } = {}): Step => ({
  id,
  conf,
  ...more,
});
const del = (id: string, conf: Record<string, unknown>): Step => ({ cmd: 'DEL', id, conf });
const check = (id: string, conf: Record<string, unknown>): Step => ({ cmd: 'CHECK', id, conf });

function normalise(stdout: string, ours: boolean): string {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    return stdout.trim();
  }
  if (j.dns && Object.keys(j.dns as object).length === 0) delete j.dns;
  if (j.code !== undefined && ours) {
    delete j.cniVersion;
    delete j.details;
    if (j.code === 7 || j.code === 5) j.code = 999;
    if (j.code === 4 && String(j.msg).startsWith('ARGS:')) j.code = 999; // CNI_ARGS is an env variable: 4
  }
  return JSON.stringify(j);
}

function play(steps: readonly Step[], argv: string[], ours: boolean): string[] {
  const dir = join(root, `d${k++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'resolv.conf'), 'nameserver 192.0.2.3\nsearch a.b c.d\ndomain x.y\noptions ndots:2');
  const out: string[] = [];
  for (const s of steps) {
    if ('write' in s) {
      writeFileSync(join(dir, s.write), s.content);
      continue;
    }
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      CNI_COMMAND: s.cmd ?? 'ADD',
      CNI_CONTAINERID: s.id ?? 'dummy',
      CNI_NETNS: '/some/where',
      CNI_IFNAME: s.ifname ?? 'eth0',
      CNI_PATH: '/opt/cni/bin',
      ...(s.args ? { CNI_ARGS: s.args } : {}),
    };
    const input = JSON.stringify(s.conf).replaceAll('@DIR', dir);
    const p = spawnSync(argv[0]!, argv.slice(1), { env, input, encoding: 'utf8' });
    out.push(
      `${s.cmd ?? 'ADD'} ${s.id ?? 'dummy'} -> ${p.status} ${normalise(p.stdout.replaceAll(dir, '@DIR'), ours)}`,
    );
  }
  const net = join(dir, 'mynet');
  const files = existsSync(net)
    ? readdirSync(net)
        .filter((f) => f !== 'lock' && !f.startsWith('.'))
        .sort()
        .map((f) => `${f}=${JSON.stringify(readFileSync(join(net, f), 'utf8'))}`)
    : [];
  out.push(`files: ${files.join(' ')}`);
  return out;
}

const small = c(r([{ subnet: '10.9.0.0/29' }]));
const two = c(r([{ subnet: '10.0.0.0/30' }, { subnet: '10.0.1.0/30' }], [{ subnet: 'fd00::/126' }]));
const v6 = c(
  r([{ subnet: 'fd00:1::/120', rangeStart: 'fd00:1::fd', rangeEnd: 'fd00:1::ff' }, { subnet: 'fd00:2::/126' }]),
);
const full = (v: string) =>
  c(
    {
      resolvConf: '@DIR/resolv.conf',
      ranges: [[{ subnet: '10.1.2.0/24' }, { subnet: '10.2.2.0/24' }], [{ subnet: '2001:db8:1::0/64' }]],
      routes: [
        { dst: '0.0.0.0/0' },
        { dst: '::/0' },
        { dst: '192.168.0.0/16', gw: '1.1.1.1' },
        { dst: '2001:db8:2::0/64', gw: '2001:db8:3::1' },
      ],
    },
    v,
  );

const scenarios: { name: string; steps: Step[] }[] = [
  ...['0.1.0', '0.2.0', '0.3.1', '0.4.0', '1.0.0'].map((v) => ({
    name: `dual stack with routes and resolv.conf, cniVersion ${v}`,
    steps: [add('dummy', full(v)), ...(v >= '0.4.0' ? [check('dummy', full(v))] : []), del('dummy', full(v))],
  })),
  {
    name: 'old-style config',
    steps: [
      add(
        'a',
        c({ subnet: '10.1.2.0/24', rangeStart: '10.1.2.9', rangeEnd: '10.1.2.20', gateway: '10.1.2.30' }, '0.3.1'),
      ),
    ],
  },
  {
    name: 'runtime ipRanges, legacy range, ranges: in that order',
    steps: [
      add(
        'a',
        c(
          {
            subnet: '10.1.2.0/24',
            rangeStart: '10.1.2.9',
            rangeEnd: '10.1.2.20',
            gateway: '10.1.2.30',
            ranges: [[{ subnet: '11.1.2.0/24', rangeStart: '11.1.2.9', rangeEnd: '11.1.2.20', gateway: '11.1.2.30' }]],
          },
          '0.3.1',
          { runtimeConfig: { irrelevant: 'a', ipRanges: [[{ subnet: '12.1.3.0/24' }]] } },
        ),
      ),
    ],
  },
  {
    name: 'IPv6 multi-range set order and exhaustion',
    steps: ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => add(id, v6)),
  },
  { name: 'two range sets, the second exhausts first', steps: ['a', 'b', 'c', 'd'].map((id) => add(id, two)) },
  {
    name: 'released addresses come back only after the cursor wraps',
    steps: [
      add('a', small),
      add('b', small),
      add('c', small),
      del('b', small),
      del('a', small),
      ...['d', 'e', 'f', 'g', 'h'].map((id) => add(id, small)),
    ],
  },
  {
    name: 'repeat ADD is a duplicate; another ifname is not',
    steps: [add('a', small), add('a', small), add('a', small, { ifname: 'net1' }), check('a', small), del('a', small)],
  },
  {
    name: 'cursor files: newline, garbage, outside the set',
    steps: [
      add('a', small),
      { write: 'mynet/last_reserved_ip.0', content: '10.9.0.4\n' },
      add('b', small),
      { write: 'mynet/last_reserved_ip.0', content: 'zzz' },
      add('c', small),
      { write: 'mynet/last_reserved_ip.0', content: '10.9.1.4' },
      add('d', small),
    ],
  },
  {
    name: 'files written by others: whitespace and the legacy id-only form',
    steps: [
      add('a', small),
      { write: 'mynet/10.9.0.3', content: ' b\r\neth0 \n' },
      { write: 'mynet/10.9.0.5', content: 'c' },
      check('b', small),
      add('b', small),
      add('c', small),
      del('b', small),
      del('c', small),
    ],
  },
  {
    name: 'requested IPs: CNI_ARGS, args.cni.ips, runtimeConfig.ips; the cursor moves',
    steps: [
      add('a', small, { args: 'IgnoreUnknown=1;K8S_POD_NAME=x;IP=10.9.0.5' }),
      add('b', small),
      add('c', c(r([{ subnet: '10.9.0.0/29' }]), '1.0.0', { args: { cni: { ips: ['10.9.0.3/29'] } } })),
      add('d', c(r([{ subnet: '10.9.0.0/29' }]), '1.0.0', { runtimeConfig: { ips: ['10.9.0.3'] } })),
      add('e', c(r([{ subnet: '10.9.0.0/29' }]), '1.0.0', { runtimeConfig: { ips: ['10.9.0.1'] } })),
      add('f', c(r([{ subnet: '10.9.0.0/29' }]), '1.0.0', { runtimeConfig: { ips: ['10.8.0.1'] } })),
      add(
        'g',
        c(r([{ subnet: '10.9.0.0/29' }]), '1.0.0', {
          args: { cni: { ips: ['10.9.0.2'] } },
          runtimeConfig: { ips: ['10.9.0.2/24'] },
        }),
      ),
    ],
  },
  {
    name: 'a requested IP per range set, across families',
    steps: [
      add(
        'a',
        c(r([{ subnet: '172.16.1.0/24' }, { subnet: '10.1.2.0/24' }], [{ subnet: '2001:db8:1::/48' }]), '1.0.0', {
          args: { cni: { ips: ['10.1.2.88', '2001:db8:1::999'] } },
        }),
      ),
    ],
  },
  ...[
    { name: 'host bits', ipam: r([{ subnet: '192.0.2.12/24' }]) },
    { name: 'host bits IPv6', ipam: r([{ subnet: '2001:DB8:24:19ff::/63' }]) },
    { name: 'too small', ipam: r([{ subnet: '192.0.2.0/31' }]) },
    { name: 'rangeStart outside', ipam: r([{ subnet: '192.0.2.0/24', rangeStart: '192.0.3.0' }]) },
    { name: 'rangeEnd outside', ipam: r([{ subnet: '192.0.2.0/24', rangeEnd: '192.0.4.0' }]) },
    {
      name: 'rangeStart after rangeEnd',
      ipam: r([{ subnet: '192.0.2.0/24', rangeStart: '192.0.2.50', rangeEnd: '192.0.2.40' }]),
    },
    { name: 'rangeEnd before the default start', ipam: r([{ subnet: '192.0.2.0/24', rangeEnd: '192.0.2.0' }]) },
    {
      name: 'overlap between sets',
      ipam: r(
        [{ subnet: '10.1.2.0/24' }, { subnet: '10.2.2.0/24' }],
        [{ subnet: '10.1.4.0/24' }, { subnet: '10.1.2.0/24' }],
      ),
    },
    { name: 'overlap within a set', ipam: r([{ subnet: '10.1.0.0/22' }, { subnet: '10.1.2.0/24' }]) },
    { name: 'mixed families', ipam: r([{ subnet: '10.1.0.0/22' }, { subnet: '2001:db8:5::/64' }]) },
    { name: 'empty range set', ipam: r([]) },
    { name: 'no ranges', ipam: {} },
    { name: 'missing subnet', ipam: r([{ rangeStart: '10.0.0.1' }]) },
    { name: 'bad subnet', ipam: r([{ subnet: 'foo' }]) },
    { name: 'empty legacy subnet', ipam: { subnet: '', ranges: [[{ subnet: '10.5.0.0/24' }]] } },
    { name: 'bad rangeStart', ipam: r([{ subnet: '10.0.0.0/24', rangeStart: 'x' }]) },
    { name: 'bad route', ipam: { ...r([{ subnet: '10.0.0.0/24' }]), routes: [{ dst: 'x' }] } },
    { name: 'prefix with a leading zero', ipam: r([{ subnet: '10.0.0.0/024' }]) },
  ].map(({ name, ipam }) => ({ name: `config: ${name}`, steps: [add('a', c(ipam))] })),
  {
    name: 'config: two IPv4 range sets with cniVersion 0.2.0',
    steps: [add('a', c(r([{ subnet: '10.1.2.0/24' }], [{ subnet: '11.1.2.0/24' }]), '0.2.0'))],
  },
  { name: 'config: no ipam key', steps: [add('a', { cniVersion: '1.0.0', name: 'mynet', type: 'x' })] },
  {
    name: 'CNI_ARGS: unknown key, bad pair, bad IP',
    steps: ['K8S_POD_NAME=x', 'IP', 'IP=foo', 'IgnoreUnknown=yes'].map((args) => add('a', small, { args })),
  },
  {
    name: 'DEL of an unknown container; DEL with a bad config',
    steps: [del('nobody', small), del('a', c(r([{ subnet: '10.9.0.1/29' }])))],
  },
];

describeWith(reason, 'KUBEPLANE_REQUIRE_KERNEL', 'kubeplane-ipam and host-local give the same answers', () => {
  test.each(scenarios)('$name', ({ steps }) => {
    const theirs = play(steps, [HOST_LOCAL], false);
    const ours = play(steps, [process.execPath, PLUGIN], true);
    expect(ours).toEqual(theirs);
  });
});
