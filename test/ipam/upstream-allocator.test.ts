// containernetworking/plugins plugins/ipam/host-local/backend/allocator/allocator_test.go,
// range_test.go and range_set_test.go, reproduced against our allocator on the memory store (they are
// unit tests of host-local's allocator there too, with a fake store). Expected values are upstream's.
import { describe, expect, test } from 'vitest';
import { IpamError } from '../../src/errors.js';
import { allocateAll, RangeAllocator, releaseAll } from '../../src/ipam/allocator.js';
import { formatRange, parseRange, rangeContains } from '../../src/ipam/range.js';
import { parseRangeSet, type RangeSet } from '../../src/ipam/range-set.js';
import { MemoryIpamStore } from '../../src/ipam/stores/memory.js';
import { formatIP, parseIP } from '../../src/net/ip.js';

const owner = (id: string) => ({ containerId: id, ifname: 'eth0' });
const subnets = (...s: string[]) =>
  parseRangeSet(
    s.map((subnet) => ({ subnet })),
    'r',
  );

/** A store holding `ipmap` (ip -> container) and `lastIP` as range set 0's cursor. */
async function seeded(ipmap: Record<string, string | undefined>, lastIP?: string): Promise<MemoryIpamStore> {
  const s = new MemoryIpamStore();
  for (const [ip, id] of Object.entries(ipmap)) if (id && ip !== lastIP) await s.reserve(ip, owner(id), 0);
  if (lastIP) {
    await s.reserve(lastIP, owner(ipmap[lastIP] ?? 'cursor'), 0);
    if (!(lastIP in ipmap)) await s.release(lastIP);
  }
  return s;
}

/** The first `n` candidates the set's iterator yields after the store's cursor (upstream's nextip()). */
async function iter(set: RangeSet, store: MemoryIpamStore, n = 100): Promise<string[]> {
  const last = await store.lastReserved(0);
  const out: string[] = [];
  for (const c of set.candidates(last === undefined ? undefined : parseIP(last))) {
    out.push(formatIP(c.ip));
    if (out.length === n) break;
  }
  return out;
}

const get = (set: RangeSet, store: MemoryIpamStore, id: string, requested?: string) =>
  new RangeAllocator(set, 0, store).allocate(owner(id), requested ? parseIP(requested) : undefined);

describe('host-local ip allocator: RangeIter', () => {
  const mk = () => subnets('192.168.1.0/29');

  test('loops correctly from the beginning', async () => {
    expect(await iter(mk(), new MemoryIpamStore())).toEqual([
      '192.168.1.2',
      '192.168.1.3',
      '192.168.1.4',
      '192.168.1.5',
      '192.168.1.6',
    ]);
  });

  test('loops correctly from the end (cursor on the last address, which was released)', async () => {
    const s = new MemoryIpamStore();
    await s.reserve('192.168.1.6', owner('ID'), 0);
    await releaseAll(s, owner('ID'));
    expect(await iter(mk(), s)).toEqual(['192.168.1.2', '192.168.1.3', '192.168.1.4', '192.168.1.5', '192.168.1.6']);
  });

  test('loops correctly from the middle', async () => {
    const s = new MemoryIpamStore();
    await s.reserve('192.168.1.3', owner('ID'), 0);
    await releaseAll(s, owner('ID'));
    expect(await iter(mk(), s)).toEqual(['192.168.1.4', '192.168.1.5', '192.168.1.6', '192.168.1.2', '192.168.1.3']);
  });

  // newAllocatorWithMultiRanges: explicit bounds that include the network and broadcast addresses.
  const multi = () =>
    parseRangeSet(
      [
        { subnet: '192.168.1.0/30', rangeStart: '192.168.1.0', rangeEnd: '192.168.1.3' },
        { subnet: '192.168.2.0/30', rangeStart: '192.168.2.0', rangeEnd: '192.168.2.3' },
      ],
      'r',
    );

  test('lastReservedIP at the end of one of multi ranges: the next range starts the iteration', async () => {
    const s = new MemoryIpamStore();
    expect(await s.reserve('192.168.1.3', owner('ID'), 0)).toBe(true);
    expect((await iter(multi(), s, 1))[0]).toBe('192.168.2.0');
  });

  test('no lastReservedIP: the first range start is the first candidate', async () => {
    expect((await iter(multi(), new MemoryIpamStore(), 1))[0]).toBe('192.168.1.0');
  });
});

describe('host-local ip allocator: when has free ip', () => {
  test.each([
    { name: 'fresh start', subnets: ['10.0.0.0/29'], ipmap: {}, lastIP: '', expect: '10.0.0.2' },
    { name: 'fresh start IPv6', subnets: ['2001:db8:1::0/64'], ipmap: {}, lastIP: '', expect: '2001:db8:1::2' },
    { name: 'fresh start /30', subnets: ['10.0.0.0/30'], ipmap: {}, lastIP: '', expect: '10.0.0.2' },
    { name: 'first taken', subnets: ['10.0.0.0/29'], ipmap: { '10.0.0.2': 'id' }, lastIP: '', expect: '10.0.0.3' },
    {
      name: 'next ip of last reserved ip',
      subnets: ['10.0.0.0/29'],
      ipmap: {},
      lastIP: '10.0.0.5',
      expect: '10.0.0.6',
    },
    {
      name: 'next free after the last reserved ip',
      subnets: ['10.0.0.0/29'],
      ipmap: { '10.0.0.4': 'id', '10.0.0.5': 'id' },
      lastIP: '10.0.0.3',
      expect: '10.0.0.6',
    },
    {
      name: 'round robin to the beginning',
      subnets: ['10.0.0.0/29'],
      ipmap: { '10.0.0.6': 'id' },
      lastIP: '10.0.0.5',
      expect: '10.0.0.2',
    },
    {
      name: 'lastIP is out of range',
      subnets: ['10.0.0.0/29'],
      ipmap: { '10.0.0.2': 'id' },
      lastIP: '10.0.0.128',
      expect: '10.0.0.3',
    },
    {
      name: 'subnet completely full except for lastIP: wrap around and reserve lastIP',
      subnets: ['10.0.0.0/29'],
      ipmap: { '10.0.0.2': 'id', '10.0.0.4': 'id', '10.0.0.5': 'id', '10.0.0.6': 'id' },
      lastIP: '10.0.0.3',
      expect: '10.0.0.3',
    },
    {
      name: 'allocate from multiple subnets',
      subnets: ['10.0.0.0/30', '10.0.1.0/30'],
      ipmap: {},
      lastIP: '',
      expect: '10.0.0.2',
    },
    {
      name: 'advance to next subnet',
      subnets: ['10.0.0.0/30', '10.0.1.0/30'],
      ipmap: {},
      lastIP: '10.0.0.2',
      expect: '10.0.1.2',
    },
    {
      name: 'roll to start subnet',
      subnets: ['10.0.0.0/30', '10.0.1.0/30', '10.0.2.0/30'],
      ipmap: {},
      lastIP: '10.0.2.2',
      expect: '10.0.0.2',
    },
  ])('allocates in round robin: $name', async (tc) => {
    const s = await seeded(tc.ipmap, tc.lastIP || undefined);
    const a = await get(subnets(...tc.subnets), s, 'ID');
    expect(formatIP(a.ip)).toBe(tc.expect);
  });

  test('does not allocate the broadcast address', async () => {
    const set = subnets('192.168.1.0/29');
    const s = new MemoryIpamStore();
    for (let i = 2; i < 7; i++) {
      const a = await get(set, s, `ID${i}`);
      expect(`${formatIP(a.ip)}/${a.range.subnet.prefix}`).toBe(`192.168.1.${i}/29`);
    }
    await expect(get(set, s, 'ID8')).rejects.toThrow('no IP addresses available in range set');
  });

  test('allocates in a round-robin fashion: a released address is not handed out next', async () => {
    const set = subnets('192.168.1.0/29');
    const s = new MemoryIpamStore();
    expect(formatIP((await get(set, s, 'ID')).ip)).toBe('192.168.1.2');
    await releaseAll(s, owner('ID'));
    expect(formatIP((await get(set, s, 'ID')).ip)).toBe('192.168.1.3');
  });

  test('must allocate the requested IP', async () => {
    expect(formatIP((await get(subnets('192.168.1.0/29'), new MemoryIpamStore(), 'ID', '192.168.1.5')).ip)).toBe(
      '192.168.1.5',
    );
  });

  test('must fail when the requested IP is allocated', async () => {
    const set = subnets('192.168.1.0/29');
    const s = new MemoryIpamStore();
    await get(set, s, 'ID', '192.168.1.5');
    await expect(get(set, s, 'ID', '192.168.1.5')).rejects.toThrow(
      /^requested IP address 192\.168\.1\.5 is not available in range set 192\.168\.1\.1-192\.168\.1\.6$/,
    );
  });

  test.each([
    { name: 'after RangeEnd', range: { rangeEnd: '192.168.1.4' }, ip: '192.168.1.5' },
    { name: 'before RangeStart', range: { rangeStart: '192.168.1.3' }, ip: '192.168.1.2' },
  ])('returns an error when the requested IP is $name', async ({ range, ip }) => {
    const set = parseRangeSet([{ subnet: '192.168.1.0/29', ...range }], 'r');
    // Through an ADD: an IP no set contains is left over (upstream's RangeFor error, one level up).
    await expect(allocateAll(new MemoryIpamStore(), [set], owner('ID'), [parseIP(ip)!])).rejects.toThrow(
      `failed to allocate all requested IPs: ${ip}`,
    );
  });
});

describe('host-local ip allocator: when out of ips', () => {
  test.each([
    { name: '/30 with its one address taken', subnets: ['10.0.0.0/30'], ipmap: { '10.0.0.2': 'id' } },
    {
      name: '/29 full',
      subnets: ['10.0.0.0/29'],
      ipmap: { '10.0.0.2': 'id', '10.0.0.3': 'id', '10.0.0.4': 'id', '10.0.0.5': 'id', '10.0.0.6': 'id' },
    },
    { name: 'two /30s full', subnets: ['10.0.0.0/30', '10.0.1.0/30'], ipmap: { '10.0.0.2': 'id', '10.0.1.2': 'id' } },
  ])('returns a meaningful error: $name', async (tc) => {
    const set = subnets(...tc.subnets);
    const err = await get(set, await seeded(tc.ipmap), 'ID').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IpamError);
    expect((err as IpamError).message).toBe(`no IP addresses available in range set: ${set}`);
  });
});

describe('IP ranges (range_test.go)', () => {
  test.each([
    { name: 'ipv4 with a clean prefix', subnet: '192.0.2.0/24', want: ['192.0.2.1', '192.0.2.254', '192.0.2.1'] },
    { name: 'a smaller ipv4 subnet', subnet: '192.0.2.0/25', want: ['192.0.2.1', '192.0.2.126', '192.0.2.1'] },
    {
      name: 'ipv6 with a clean prefix',
      subnet: '2001:DB8:1::/64',
      want: ['2001:db8:1::1', '2001:db8:1:0:ffff:ffff:ffff:ffff', '2001:db8:1::1'], // one zero group is not ::
    },
  ])('generates sane defaults for $name', ({ subnet, want }) => {
    const r = parseRange({ subnet }, 'r');
    expect([r.rangeStart, r.rangeEnd, r.gateway].map(formatIP)).toEqual(want);
  });

  test.each([
    {
      subnet: '192.0.2.12/24',
      err: 'Network has host bits set. For a subnet mask of length 24 the network address is 192.0.2.0',
    },
    {
      subnet: '2001:DB8:1::24:19ff:fee1:c44a/64',
      err: 'Network has host bits set. For a subnet mask of length 64 the network address is 2001:db8:1::',
    },
    {
      subnet: '2001:DB8:24:19ff::/63',
      err: 'Network has host bits set. For a subnet mask of length 63 the network address is 2001:db8:24:19fe::',
    },
    {
      subnet: '192.168.127.0/23',
      err: 'Network has host bits set. For a subnet mask of length 23 the network address is 192.168.126.0',
    },
    { subnet: '192.0.2.0/31', err: 'Network 192.0.2.0/31 too small to allocate from' },
  ])('rejects $subnet', ({ subnet, err }) => {
    expect(() => parseRange({ subnet }, 'r')).toThrow(new RegExp(`^${err.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`));
  });

  test.each([
    { raw: { rangeStart: '192.0.3.0' }, err: 'RangeStart 192.0.3.0 not in network 192.0.2.0/24' },
    { raw: { rangeEnd: '192.0.4.0' }, err: 'RangeEnd 192.0.4.0 not in network 192.0.2.0/24' },
    {
      raw: { rangeStart: '192.0.2.50', rangeEnd: '192.0.2.40' },
      err: 'RangeStart 192.0.2.50 not in network 192.0.2.0/24',
    },
  ])('rejects invalid RangeStart and RangeEnd: $err', ({ raw, err }) => {
    let msg = '';
    try {
      parseRange({ subnet: '192.0.2.0/24', ...raw }, 'r');
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toBe(err);
  });

  test('parses all fields correctly', () => {
    const r = parseRange(
      { subnet: '192.0.2.0/24', rangeStart: '192.0.2.40', rangeEnd: '192.0.2.50', gateway: '192.0.2.254' },
      'r',
    );
    expect([formatRange(r), formatIP(r.gateway)]).toEqual(['192.0.2.40-192.0.2.50', '192.0.2.254']);
  });

  test.each([
    {
      name: 'v4',
      raw: { subnet: '192.0.2.0/24', rangeStart: '192.0.2.40', rangeEnd: '192.0.2.50', gateway: '192.0.2.254' },
      in: ['192.0.2.40', '192.0.2.50'],
      out: ['192.0.3.0', '192.0.2.39', '192.0.2.51'],
    },
    {
      name: 'v6',
      raw: { subnet: '2001:DB8:1::/64', rangeStart: '2001:db8:1::40', rangeEnd: '2001:db8:1::50' },
      in: ['2001:db8:1::40', '2001:db8:1::50'],
      out: ['2001:db8:2::', '2001:db8:1::39', '2001:db8:1::51'],
    },
  ])('accepts $name IPs in range and rejects IPs out of range', (tc) => {
    const r = parseRange(tc.raw, 'r');
    for (const ip of tc.in) expect(rangeContains(r, parseIP(ip)!)).toBe(true);
    for (const ip of tc.out) expect(rangeContains(r, parseIP(ip)!)).toBe(false);
  });

  test.each([
    { name: 'non-overlapping', a: { subnet: '10.0.0.0/24' }, b: { subnet: '10.0.1.0/24' }, overlap: false },
    { name: 'different families', a: { subnet: '0.0.0.0/24' }, b: { subnet: '::/24' }, overlap: false },
    { name: 'identical', a: { subnet: '10.0.0.0/24' }, b: { subnet: '10.0.0.0/24' }, overlap: true },
    { name: 'containing', a: { subnet: '10.0.0.0/20' }, b: { subnet: '10.0.1.0/24' }, overlap: true },
    {
      name: 'same subnet, non overlapping start + end',
      a: { subnet: '10.0.0.0/24', rangeEnd: '10.0.0.127' },
      b: { subnet: '10.0.0.0/24', rangeStart: '10.0.0.128' },
      overlap: false,
    },
    {
      name: 'same subnet, overlapping start + end',
      a: { subnet: '10.0.0.0/24', rangeEnd: '10.0.0.127' },
      b: { subnet: '10.0.0.0/24', rangeStart: '10.0.0.127' },
      overlap: true,
    },
  ])('detects overlap: $name', ({ a, b, overlap }) => {
    const sa = parseRangeSet([a], 'a');
    const sb = parseRangeSet([b], 'b');
    expect(sa.overlaps(sb)).toBe(overlap);
    expect(sb.overlaps(sa)).toBe(overlap); // commutative
  });
});

describe('range sets (range_set_test.go)', () => {
  test('detects set membership correctly', () => {
    const p = parseRangeSet([{ subnet: '192.168.0.0/24' }, { subnet: '172.16.1.0/24' }], 'r');
    expect(p.contains(parseIP('192.168.0.55')!)).toBe(true);
    expect(p.rangeFor(parseIP('192.168.0.55')!)).toBe(p.ranges[0]);
    expect(p.rangeFor(parseIP('192.168.99.99')!)).toBeUndefined();
    expect(String(p)).toBe('192.168.0.1-192.168.0.254,172.16.1.1-172.16.1.254');
  });

  test('discovers overlaps within a set', () => {
    expect(() => parseRangeSet([{ subnet: '192.168.0.0/20' }, { subnet: '192.168.2.0/24' }], 'r', 0)).toThrow(
      /^invalid range set 0: subnets 192\.168\.0\.1-192\.168\.15\.254 and 192\.168\.2\.1-192\.168\.2\.254 overlap$/,
    );
  });

  test('discovers overlaps outside a set', () => {
    const p1 = parseRangeSet([{ subnet: '192.168.0.0/20' }], 'a');
    const p2 = parseRangeSet([{ subnet: '192.168.2.0/24' }], 'b');
    expect([p1.overlaps(p2), p2.overlaps(p1)]).toEqual([true, true]);
  });
});
