import { describe, expect, test } from 'vitest';
import { IpamError } from '../../src/errors.js';
import { CidrSet } from '../../src/ipam/cidr-set.js';
import { formatCIDR, parseCIDR } from '../../src/net/cidr.js';

const cidr = (s: string) => parseCIDR(s)!;

describe('CidrSet (kube-controller-manager cidrset)', () => {
  test('index to CIDR as upstream TestIndexToCIDRBlock, host bits of the cluster CIDR ignored', () => {
    expect(formatCIDR(new CidrSet(cidr('127.123.0.0/16'), 24).cidrAt(15))).toBe('127.123.15.0/24');
    expect(formatCIDR(new CidrSet(cidr('127.123.3.0/16'), 24).cidrAt(0))).toBe('127.123.0.0/24');
  });

  test('allocateNext goes on after the last allocation; release does not move it back', () => {
    const s = new CidrSet(cidr('10.244.0.0/16'), 24);
    expect(['a', 'b', 'c'].map(() => formatCIDR(s.allocateNext()))).toEqual([
      '10.244.0.0/24',
      '10.244.1.0/24',
      '10.244.2.0/24',
    ]);
    s.release(cidr('10.244.1.0/24'));
    expect(formatCIDR(s.allocateNext())).toBe('10.244.3.0/24');
  });

  test('a full set errors, and a release gives back exactly that CIDR (TestCIDRSetFullyAllocated)', () => {
    const s = new CidrSet(cidr('10.0.0.0/30'), 32);
    for (let i = 0; i < 4; i++) s.allocateNext();
    expect(() => s.allocateNext()).toThrow(/no remaining CIDRs left to allocate/);
    s.release(cidr('10.0.0.2/32'));
    expect(formatCIDR(s.allocateNext())).toBe('10.0.0.2/32');
  });

  test('occupy covers every block of a larger CIDR and does not move the search position', () => {
    const s = new CidrSet(cidr('10.42.0.0/16'), 24);
    s.occupy(cidr('10.42.0.0/22'));
    expect(s.count).toBe(4);
    expect(formatCIDR(s.allocateNext())).toBe('10.42.4.0/24');
    expect(() => s.occupy(cidr('10.43.0.0/24'))).toThrow(/is out the range of cluster cidr 10.42.0.0\/16/);
  });

  test('IPv6 limit of 16 bits between cluster and node mask', () => {
    expect(new CidrSet(cidr('fd00:10:244::/56'), 64).max).toBe(256);
    expect(() => new CidrSet(cidr('fd00:10:244::/40'), 64)).toThrow(IpamError);
  });

  test('a 65,536-block /8 allocates its last block after skipping full words', () => {
    const s = new CidrSet(cidr('10.0.0.0/8'), 24);
    for (let i = 0; i < 65535; i++) s.allocateNext();
    expect(formatCIDR(s.allocateNext())).toBe('10.255.255.0/24');
  });
});
