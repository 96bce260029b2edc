// The worked examples of reference/cni-ipam.md §2.8 (checked there against host-local 1.1.1), through
// the library on the memory store. test/ipam/cni.test.ts runs them again through the executable.
import { describe, expect, test } from 'vitest';
import { allocateAll, checkHeld, collectGarbage, releaseAll, usageOf } from '../../src/ipam/allocator.js';
import { parseIpamConfig } from '../../src/ipam/config.js';
import { MemoryIpamStore } from '../../src/ipam/stores/memory.js';
import { formatIP, parseIP } from '../../src/net/ip.js';

const cfg = (ranges: unknown[], extra: Record<string, unknown> = {}) =>
  parseIpamConfig({ name: 'ex', ipam: { ranges }, ...extra }, '1.1.0');
const owner = (id: string, ifname = 'eth0') => ({ containerId: id, ifname });

async function add(store: MemoryIpamStore, sets: ReturnType<typeof cfg>['rangeSets'], id: string, req: string[] = []) {
  const got = await allocateAll(
    store,
    sets,
    owner(id),
    req.map((r) => parseIP(r)!),
  );
  return got.map((a) => `${formatIP(a.ip)}/${a.range.subnet.prefix}`).join(' ');
}

describe('host-local allocation (worked examples)', () => {
  test('A: /24 with rangeStart .10; DEL does not rewind the cursor', async () => {
    const { rangeSets } = cfg([[{ subnet: '10.1.2.0/24', rangeStart: '10.1.2.10', gateway: '10.1.2.1' }]]);
    const s = new MemoryIpamStore();
    const got: string[] = [];
    for (const c of ['c1', 'c2', 'c3', 'c4', 'c5']) got.push(await add(s, rangeSets, c));
    expect(got).toEqual(['10.1.2.10/24', '10.1.2.11/24', '10.1.2.12/24', '10.1.2.13/24', '10.1.2.14/24']);
    expect(await releaseAll(s, owner('c2'))).toEqual(['10.1.2.11']);
    expect(await add(s, rangeSets, 'c6')).toBe('10.1.2.15/24');
    expect(await add(s, rangeSets, 'c7')).toBe('10.1.2.16/24');
    expect(await s.lastReserved(0)).toBe('10.1.2.16');
  });

  test('B: gateway inside the range, wrap-around, exhaustion, duplicate', async () => {
    const { rangeSets } = cfg([
      [{ subnet: '10.22.0.0/24', rangeStart: '10.22.0.10', rangeEnd: '10.22.0.20', gateway: '10.22.0.12' }],
    ]);
    const s = new MemoryIpamStore();
    const seq = async (ids: string[]) => {
      const out: string[] = [];
      for (const id of ids) out.push((await add(s, rangeSets, id)).replace('/24', ''));
      return out;
    };
    expect(await seq(['A', 'B', 'C', 'D', 'E'])).toEqual([
      '10.22.0.10',
      '10.22.0.11',
      '10.22.0.13',
      '10.22.0.14',
      '10.22.0.15',
    ]);
    await releaseAll(s, owner('B'));
    expect(await seq(['F', 'G', 'H', 'I', 'J'])).toEqual([
      '10.22.0.16',
      '10.22.0.17',
      '10.22.0.18',
      '10.22.0.19',
      '10.22.0.20',
    ]);
    expect(await seq(['K'])).toEqual(['10.22.0.11']);
    await expect(add(s, rangeSets, 'L')).rejects.toThrow(
      'failed to allocate for range 0: no IP addresses available in range set: 10.22.0.10-10.22.0.20',
    );
    await expect(add(s, rangeSets, 'A')).rejects.toThrow(
      'failed to allocate for range 0: 10.22.0.10 has been allocated to A, duplicate allocation is not allowed',
    );
  });

  test('C: dual stack, requested IP moves the cursor', async () => {
    const { rangeSets } = cfg([[{ subnet: '10.244.1.0/24' }], [{ subnet: 'fd00:10:244:1::/64' }]]);
    const s = new MemoryIpamStore();
    expect(await add(s, rangeSets, 'p1')).toBe('10.244.1.2/24 fd00:10:244:1::2/64');
    expect(await add(s, rangeSets, 'p2')).toBe('10.244.1.3/24 fd00:10:244:1::3/64');
    expect(await add(s, rangeSets, 'p3', ['10.244.1.77'])).toBe('10.244.1.77/24 fd00:10:244:1::4/64');
    expect(await add(s, rangeSets, 'p4')).toBe('10.244.1.78/24 fd00:10:244:1::5/64');
  });

  test('D: multi-range set exhausts after one address per range', async () => {
    const { rangeSets } = cfg([[{ subnet: '10.0.0.0/30' }, { subnet: '10.0.1.0/30' }]]);
    const s = new MemoryIpamStore();
    expect([await add(s, rangeSets, 'a'), await add(s, rangeSets, 'b')]).toEqual(['10.0.0.2/30', '10.0.1.2/30']);
    await expect(add(s, rangeSets, 'c')).rejects.toThrow(
      'no IP addresses available in range set: 10.0.0.1-10.0.0.2,10.0.1.1-10.0.1.2',
    );
  });

  test('same container, another interface: a second address', async () => {
    const { rangeSets } = cfg([[{ subnet: '10.5.0.0/24' }]]);
    const s = new MemoryIpamStore();
    await allocateAll(s, rangeSets, owner('c', 'eth0'));
    const second = await allocateAll(s, rangeSets, owner('c', 'net1'));
    expect(formatIP(second[0]!.ip)).toBe('10.5.0.3');
    expect(await releaseAll(s, owner('c', 'net1'))).toEqual(['10.5.0.3']);
    expect(await checkHeld(s, owner('c', 'eth0'))).toEqual(['10.5.0.2']);
    await expect(checkHeld(s, owner('c', 'net1'))).rejects.toThrow('Failed to find address added by container c');
  });

  test('a later range set failing releases the earlier ones (nothing half-applied)', async () => {
    const { rangeSets } = cfg([[{ subnet: '10.6.0.0/24' }], [{ subnet: 'fd00::/126' }]]);
    const s = new MemoryIpamStore();
    await allocateAll(s, rangeSets, owner('x'));
    await allocateAll(s, rangeSets, owner('y'));
    await expect(allocateAll(s, rangeSets, owner('z'))).rejects.toThrow('failed to allocate for range 1');
    expect((await s.list()).map((h) => h.ip).sort()).toEqual(['10.6.0.2', '10.6.0.3', 'fd00::2', 'fd00::3']);
  });

  test.each([
    { name: 'the gateway', req: ['10.7.0.1'], err: "requested ip 10.7.0.1 is subnet's gateway" },
    {
      name: 'a taken address',
      req: ['10.7.0.2'],
      err: 'requested IP address 10.7.0.2 is not available in range set 10.7.0.1-10.7.0.254',
    },
    { name: 'an address in no range set', req: ['10.8.0.5'], err: 'failed to allocate all requested IPs: 10.8.0.5' },
  ])('requesting $name fails and keeps nothing', async ({ req, err }) => {
    const { rangeSets } = cfg([[{ subnet: '10.7.0.0/24' }]]);
    const s = new MemoryIpamStore();
    await allocateAll(s, rangeSets, owner('first'));
    await expect(add(s, rangeSets, 'second', req)).rejects.toThrow(err);
    expect((await s.list()).length).toBe(1);
  });

  test('GC frees only attachments not listed; legacy id-only records follow their container', async () => {
    const { rangeSets } = cfg([[{ subnet: '10.9.0.0/24' }]]);
    const s = new MemoryIpamStore();
    for (const id of ['keep', 'drop']) await allocateAll(s, rangeSets, owner(id));
    await s.reserve('10.9.0.100', { containerId: 'legacy', ifname: '' }, 0);
    const out = await collectGarbage(s, [owner('keep'), owner('legacy', 'eth0')]);
    expect(out.released).toEqual(['10.9.0.3']);
    expect((await collectGarbage(s, [])).released.sort()).toEqual(['10.9.0.100', '10.9.0.2']);
  });

  test('usage per range set', () => {
    const { rangeSets } = cfg([[{ subnet: '10.9.0.0/29' }], [{ subnet: 'fd00::/125' }]]);
    expect(usageOf(rangeSets, ['10.9.0.2', 'fd00::2', 'fd00::3', '1.1.1.1'])).toEqual([
      { rangeSet: 0, ranges: '10.9.0.1-10.9.0.6', capacity: 5n, used: 1 },
      { rangeSet: 1, ranges: 'fd00::1-fd00::7', capacity: 6n, used: 2 },
    ]);
  });
});
