import { describe, expect, test } from 'vitest';
import {
  addressAt,
  cidrContains,
  cidrSize,
  cidrsOverlap,
  formatCIDR,
  lastAddress,
  offsetOf,
  parseCIDR,
  parseCIDRText,
  subnetAt,
  subnetCount,
  subnetIndexOf,
} from '../../src/net/cidr.js';
import { formatIP, parseIP } from '../../src/net/ip.js';

const cidr = (s: string) => parseCIDR(s)!;
const ip = (s: string) => parseIP(s)!;

describe('CIDR math', () => {
  test('host bits are reported and cleared', () => {
    const p = parseCIDRText('10.244.3.7/16')!;
    expect(p.hostBitsSet).toBe(true);
    expect(formatCIDR(p.cidr)).toBe('10.244.0.0/16');
    expect(parseCIDRText('10.244.0.0/16')!.hostBitsSet).toBe(false);
  });

  test.each([
    { name: 'no prefix', text: '10.0.0.0' },
    { name: 'prefix too long', text: '10.0.0.0/33' },
    { name: 'IPv6 prefix too long', text: 'fd00::/129' },
    { name: 'leading zero address', text: '010.0.0.0/8' },
  ])('rejects $name', ({ text }) => {
    expect(parseCIDR(text)).toBeUndefined();
  });

  test('a prefix with leading zeros is read as Go reads it (host-local accepts "/024")', () => {
    expect(formatCIDR(parseCIDR('10.0.0.0/024')!)).toBe('10.0.0.0/24');
  });

  test('a /8 is sized, indexed and searched without enumeration', () => {
    const c = cidr('10.0.0.0/8');
    expect(cidrSize(c)).toBe(16777216n);
    expect(formatIP(lastAddress(c))).toBe('10.255.255.255');
    expect(formatIP(addressAt(c, 65536n + 5n))).toBe('10.1.0.5');
    expect(offsetOf(c, ip('10.1.0.5'))).toBe(65541n);
    expect(offsetOf(c, ip('11.0.0.0'))).toBeUndefined();
    expect(subnetCount(c, 24)).toBe(65536n);
    expect(formatCIDR(subnetAt(c, 24, 65535n))).toBe('10.255.255.0/24');
    expect(subnetIndexOf(c, 24, ip('10.2.3.4'))).toBe(515n);
  });

  test('an IPv6 /64 and subnets of a /48', () => {
    const c = cidr('fd00:10:244:1::/64');
    expect(cidrSize(c)).toBe(2n ** 64n);
    expect(formatIP(lastAddress(c))).toBe('fd00:10:244:1:ffff:ffff:ffff:ffff');
    expect(formatIP(addressAt(c, 2n))).toBe('fd00:10:244:1::2');
    expect(cidrContains(c, ip('fd00:10:244:2::1'))).toBe(false);
    // upstream TestIndexToCIDRBlock: 2001:db8:1234::/48, /64, index 15 -> 2001:db8:1234:f::/64
    expect(formatCIDR(subnetAt(cidr('2001:db8:1234::/48'), 64, 15n))).toBe('2001:db8:1234:f::/64');
  });

  test('overlap and families', () => {
    expect(cidrsOverlap(cidr('10.0.0.0/8'), cidr('10.244.0.0/16'))).toBe(true);
    expect(cidrsOverlap(cidr('10.0.0.0/16'), cidr('10.1.0.0/16'))).toBe(false);
    expect(cidrContains(cidr('10.0.0.0/8'), ip('::a00:1'))).toBe(false);
    expect(() => subnetAt(cidr('10.0.0.0/16'), 24, 256n)).toThrow(RangeError);
  });
});
