// containernetworking/plugins plugins/ipam/host-local/host_local_test.go, reproduced against the
// kubeplane-ipam executable (upstream calls cmdAdd/cmdDel in-process; we run the binary as a runtime
// would). Every case runs for each spec version upstream loops over where the result or an error
// depends on it; the rest for a few. Expected values are upstream's.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { allocateAll, releaseAll } from '../../src/ipam/allocator.js';
import { parseRangeSet } from '../../src/ipam/range-set.js';
import { FileIpamStore } from '../../src/ipam/stores/file.js';
import { type CniRun, envFor, runPlugin } from './cni-run.js';

const ALL = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'];
const SOME = ['0.2.0', '0.4.0', '1.1.0'];
const hasIPVersion = (v: string) => ['0.3.0', '0.3.1', '0.4.0'].includes(v);
const hasMultipleIPs = (v: string) => !['0.1.0', '0.2.0'].includes(v);

const root = mkdtempSync(join(tmpdir(), 'kp-ipam-upstream-'));
let k = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh tmpDir with upstream's resolv.conf in it. */
function tmpDir(): string {
  const dir = join(root, `t${k++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'resolv.conf'), 'nameserver 192.0.2.3');
  return dir;
}

const conf = (ver: string, name: string, ipam: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    cniVersion: ver,
    name,
    type: 'ipvlan',
    master: 'foo0',
    ipam: { type: 'host-local', ...ipam },
    ...extra,
  });

const args = (id: string, ifname = 'eth0') => envFor('ADD', id, { CNI_NETNS: '/some/where', CNI_IFNAME: ifname });
const del = (id: string, ifname = 'eth0') => envFor('DEL', id, { CNI_NETNS: '/some/where', CNI_IFNAME: ifname });

interface Ip {
  address: string;
  gateway?: string;
}
interface Current {
  ips: Ip[];
  routes: { dst: string; gw?: string }[];
  dns?: Record<string, unknown>;
}

/** types100.GetResult: any version's result as the 1.x shape (0.1.0/0.2.0 ip4/ip6 objects included). */
function getResult(r: CniRun, ver: string): Current {
  expect(r.status, r.stdout + r.stderr).toBe(0);
  const j = r.json as Record<string, unknown>;
  expect(j.cniVersion).toBe(ver);
  if (!hasMultipleIPs(ver)) {
    const ips: Ip[] = [];
    const routes: Current['routes'] = [];
    for (const fam of ['ip4', 'ip6']) {
      const o = j[fam] as { ip: string; gateway?: string; routes?: Current['routes'] } | undefined;
      if (!o) continue;
      ips.push({ address: o.ip, ...(o.gateway ? { gateway: o.gateway } : {}) });
      routes.push(...(o.routes ?? []));
    }
    return { ips, routes, ...(j.dns ? { dns: j.dns as Record<string, unknown> } : {}) };
  }
  const ips = (j.ips as (Ip & { version?: string })[]).map(({ version, ...rest }) => {
    expect(version !== undefined).toBe(hasIPVersion(ver));
    return rest;
  });
  return {
    ips,
    routes: (j.routes as Current['routes']) ?? [],
    ...(j.dns ? { dns: j.dns as Record<string, unknown> } : {}),
  };
}

const exists = (p: string) => {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
};

describe.each(ALL)('host-local Operations [%s]', (ver) => {
  test('allocates and releases addresses with ADD/DEL', () => {
    const dir = tmpDir();
    const c = conf(ver, 'mynet', {
      dataDir: dir,
      resolvConf: `${dir}/resolv.conf`,
      ranges: [[{ subnet: '10.1.2.0/24' }, { subnet: '10.2.2.0/24' }], [{ subnet: '2001:db8:1::0/64' }]],
      routes: [
        { dst: '0.0.0.0/0' },
        { dst: '::/0' },
        { dst: '192.168.0.0/16', gw: '1.1.1.1' },
        { dst: '2001:db8:2::0/64', gw: '2001:db8:3::1' },
      ],
    });
    const r = runPlugin(args('dummy'), c);
    if (hasIPVersion(ver)) expect(r.stdout).toContain('"version":');
    const result = getResult(r, ver);
    expect(result.ips).toEqual([
      { address: '10.1.2.2/24', gateway: '10.1.2.1' },
      { address: '2001:db8:1::2/64', gateway: '2001:db8:1::1' },
    ]);
    for (const want of [
      { dst: '0.0.0.0/0' },
      { dst: '::/0' },
      { dst: '192.168.0.0/16', gw: '1.1.1.1' },
      { dst: '2001:db8:2::/64', gw: '2001:db8:3::1' },
    ])
      expect(result.routes).toContainEqual(want);
    expect(result.dns).toEqual({ nameservers: ['192.0.2.3'] });

    const ip1 = join(dir, 'mynet', '10.1.2.2');
    const ip2 = join(dir, 'mynet', '2001:db8:1::2');
    expect(readFileSync(ip1, 'utf8')).toBe('dummy\r\neth0');
    expect(readFileSync(ip2, 'utf8')).toBe('dummy\r\neth0');
    expect(readFileSync(join(dir, 'mynet', 'last_reserved_ip.0'), 'utf8')).toBe('10.1.2.2');
    expect(readFileSync(join(dir, 'mynet', 'last_reserved_ip.1'), 'utf8')).toBe('2001:db8:1::2');

    expect(runPlugin(del('dummy'), c).status).toBe(0);
    expect([exists(ip1), exists(ip2)]).toEqual([false, false]);
  });

  test('allocates and releases addresses on specific interface with ADD/DEL', () => {
    const dir = tmpDir();
    const c0 = conf(ver, 'mynet0', {
      dataDir: dir,
      resolvConf: `${dir}/resolv.conf`,
      ranges: [[{ subnet: '10.1.2.0/24' }]],
    });
    const c1 = conf(ver, 'mynet1', {
      dataDir: dir,
      resolvConf: `${dir}/resolv.conf`,
      ranges: [[{ subnet: '10.2.2.0/24' }]],
    });
    const r0 = runPlugin(args('dummy'), c0);
    if (hasIPVersion(ver)) expect(r0.stdout).toContain('"version":');
    getResult(r0, ver);
    const r1 = runPlugin(args('dummy', 'eth1'), c1);
    if (hasIPVersion(ver)) expect(r1.stdout).toContain('"version":');
    getResult(r1, ver);

    const ip0 = join(dir, 'mynet0', '10.1.2.2');
    const ip1 = join(dir, 'mynet1', '10.2.2.2');
    expect(readFileSync(ip0, 'utf8')).toBe('dummy\r\neth0');
    expect(readFileSync(ip1, 'utf8')).toBe('dummy\r\neth1');

    expect(runPlugin(del('dummy'), c0).status).toBe(0);
    expect(exists(ip0)).toBe(false);
    expect(readFileSync(ip1, 'utf8')).toBe('dummy\r\neth1'); // eth1's address survives eth0's DEL
    expect(runPlugin(del('dummy', 'eth1'), c1).status).toBe(0);
    expect(exists(ip1)).toBe(false);
  });

  test('repeat allocating addresses on specific interface for same container ID with ADD', () => {
    const dir = tmpDir();
    const c = conf(ver, 'mynet0', { dataDir: dir, ranges: [[{ subnet: '10.1.2.0/24' }]] });
    const r0 = runPlugin(args('dummy'), c);
    if (hasIPVersion(ver)) expect(r0.stdout).toContain('"version":');
    expect(getResult(r0, ver).ips.map((i) => i.address)).toEqual(['10.1.2.2/24']);

    const again = runPlugin(args('dummy'), c);
    expect(again.status).not.toBe(0);
    expect(again.json).toMatchObject({
      code: 999,
      msg: 'failed to allocate for range 0: 10.1.2.2 has been allocated to dummy, duplicate allocation is not allowed',
    });

    const r1 = runPlugin(args('dummy1'), c);
    expect(getResult(r1, ver).ips.map((i) => i.address)).toEqual(['10.1.2.3/24']);
    expect(runPlugin(args('dummy'), c).status).not.toBe(0);

    expect(runPlugin(del('dummy'), c).status).toBe(0);
    expect(exists(join(dir, 'mynet0', '10.1.2.2'))).toBe(false);
    expect(runPlugin(del('dummy1'), c).status).toBe(0);
  });

  test('verify DEL works on backwards compatible allocate', () => {
    const dir = tmpDir();
    const c = conf(ver, 'mynet', {
      dataDir: dir,
      resolvConf: `${dir}/resolv.conf`,
      ranges: [[{ subnet: '10.1.2.0/24' }]],
    });
    getResult(runPlugin(args('dummy'), c), ver);
    const ip = join(dir, 'mynet', '10.1.2.2');
    expect(readFileSync(ip, 'utf8')).toBe('dummy\r\neth0');
    writeFileSync(ip, 'dummy'); // the id-only form of files written before ifname support
    if (ver >= '0.4.0') expect(runPlugin(envFor('CHECK', 'dummy', { CNI_NETNS: '/some/where' }), c).status).toBe(0);
    expect(runPlugin(del('dummy'), c).status).toBe(0);
    expect(exists(ip)).toBe(false);
  });

  test('allocates custom IPs from multiple ranges', () => {
    const dir = tmpDir();
    const c = conf(
      ver,
      'mynet',
      { dataDir: dir, ranges: [[{ subnet: '10.1.2.0/24' }], [{ subnet: '10.1.3.0/24' }]] },
      { args: { cni: { ips: ['10.1.2.88', '10.1.3.77'] } } },
    );
    const r = runPlugin(args('dummy'), c);
    if (!hasMultipleIPs(ver)) {
      expect(r.status).not.toBe(0);
      expect(r.json!.msg).toBe(`CNI version ${ver} does not support more than 1 address per family`);
    } else {
      expect(getResult(r, ver).ips.map((i) => i.address)).toEqual(['10.1.2.88/24', '10.1.3.77/24']);
    }
  });

  test('fails if a requested custom IP is not used', () => {
    const dir = tmpDir();
    const c = conf(
      ver,
      'mynet',
      { dataDir: dir, ranges: [[{ subnet: '10.1.2.0/24' }], [{ subnet: '10.1.3.0/24' }]] },
      { args: { cni: { ips: ['10.1.2.88', '10.1.2.77'] } } },
    );
    const r = runPlugin(args('dummy'), c);
    expect(r.status).not.toBe(0);
    if (!hasMultipleIPs(ver))
      expect(r.json!.msg).toBe(`CNI version ${ver} does not support more than 1 address per family`);
    else {
      expect(String(r.json!.msg)).toMatch(/^failed to allocate all requested IPs: 10\.1\.2\./);
      // nothing half-applied: both sets' addresses were given back
      expect(readdirSync(join(dir, 'mynet')).filter((f) => f.startsWith('10.'))).toEqual([]);
    }
  });
});

describe.each(SOME)('host-local Operations, version-independent [%s]', (ver) => {
  test("doesn't error when passed an unknown ID on DEL", () => {
    const r = runPlugin(del('dummy'), conf(ver, 'mynet', { subnet: '10.1.2.0/24', dataDir: tmpDir() }));
    expect([r.status, r.stdout]).toEqual([0, '']);
  });

  test('does not output an error message upon initial subnet creation', () => {
    const r = runPlugin(args('testing'), conf(ver, 'mynet', { subnet: '10.1.2.0/24', dataDir: tmpDir() }));
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('Error retrieving last reserved ip');
  });

  test('allocates a custom IP when requested by config args', () => {
    const c = conf(
      ver,
      'mynet',
      { dataDir: tmpDir(), ranges: [[{ subnet: '10.1.2.0/24' }]] },
      { args: { cni: { ips: ['10.1.2.88'] } } },
    );
    expect(getResult(runPlugin(args('dummy'), c), ver).ips.map((i) => i.address)).toEqual(['10.1.2.88/24']);
  });

  test('allocates custom IPs from multiple protocols', () => {
    const c = conf(
      ver,
      'mynet',
      {
        dataDir: tmpDir(),
        ranges: [[{ subnet: '172.16.1.0/24' }, { subnet: '10.1.2.0/24' }], [{ subnet: '2001:db8:1::/48' }]],
      },
      { args: { cni: { ips: ['10.1.2.88', '2001:db8:1::999'] } } },
    );
    expect(getResult(runPlugin(args('dummy'), c), ver).ips.map((i) => i.address)).toEqual([
      '10.1.2.88/24',
      '2001:db8:1::999/48',
    ]);
  });
});

describe('host-local Operations: ignores whitespace in disk files', () => {
  test('the executable refuses such a container ID before any work, as host-local (skel) does', () => {
    const dir = tmpDir();
    const r = runPlugin(args('   dummy\n '), conf('1.1.0', 'mynet', { subnet: '10.1.2.0/24', dataDir: dir }));
    expect(r.json).toMatchObject({ code: 4, msg: 'invalid characters in containerID' });
    expect(exists(join(dir, 'mynet'))).toBe(false);
  });

  test('the store records the trimmed ID and DEL by the untrimmed one releases it (cmdAdd/cmdDel)', async () => {
    const dir = tmpDir();
    const store = new FileIpamStore(dir, 'mynet');
    const owner = { containerId: '   dummy\n ', ifname: 'eth0' };
    const [got] = await allocateAll(store, [parseRangeSet([{ subnet: '10.1.2.0/24' }], 'r')], owner);
    const file = join(dir, 'mynet', '10.1.2.2');
    expect(got!.ip.value).toBe(0x0a010202n);
    expect(readFileSync(file, 'utf8')).toBe('dummy\r\neth0');
    expect(await releaseAll(store, owner)).toEqual(['10.1.2.2']);
    expect(exists(file)).toBe(false);
  });
});
