import { describe, expect, test } from 'vitest';
import { parseRangeSet } from '../../src/ipam/range-set.js';
import { formatIP, parseIP } from '../../src/net/ip.js';

const first = (set: ReturnType<typeof parseRangeSet>, last: string | undefined, n: number) => {
  const out: string[] = [];
  for (const c of set.candidates(last ? parseIP(last) : undefined)) {
    out.push(formatIP(c.ip));
    if (out.length === n) break;
  }
  return out;
};

describe('RangeSet', () => {
  test('candidates start at rangeStart, skip the gateway, wrap across ranges, end at the start', () => {
    const set = parseRangeSet([{ subnet: '10.0.0.0/30' }, { subnet: '10.0.1.0/30' }], 'r');
    expect(first(set, undefined, 10)).toEqual(['10.0.0.2', '10.0.1.2']);
    expect(String(set)).toBe('10.0.0.1-10.0.0.2,10.0.1.1-10.0.1.2');
  });

  test('candidates continue after the last reserved IP and end with it', () => {
    const set = parseRangeSet(
      [{ subnet: '10.22.0.0/24', rangeStart: '10.22.0.10', rangeEnd: '10.22.0.20', gateway: '10.22.0.12' }],
      'r',
    );
    expect(first(set, '10.22.0.18', 20)).toEqual([
      '10.22.0.19',
      '10.22.0.20',
      '10.22.0.10',
      '10.22.0.11',
      '10.22.0.13',
      '10.22.0.14',
      '10.22.0.15',
      '10.22.0.16',
      '10.22.0.17',
      '10.22.0.18',
    ]);
    // A cursor outside the set (config changed) restarts at rangeStart.
    expect(first(set, '10.99.0.1', 2)).toEqual(['10.22.0.10', '10.22.0.11']);
  });

  test('an IPv6 /64 range set is iterated lazily', () => {
    const set = parseRangeSet([{ subnet: 'fd00:10:244:1::/64' }], 'r');
    expect(first(set, 'fd00:10:244:1:ffff:ffff:ffff:fffe', 3)).toEqual([
      'fd00:10:244:1:ffff:ffff:ffff:ffff',
      'fd00:10:244:1::2',
      'fd00:10:244:1::3',
    ]);
    expect(set.capacity()).toBe(2n ** 64n - 2n);
  });

  test.each([
    { name: 'empty set', raw: [], err: 'r: empty range set' },
    { name: 'not an array', raw: { subnet: '10.0.0.0/24' }, err: 'must be an array' },
    {
      name: 'mixed families',
      raw: [{ subnet: '10.0.0.0/24' }, { subnet: 'fd00::/64' }],
      err: 'mixed address families',
    },
    {
      name: 'overlapping ranges',
      raw: [{ subnet: '10.0.0.0/24' }, { subnet: '10.0.0.0/24', rangeStart: '10.0.0.100' }],
      err: 'subnets 10.0.0.1-10.0.0.254 and 10.0.0.100-10.0.0.254 overlap',
    },
    {
      name: 'a bad range inside',
      raw: [{ subnet: '10.0.0.0/24' }, { subnet: '10.0.1.0/31' }],
      err: 'r: Network 10.0.1.0/31 too small',
    },
  ])('rejects $name', ({ raw, err }) => {
    expect(() => parseRangeSet(raw, 'r')).toThrow(err);
  });
});
