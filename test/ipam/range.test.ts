import { describe, expect, test } from 'vitest';
import { IpamError } from '../../src/errors.js';
import { formatRange, parseRange, rangeCapacity } from '../../src/ipam/range.js';
import { formatIP } from '../../src/net/ip.js';

describe('parseRange (host-local Range.Canonicalize, as a new value)', () => {
  test.each([
    {
      name: 'IPv4 defaults: .1 start and gateway, broadcast-1 end',
      raw: { subnet: '10.1.2.0/24' },
      range: '10.1.2.1-10.1.2.254',
      gw: '10.1.2.1',
      cap: 253n,
    },
    {
      name: 'IPv6 defaults: the last address is allocatable',
      raw: { subnet: 'fd00::/120' },
      range: 'fd00::1-fd00::ff',
      gw: 'fd00::1',
      cap: 254n,
    },
    {
      name: 'explicit bounds may include network and broadcast',
      raw: { subnet: '10.8.0.0/29', rangeStart: '10.8.0.0', rangeEnd: '10.8.0.7' },
      range: '10.8.0.0-10.8.0.7',
      gw: '10.8.0.1',
      cap: 7n,
    },
    {
      name: 'gateway outside the range',
      raw: { subnet: '10.9.0.0/24', gateway: '10.9.0.254' },
      range: '10.9.0.1-10.9.0.254',
      gw: '10.9.0.254',
      cap: 253n,
    },
  ])('$name', ({ raw, range, gw, cap }) => {
    const r = parseRange(raw, 'ipam.ranges[0][0]');
    expect(formatRange(r)).toBe(range);
    expect(formatIP(r.gateway)).toBe(gw);
    expect(rangeCapacity(r)).toBe(cap);
    expect(Object.isFrozen(r)).toBe(true);
  });

  test.each([
    {
      name: 'host bits',
      raw: { subnet: '10.0.0.5/24' },
      err: 'Network has host bits set. For a subnet mask of length 24 the network address is 10.0.0.0',
      field: 'ipam.ranges[0][0].subnet',
    },
    {
      name: 'a /31',
      raw: { subnet: '10.9.0.0/31' },
      err: 'Network 10.9.0.0/31 too small to allocate from',
      field: 'ipam.ranges[0][0].subnet',
    },
    { name: 'a /127', raw: { subnet: 'FD00::/127' }, err: 'Network fd00::/127 too small to allocate from' },
    {
      name: 'rangeStart outside',
      raw: { subnet: '10.0.0.0/24', rangeStart: '10.0.1.1' },
      err: 'RangeStart 10.0.1.1 not in network 10.0.0.0/24',
      field: 'ipam.ranges[0][0].rangeStart',
    },
    {
      // upstream checks rangeStart against the explicit rangeEnd first
      name: 'rangeEnd before rangeStart',
      raw: { subnet: '10.0.0.0/24', rangeStart: '10.0.0.9', rangeEnd: '10.0.0.3' },
      err: 'RangeStart 10.0.0.9 not in network 10.0.0.0/24',
    },
    {
      name: 'rangeEnd before the default rangeStart',
      raw: { subnet: '10.0.0.0/24', rangeEnd: '10.0.0.0' },
      err: 'RangeEnd 10.0.0.0 not in network 10.0.0.0/24',
      field: 'ipam.ranges[0][0].rangeEnd',
    },
    {
      name: 'rangeEnd of the other family',
      raw: { subnet: '10.0.0.0/24', rangeEnd: 'fd00::1' },
      err: 'RangeEnd fd00::1 not in network 10.0.0.0/24',
    },
    {
      name: 'missing subnet',
      raw: { rangeStart: '10.0.0.1' },
      err: 'IP <nil> not v4 nor v6',
      field: 'ipam.ranges[0][0].subnet is required',
    },
    { name: 'garbage subnet', raw: { subnet: 'foo' }, err: 'invalid CIDR address: foo' },
    {
      name: 'garbage address',
      raw: { subnet: '10.0.0.0/24', gateway: 'ten' },
      err: 'invalid IP address: ten',
      field: 'ipam.ranges[0][0].gateway',
    },
    { name: 'family mismatch', raw: { subnet: '10.0.0.0/24', gateway: 'fd00::1' }, err: 'not in the address family' },
    { name: 'IPv4-mapped subnet', raw: { subnet: '::ffff:10.0.0.0/120' }, err: 'IPv4-mapped' },
  ])('rejects $name', ({ raw, err, field }) => {
    let thrown: unknown;
    try {
      parseRange(raw, 'ipam.ranges[0][0]');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(IpamError);
    expect((thrown as IpamError).message).toContain(err);
    if (field) expect((thrown as IpamError).details).toBe(field);
  });
});
