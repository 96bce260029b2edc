// The kernel's mh scheduler (net/netfilter/ipvs/ip_vs_mh.c, Maglev hashing): each destination gets
// a preference order over the slots of a prime-sized lookup table (offset, skip from two keyed
// hashes of its address and port); the destinations take turns (weight / gcd, shifted right when
// weights are large) claiming their next free preferred slot until every slot is owned. A new
// connection goes to the owner of slot hash(source address [+ source port with mh-port]) % size.
//
// The two hash keys are constants in the kernel (generate_hash_secret), not per-boot secrets, so
// picks are reproducible; we emulate the 64-bit hsiphash (SipHash-1-3), which 32-bit kernels differ from.
import { foldAddress } from './hash.js';
import { hsiphashU32 } from './siphash.js';

/** CONFIG_IP_VS_MH_TAB_INDEX's table sizes; the default index 12 picks primes[12 - 8] = 4093. */
export const MH_PRIMES = [251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071] as const;
export const MH_DEFAULT_TAB_INDEX = 12;

const HASH1 = [2654435761n, 2654435761n] as const;
const HASH2 = [2654446892n, 2654446892n] as const;

export interface MhDestination {
  readonly address: string;
  readonly port: number;
  /**
   * last_weight: the latest non-zero weight (ip_vs_ctl.c keeps it when a weight drops to 0, so a
   * draining destination keeps its slots and lookups landing there find it unavailable).
   */
  readonly lastWeight: number;
}

/** ip_vs_mh_hashkey: hsiphash of offset + port + folded address (all host order, u32 wrap). */
export function mhHash(address: string | number, port: number, key: 1 | 2, offset = 0): number {
  const fold = typeof address === 'number' ? address : foldAddress(address);
  const [k0, k1] = key === 1 ? HASH1 : HASH2;
  return hsiphashU32((offset + port + fold) >>> 0, k0, k1);
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
/** fls: the 1-based index of the highest set bit (0 for 0). */
const fls = (x: number) => 32 - Math.clz32(x);

/**
 * The lookup table (ip_vs_mh_permutate + ip_vs_mh_populate): slot -> destination index, or -1
 * everywhere when no destination has a non-zero last weight.
 */
export function mhLookup(dests: readonly MhDestination[], tabIndex = MH_DEFAULT_TAB_INDEX): Int32Array {
  const size = MH_PRIMES[tabIndex - 8];
  if (size === undefined) throw new RangeError(`mh table index ${tabIndex} is not in 8..17`);
  const lookup = new Int32Array(size).fill(-1);
  const g = dests.reduce((a, d) => (d.lastWeight > 0 ? (a > 0 ? gcd(d.lastWeight, a) : d.lastWeight) : a), 0);
  if (g < 1 || dests.length > size) return lookup;
  const mw = Math.max(...dests.map((d) => d.lastWeight)) / g;
  const rshift = Math.max(0, fls(Math.floor(mw)) - Math.floor(tabIndex / 2));
  const n = dests.length;
  const skip = new Int32Array(n);
  const perm = new Int32Array(n);
  const turns = new Int32Array(n);
  dests.forEach((d, i) => {
    perm[i] = mhHash(d.address, d.port, 1) % size;
    skip[i] = (mhHash(d.address, d.port, 2) % (size - 1)) + 1;
    const t = Math.floor(d.lastWeight / g) >> rshift;
    turns[i] = t || (d.lastWeight !== 0 ? 1 : 0);
  });
  const taken = new Uint8Array(size);
  let filled = 0;
  let count = 0;
  // Sweep the list again and again; each destination claims `turns` slots per sweep.
  for (let i = 0; filled < size; i = (i + 1) % n) {
    if (turns[i]! < 1) continue;
    for (;;) {
      let c = perm[i]!;
      while (taken[c]) {
        c += skip[i]!;
        if (c >= size) c -= size;
      }
      perm[i] = c;
      taken[c] = 1;
      lookup[c] = i;
      if (++filled === size) break;
      if (++count >= turns[i]!) {
        count = 0;
        break;
      }
    }
  }
  return lookup;
}

/**
 * ip_vs_mh_get / ip_vs_mh_get_fallback: the destination index for a source, or -1. `available(i)`
 * is the kernel's !is_unavailable (weight > 0); with fallback an unavailable owner sends the
 * lookup around the table with growing offsets until an available owner answers.
 */
export function mhPick(
  lookup: Int32Array,
  source: number,
  port: number,
  fallback: boolean,
  available: (i: number) => boolean,
): number {
  const size = lookup.length;
  const ihash = mhHash(source, port, 1) % size;
  const first = lookup[ihash]!;
  if (first < 0 || available(first)) return first;
  if (!fallback) return -1;
  for (let offset = 0; offset < size; offset++) {
    const d = lookup[mhHash(source, port, 1, (offset + ihash) % size) % size]!;
    if (d < 0) break;
    if (available(d)) return d;
  }
  return -1;
}
