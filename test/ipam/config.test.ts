import { describe, expect, test } from 'vitest';
import { parseIpamConfig } from '../../src/ipam/config.js';
import { formatIP } from '../../src/net/ip.js';

describe('parseIpamConfig', () => {
  test('runtimeConfig.ipRanges first, then the legacy range, then ranges; requested IPs merged', () => {
    const c = parseIpamConfig(
      {
        name: 'n',
        ipam: { subnet: '10.1.0.0/24', ranges: [[{ subnet: '10.2.0.0/24' }]], routes: [{ dst: '0.0.0.0/0' }] },
        runtimeConfig: { ipRanges: [[{ subnet: '10.3.0.0/24' }]], ips: ['10.2.0.9/24'] },
        args: { cni: { ips: ['10.1.0.7'] } },
      },
      '1.1.0',
    );
    expect(c.rangeSets.map(String)).toEqual(['10.3.0.1-10.3.0.254', '10.1.0.1-10.1.0.254', '10.2.0.1-10.2.0.254']);
    expect(c.requestedIPs.map(formatIP)).toEqual(['10.1.0.7', '10.2.0.9']);
    expect(c.dataDir).toBe('/var/lib/cni/networks');
  });

  test.each([
    { name: 'no ipam key', net: { name: 'n' }, err: "IPAM config missing 'ipam' key" },
    { name: 'no ranges', net: { name: 'n', ipam: {} }, err: 'no IP ranges specified' },
    {
      name: 'overlapping range sets',
      net: { name: 'n', ipam: { ranges: [[{ subnet: '10.0.0.0/24' }], [{ subnet: '10.0.0.0/25' }]] } },
      err: 'range set 0 overlaps with 1',
    },
    {
      name: 'bad route',
      net: { name: 'n', ipam: { ranges: [[{ subnet: '10.0.0.0/24' }]], routes: [{ dst: 'x' }] } },
      err: 'invalid CIDR address: x',
    },
    {
      name: 'bad requested IP',
      net: { name: 'n', ipam: { ranges: [[{ subnet: '10.0.0.0/24' }]] }, runtimeConfig: { ips: ['nope'] } },
      err: 'invalid IP address nope',
    },
  ])('rejects $name', ({ net, err }) => {
    expect(() => parseIpamConfig(net, '1.1.0')).toThrow(err);
  });

  test('cniVersion 0.2.0 allows one range set per family', () => {
    const net = { name: 'n', ipam: { ranges: [[{ subnet: '10.0.0.0/24' }], [{ subnet: '10.1.0.0/24' }]] } };
    expect(() => parseIpamConfig(net, '0.2.0')).toThrow(
      'CNI version 0.2.0 does not support more than 1 address per family',
    );
    expect(parseIpamConfig(net, '0.3.1').rangeSets).toHaveLength(2);
  });
});
