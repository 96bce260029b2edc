// The "--probability" value of the n-th-from-last endpoint rule: 1/n written the way Go's
// fmt "%0.10f" writes a float64 — ten decimals, correctly rounded from the exact binary value,
// ties to even. (JS toFixed rounds ties away from zero: 1/2048 must be 0.0004882812, not ...813.)

import { asciiBytes } from './byte-writer.js';
import { flat } from './flatten.js';

const cache: string[] = [];
const byteCache: Uint8Array[] = [];

/** Exact round-half-even of x * 10^10 for a finite double 0 < x <= 1. */
function scaledRoundHalfEven(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const exp = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e = exp - 1075;
  if (exp === 0) e = -1074;
  else mantissa |= 1n << 52n;
  // x = mantissa * 2^e exactly.
  const num = mantissa * 10n ** 10n;
  if (e >= 0) return num << BigInt(e);
  const shift = BigInt(-e);
  const q = num >> shift;
  const rem = num - (q << shift);
  const half = 1n << (shift - 1n);
  if (rem > half || (rem === half && (q & 1n) === 1n)) return q + 1n;
  return q;
}

/** Go's fmt.Sprintf("%0.10f", 1.0/float64(n)). */
export function computeProbability(n: number): string {
  const hit = cache[n];
  if (hit !== undefined) return hit;
  const q = scaledRoundHalfEven(1 / n);
  const digits = q.toString().padStart(11, '0');
  const text = flat(`${digits.slice(0, -10)}.${digits.slice(-10)}`);
  if (n < 100_000) cache[n] = text;
  return text;
}

/** computeProbability(n) as ASCII bytes. */
export function probabilityBytes(n: number): Uint8Array {
  const hit = byteCache[n];
  if (hit !== undefined) return hit;
  const bytes = asciiBytes(computeProbability(n));
  if (n < 100_000) byteCache[n] = bytes;
  return bytes;
}
