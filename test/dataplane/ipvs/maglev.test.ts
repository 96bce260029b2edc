// The mh scheduler (ip_vs_mh.c): the properties Maglev hashing promises, checked on real tables.
// The kernel's hash keys are constants, so picks are deterministic; the hash is checked against
// SipHash's published test vector (run as SipHash-2-4: same code, more rounds).
import { describe, expect, test } from 'vitest';
import { schedule } from '../../../src/dataplane/ipvs/emulate.js';
import { MH_PRIMES, type MhDestination, mhLookup } from '../../../src/dataplane/ipvs/maglev.js';
import { siphash } from '../../../src/dataplane/ipvs/siphash.js';
import { parseIpvsadmSave } from '../../../src/dataplane/ipvs/table.js';

const dests = (weights: number[]): MhDestination[] =>
  weights.map((lastWeight, i) => ({ address: `10.1.0.${i + 1}`, port: 8080, lastWeight }));

function shares(lookup: Int32Array, n: number): number[] {
  const count = new Array<number>(n).fill(0);
  for (const d of lookup) count[d]!++;
  return count;
}

const clients = (n: number, port = 40000) =>
  Array.from({ length: n }, (_, i) => ({
    service: '-t 10.96.0.1:80',
    client: { address: `192.0.${2 + (i >> 8)}.${i & 255}`, port: port + i },
    start: i,
    end: i + 0.5,
  }));

function table(weights: number[], flags = '') {
  return parseIpvsadmSave(
    [
      `-A -t 10.96.0.1:80 -s mh${flags}`,
      ...weights.map((w, i) => `-a -t 10.96.0.1:80 -r 10.1.0.${i + 1}:8080 -m -w ${w}`),
    ].join('\n'),
  );
}

describe('mh (Maglev hashing) scheduler', () => {
  test('the hash is SipHash (published SipHash-2-4 vector, empty message, key 00..0f)', () => {
    expect(siphash(new Uint8Array(0), 0x0706050403020100n, 0x0f0e0d0c0b0a0908n, 2, 4)).toBe(0x726fdb47dd0e0e31n);
  });

  test('the default table has primes[12 - 8] = 4093 slots, all owned', () => {
    const lookup = mhLookup(dests([1, 1, 1]));
    expect(lookup.length).toBe(4093);
    expect(lookup.every((d) => d >= 0)).toBe(true);
    expect(mhLookup(dests([1]), 8).length).toBe(MH_PRIMES[0]);
  });

  test('equal weights share the slots evenly (turns of one slot each)', () => {
    for (const idx of [8, 12]) {
      const size = MH_PRIMES[idx - 8]!;
      const s = shares(mhLookup(dests([1, 1, 1, 1, 1]), idx), 5);
      for (const c of s) expect(Math.abs(c - size / 5)).toBeLessThanOrEqual(1);
    }
  });

  test('weights 3:1 give three quarters of the slots to the first (turns weight / gcd)', () => {
    const s = shares(mhLookup(dests([3, 1]), 8), 2);
    expect(Math.abs(s[0]! - (251 * 3) / 4)).toBeLessThanOrEqual(3);
    // 6:2 has gcd 2: the same turns, the same table.
    expect(mhLookup(dests([6, 2]), 8)).toEqual(mhLookup(dests([3, 1]), 8));
    // A weight-0 last weight takes no slots.
    expect(shares(mhLookup(dests([1, 0, 1]), 8), 3)[1]).toBe(0);
  });

  test('removing a destination moves few slots besides its own', () => {
    const before = mhLookup(dests([1, 1, 1, 1, 1, 1, 1, 1]));
    const kept = dests([1, 1, 1, 1, 1, 1, 1, 1]).filter((_, i) => i !== 3);
    const after = mhLookup(kept);
    const renumber = (i: number) => (i > 3 ? i - 1 : i);
    let moved = 0;
    let owned = 0;
    before.forEach((d, slot) => {
      if (d === 3) return;
      owned++;
      if (after[slot] !== renumber(d)) moved++;
    });
    // Every slot of the removed one is re-owned; of the others only a small fraction move
    // (a modulo hash would move about 7/8 of them).
    expect(after.every((d) => d >= 0)).toBe(true);
    expect(moved / owned).toBeLessThan(0.1);
  });

  test('the same source gets the same server; with mh-port its source port counts too', () => {
    const t = table([1, 1, 1, 1]);
    const a = schedule(t, clients(200));
    const again = schedule(t, clients(200, 50000));
    expect(again).toEqual(a);
    expect(new Set(a).size).toBe(4);
    const withPort = table([1, 1, 1, 1], ' -b mh-port');
    const b = schedule(withPort, clients(200));
    const b2 = schedule(withPort, clients(200, 50000));
    expect(b2).not.toEqual(b);
    // One source, many ports: mh-port spreads it over the servers.
    const one = schedule(
      withPort,
      clients(100).map((c) => ({ ...c, client: { address: '192.0.2.7', port: c.client.port } })),
    );
    expect(new Set(one).size).toBe(4);
  });

  test('a weight-0 (draining) server gets no new connections; others keep theirs', () => {
    const live = schedule(table([1, 1, 1]), clients(300));
    const draining = schedule(table([1, 0, 1]), clients(300));
    draining.forEach((server, i) => {
      expect(server).not.toBe('10.1.0.2:8080');
      // Its slots stay its own, so sources hashing there find no server (no mh-fallback) ...
      expect(server).toBe(live[i] === '10.1.0.2:8080' ? null : live[i]);
    });
    expect(draining.filter((s) => s === null).length).toBeGreaterThan(0);
    // ... and with mh-fallback they are sent on around the table to a live one.
    const fallback = schedule(table([1, 0, 1], ' -b mh-fallback'), clients(300));
    fallback.forEach((server, i) => {
      expect(server).not.toBeNull();
      expect(server).not.toBe('10.1.0.2:8080');
      if (live[i] !== '10.1.0.2:8080') expect(server).toBe(live[i]);
    });
  });
});
