// containernetworking/plugins plugins/ipam/host-local/backend/allocator/config_test.go and
// host-local/dns_test.go, reproduced against parseIpamConfig and parseResolvConf. Expected values and
// messages are upstream's.
import { describe, expect, test } from 'vitest';
import { parseIpamConfig } from '../../src/ipam/config.js';
import type { RangeSet } from '../../src/ipam/range-set.js';
import { parseResolvConf } from '../../src/ipam/resolv.js';
import { formatIP } from '../../src/net/ip.js';

const net = (ipam: Record<string, unknown>, extra: Record<string, unknown> = {}, cniVersion = '0.3.1') => ({
  cniVersion,
  name: 'mynet',
  type: 'ipvlan',
  master: 'foo0',
  ipam: { type: 'host-local', ...ipam },
  ...extra,
});
const load = (n: ReturnType<typeof net>, envArgs = '') => parseIpamConfig(n, n.cniVersion, envArgs);

/** Each range as [subnet, rangeStart, rangeEnd, gateway]. */
const shape = (sets: readonly RangeSet[]) =>
  sets.map((s) =>
    s.ranges.map((r) => [
      `${formatIP({ family: r.subnet.family, value: r.subnet.base })}/${r.subnet.prefix}`,
      formatIP(r.rangeStart),
      formatIP(r.rangeEnd),
      formatIP(r.gateway),
    ]),
  );

const r9 = (p: string) => ({ subnet: `${p}.0/24`, rangeStart: `${p}.9`, rangeEnd: `${p}.20`, gateway: `${p}.30` });

describe('IPAM config (config_test.go)', () => {
  test('parses an old-style config', () => {
    const c = load(net(r9('10.1.2')));
    expect(shape(c.rangeSets)).toEqual([[['10.1.2.0/24', '10.1.2.9', '10.1.2.20', '10.1.2.30']]]);
    expect(c.dataDir).toBe('/var/lib/cni/networks');
  });

  test('parses a new-style config', () => {
    const c = load(net({ ranges: [[r9('10.1.2'), { subnet: '10.1.4.0/24' }], [r9('11.1.2')]] }));
    expect(shape(c.rangeSets)).toEqual([
      [
        ['10.1.2.0/24', '10.1.2.9', '10.1.2.20', '10.1.2.30'],
        ['10.1.4.0/24', '10.1.4.1', '10.1.4.254', '10.1.4.1'],
      ],
      [['11.1.2.0/24', '11.1.2.9', '11.1.2.20', '11.1.2.30']],
    ]);
  });

  test('parses a mixed config with runtime args: runtimeConfig.ipRanges first, then the legacy range', () => {
    const c = load(
      net(
        { ...r9('10.1.2'), ranges: [[r9('11.1.2')]] },
        { runtimeConfig: { irrelevant: 'a', ipRanges: [[{ subnet: '12.1.3.0/24' }]] } },
      ),
    );
    expect(shape(c.rangeSets)).toEqual([
      [['12.1.3.0/24', '12.1.3.1', '12.1.3.254', '12.1.3.1']],
      [['10.1.2.0/24', '10.1.2.9', '10.1.2.20', '10.1.2.30']],
      [['11.1.2.0/24', '11.1.2.9', '11.1.2.20', '11.1.2.30']],
    ]);
  });

  test.each([
    { name: 'without prefix', env: 'IP=10.1.2.10', want: ['10.1.2.10'] },
    { name: 'with prefix', env: 'IP=10.1.2.11/24', want: ['10.1.2.11'] },
  ])('parses CNI_ARGS env $name', ({ env, want }) => {
    const c = load(net({ ranges: [[r9('10.1.2')]] }), env);
    expect(c.requestedIPs.map(formatIP)).toEqual(want);
  });

  test.each([
    { name: 'without prefix', ips: ['10.1.2.11', '11.11.11.11', '2001:db8:1::11'], env: 'IP=10.1.2.10' },
    { name: 'with prefix', ips: ['10.1.2.11/24', '11.11.11.11/24', '2001:db8:1::11/64'], env: 'IP=10.1.2.10/24' },
  ])('parses config args $name: CNI_ARGS first, then args.cni.ips', ({ ips, env }) => {
    const c = load(
      net({ ranges: [[r9('10.1.2')], [r9('11.1.2')], [{ subnet: '2001:db8:1::/64' }]] }, { args: { cni: { ips } } }),
      env,
    );
    expect(c.requestedIPs.map(formatIP)).toEqual(['10.1.2.10', '10.1.2.11', '11.11.11.11', '2001:db8:1::11']);
  });

  test.each([
    {
      name: 'overlap between range sets',
      ipam: {
        ranges: [
          [{ subnet: '10.1.2.0/24' }, { subnet: '10.2.2.0/24' }],
          [{ subnet: '10.1.4.0/24' }, { subnet: '10.1.6.0/24' }, { subnet: '10.1.8.0/24' }, { subnet: '10.1.2.0/24' }],
        ],
      },
      err: 'range set 0 overlaps with 1',
    },
    {
      name: 'overlap within a range set',
      ipam: { ranges: [[{ subnet: '10.1.0.0/22' }, { subnet: '10.1.2.0/24' }]] },
      err: 'invalid range set 0: subnets 10.1.0.1-10.1.3.254 and 10.1.2.1-10.1.2.254 overlap',
    },
    {
      name: 'range sets with different families',
      ipam: { ranges: [[{ subnet: '10.1.0.0/22' }, { subnet: '2001:db8:5::/64' }]] },
      err: 'invalid range set 0: mixed address families',
    },
  ])('detects $name', ({ ipam, err }) => {
    expect(() => load(net(ipam))).toThrow(new RegExp(`^${err.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`));
  });

  test('errors on too many ranges for 0.2.0, allows one v4 and one v6', () => {
    const two = net({ ranges: [[{ subnet: '10.1.2.0/24' }], [{ subnet: '11.1.2.0/24' }]] }, {}, '0.2.0');
    expect(() => load(two)).toThrow(/^CNI version 0\.2\.0 does not support more than 1 address per family$/);
    const dual = net({ ranges: [[{ subnet: '10.1.2.0/24' }], [{ subnet: '2001:db8:1::/48' }]] }, {}, '0.2.0');
    expect(load(dual).rangeSets).toHaveLength(2);
  });

  test('parses custom IPs from runtime configuration', () => {
    const c = load(
      net({ subnet: '10.1.2.0/24' }, { runtimeConfig: { ips: ['192.168.0.1', '192.168.0.5/24', '2001:db8::1/64'] } }),
    );
    expect(c.requestedIPs.map(formatIP)).toEqual(['192.168.0.1', '192.168.0.5', '2001:db8::1']);
  });
});

describe('parsing resolv.conf (dns_test.go)', () => {
  test.each([
    {
      name: 'a simple resolv.conf file',
      text: '\n\t\tnameserver 192.0.2.0\n\t\tnameserver 192.0.2.1\n\t\t',
      want: { nameservers: ['192.0.2.0', '192.0.2.1'] },
    },
    {
      name: 'comments',
      text: '\nnameserver 192.0.2.0\n;nameserver 192.0.2.1\n',
      want: { nameservers: ['192.0.2.0'] },
    },
    {
      name: 'all fields',
      text: [
        'nameserver 192.0.2.0',
        'nameserver 192.0.2.2',
        'domain example.com',
        ';nameserver comment',
        '#nameserver comment',
        'search example.net example.org',
        'search example.gov',
        'options one two three',
        'options four',
      ].join('\n'),
      want: {
        nameservers: ['192.0.2.0', '192.0.2.2'],
        domain: 'example.com',
        search: ['example.net', 'example.org', 'example.gov'],
        options: ['one', 'two', 'three', 'four'],
      },
    },
  ])('parses $name', ({ text, want }) => {
    expect(parseResolvConf(text)).toEqual(want);
  });
});
