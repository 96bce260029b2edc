import { expect, test } from 'vitest';
import { cidrReverseZones, dashedIP, ipToReverse, reverseToIP } from '../../src/dns/reverse.js';

test.each([
  {
    name: 'IPv4 on an octet boundary',
    family: 'IPv4' as const,
    net: '10.96.0.0',
    prefix: 24,
    want: ['0.96.10.in-addr.arpa'],
  },
  { name: 'IPv4 /8', family: 'IPv4' as const, net: '10.0.0.0', prefix: 8, want: ['10.in-addr.arpa'] },
  {
    name: 'IPv4 off the boundary splits into the next longer zones',
    family: 'IPv4' as const,
    net: '10.0.0.0',
    prefix: 23,
    want: ['0.0.10.in-addr.arpa', '1.0.10.in-addr.arpa'],
  },
  {
    name: 'IPv4 /12 is sixteen /16 zones',
    family: 'IPv4' as const,
    net: '10.96.0.0',
    prefix: 12,
    want: Array.from({ length: 16 }, (_, i) => `${96 + i}.10.in-addr.arpa`),
  },
  { name: 'IPv4 /0', family: 'IPv4' as const, net: '0.0.0.0', prefix: 0, want: ['in-addr.arpa'] },
  {
    name: 'IPv6 on a nibble boundary',
    family: 'IPv6' as const,
    net: '1234:abcd::',
    prefix: 64,
    want: ['0.0.0.0.0.0.0.0.d.c.b.a.4.3.2.1.ip6.arpa'],
  },
  {
    name: 'IPv6 off the nibble boundary',
    family: 'IPv6' as const,
    net: 'fc00::',
    prefix: 7,
    want: ['c.f.ip6.arpa', 'd.f.ip6.arpa'],
  },
])('cidrReverseZones: $name', ({ family, net, prefix, want }) => {
  expect(cidrReverseZones(family, net, prefix)).toEqual(want);
});

test('reverse names and dashed forms', () => {
  expect(reverseToIP(ipToReverse('10.96.0.100'))).toBe('10.96.0.100');
  expect(reverseToIP(ipToReverse('fd00:10:96::5'))).toBe('fd00:10:96::5');
  expect(dashedIP('2001:db8:3333:4444:5555:6666::')).toBe('2001-db8-3333-4444-5555-6666--0');
  expect(dashedIP('2001:db8:3333:4444:5555:6666:7777:8888')).toBe('2001-db8-3333-4444-5555-6666-7777-8888');
});
