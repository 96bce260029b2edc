// The API server's allocator tests, ported as data: TestAllocate, TestAllocateTiny,
// TestAllocateSmall and TestAllocateReserved of pkg/registry/core/service/ipallocator/bitmap_test.go,
// and TestAllocate and TestForEach of pkg/registry/core/service/portallocator/allocator_test.go.
import { describe, expect, test } from 'vitest';
import { ServiceIPRange } from '../../src/control/ip-allocator.js';
import { NodePortAllocator, parsePortRange } from '../../src/control/port-allocator.js';
import { seededRandom } from '../../src/control/seeded.js';
import { parseCIDR } from '../../src/net/cidr.js';
import { type IP, parseIP } from '../../src/net/ip.js';

const ip = (text: string): IP => parseIP(text)!;
const range = (cidr: string) => new ServiceIPRange(parseCIDR(cidr)!);

describe('ipallocator TestAllocate', () => {
  test.each([
    {
      name: 'IPv4',
      cidr: '192.168.1.0/24',
      free: 254,
      released: '192.168.1.5',
      // not in the range, the base address, the broadcast address, not in the range
      outOfRange: ['192.168.0.1', '192.168.1.0', '192.168.1.255', '192.168.2.2'],
      alreadyAllocated: '192.168.1.1',
    },
    {
      name: 'IPv4 large',
      cidr: '10.0.0.0/15',
      free: 131070,
      released: '10.0.0.5',
      outOfRange: ['10.0.0.0', '10.15.255.255', '10.255.255.2'],
      alreadyAllocated: '10.0.0.1',
    },
    {
      name: 'IPv6',
      cidr: '2001:db8:1::/48',
      free: 65535,
      released: '2001:db8:1::5',
      // not in the /48, the base address, beyond the low 16 bits the bitmap covers, not in the /48
      outOfRange: ['2001:db8::1', '2001:db8:1::', '2001:db8:1::1:0', '2001:db8:2::2'],
      alreadyAllocated: '2001:db8:1::1',
    },
  ])('$name', ({ cidr, free, released, outOfRange, alreadyAllocated }) => {
    const r = range(cidr);
    const net = parseCIDR(cidr)!;
    expect(r.free).toBe(free);
    expect(r.used).toBe(0);
    expect(r.toString()).toBe(cidr);
    const rand = seededRandom(1);
    const found = new Set<string>();
    const problems: string[] = []; // one assertion after the loop: 131k expect() calls are slow
    while (r.free > 0 && problems.length < 5) {
      const got = r.allocateNext(rand);
      if (got === undefined) problems.push(`allocation ${found.size} failed`);
      else if (found.has(got)) problems.push(`${got} twice`);
      else found.add(got);
    }
    expect(problems).toEqual([]);
    expect(found.size).toBe(free);
    for (const a of [...found].slice(0, 50)) expect(ip(a).family).toBe(net.family);
    expect(r.allocateNext(rand)).toBeUndefined(); // ErrFull

    expect(r.release(ip(released))).toBe(true);
    expect(r.free).toBe(1);
    expect(r.used).toBe(free - 1);
    expect(r.allocateNext(rand)).toBe(released);

    expect(r.release(ip(released))).toBe(true);
    for (const o of outOfRange) expect(r.contains(ip(o)), o).toBe(false); // ErrNotInRange
    expect(r.allocate(ip(alreadyAllocated))).toBe(false); // ErrAllocated
    expect(r.free).toBe(1);
    expect(r.used).toBe(free - 1);
    expect(r.allocate(ip(released))).toBe(true);
    expect(r.free).toBe(0);
    expect(r.used).toBe(free);
  });
});

describe('ipallocator small ranges', () => {
  test('TestAllocateTiny: a /32 has nothing to hand out', () => {
    const r = range('192.168.1.0/32');
    expect(r.free).toBe(0);
    expect(r.allocateNext(seededRandom(1))).toBeUndefined();
  });

  test('TestAllocateSmall: a /30 hands out its 2 addresses, then stays full', () => {
    const r = range('192.168.1.240/30');
    expect(r.free).toBe(2);
    const rand = seededRandom(1);
    const found = new Set([r.allocateNext(rand)!, r.allocateNext(rand)!]);
    expect(found).toEqual(new Set(['192.168.1.241', '192.168.1.242']));
    for (const a of found) {
      expect(r.has(ip(a))).toBe(true);
      expect(r.allocate(ip(a))).toBe(false);
    }
    for (let i = 0; i < 100; i++) expect(r.allocateNext(rand)).toBeUndefined();
    expect(r.free).toBe(0);
    expect(r.size).toBe(2);
  });

  test('TestAllocateReserved: a /25 fills its dynamic block first; the static block stays for explicit picks', () => {
    const r = range('192.168.1.0/25');
    const offset = r.staticSize; // min(max(16, 128/16), 256) = 16
    expect(offset).toBe(16);
    const rand = seededRandom(3);
    for (let i = 0; i < r.size - offset; i++) expect(r.allocateNext(rand)).toBeDefined();
    for (let i = offset; i < r.size; i++) expect(r.has(ip(`192.168.1.${i + 1}`)), `192.168.1.${i + 1}`).toBe(true);
    expect(r.free).toBe(offset);
    for (let i = 0; i < offset; i++) expect(r.allocate(ip(`192.168.1.${i + 1}`))).toBe(true);
    expect(r.free).toBe(0);
    expect(r.release(ip('192.168.1.10'))).toBe(true);
    expect(r.allocateNext(rand)).toBe('192.168.1.10');
    expect(r.free).toBe(0);
  });
});

describe('portallocator', () => {
  const ports = () => new NodePortAllocator(parsePortRange('10000-10200')!);

  test('TestAllocate: 201 ports, each once, then full; release and re-take; out of range and taken', () => {
    const r = ports();
    expect(r.free).toBe(201);
    expect(r.used).toBe(0);
    const rand = seededRandom(1);
    const found = new Set<number>();
    while (r.free > 0) {
      const p = r.allocateNext(rand)!;
      expect(p >= 10000 && p <= 10200, String(p)).toBe(true);
      expect(found.has(p)).toBe(false);
      found.add(p);
    }
    expect(r.allocateNext(rand)).toBeUndefined();
    expect(r.release(10005)).toBe(true);
    expect(r.free).toBe(1);
    expect(r.used).toBe(200);
    expect(r.allocateNext(rand)).toBe(10005);
    expect(r.release(10005)).toBe(true);
    for (const p of [1, 20000, 10201]) {
      expect(r.contains(p), String(p)).toBe(false);
      expect(r.allocate(p)).toBe(false);
    }
    expect(r.allocate(10001)).toBe(false); // ErrAllocated
    expect(r.free).toBe(1);
    expect(r.used).toBe(200);
    expect(r.allocate(10005)).toBe(true);
    expect(r.free).toBe(0);
    expect(r.used).toBe(201);
  });

  test.each([[[]], [[10000]], [[10000, 10200]], [[10000, 10099, 10200]]])('TestForEach: exactly %j taken', (taken) => {
    const r = ports();
    for (const p of taken) {
      expect(r.allocate(p)).toBe(true);
      expect(r.has(p)).toBe(true);
    }
    const seen: number[] = [];
    for (let p = 10000; p <= 10200; p++) if (r.has(p)) seen.push(p);
    expect(seen).toEqual(taken);
  });
});
