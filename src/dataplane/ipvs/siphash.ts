// The kernel's hsiphash() on 64-bit builds (lib/siphash.c): there it is SipHash-1-3 over two u64
// key words, cut to its low 32 bits (32-bit builds run HalfSipHash-1-3 instead; we emulate 64-bit).
// BigInt is slow, but only table builds and one hash per mh decision go through it.
const MASK = (1n << 64n) - 1n;
const rol = (x: bigint, b: bigint) => ((x << b) | (x >> (64n - b))) & MASK;

/** SipHash-c-d of a message of at most 7 bytes (what IPVS hashes: one u32), as a u64. */
export function siphash(message: Uint8Array, k0: bigint, k1: bigint, c = 1, d = 3): bigint {
  if (message.length > 7) throw new RangeError('siphash: messages of at most 7 bytes are supported');
  let v0 = 0x736f6d6570736575n ^ k0;
  let v1 = 0x646f72616e646f6dn ^ k1;
  let v2 = 0x6c7967656e657261n ^ k0;
  let v3 = 0x7465646279746573n ^ k1;
  const round = () => {
    v0 = (v0 + v1) & MASK;
    v1 = rol(v1, 13n) ^ v0;
    v0 = rol(v0, 32n);
    v2 = (v2 + v3) & MASK;
    v3 = rol(v3, 16n) ^ v2;
    v0 = (v0 + v3) & MASK;
    v3 = rol(v3, 21n) ^ v0;
    v2 = (v2 + v1) & MASK;
    v1 = rol(v1, 17n) ^ v2;
    v2 = rol(v2, 32n);
  };
  let b = BigInt(message.length) << 56n;
  message.forEach((byte, i) => {
    b |= BigInt(byte) << BigInt(8 * i);
  });
  v3 ^= b;
  for (let i = 0; i < c; i++) round();
  v0 ^= b;
  v2 ^= 0xffn;
  for (let i = 0; i < d; i++) round();
  return v0 ^ v1 ^ v2 ^ v3;
}

/** hsiphash(&v, 4, key) for a u32 v stored little-endian (x86, arm64), key words k0, k1. */
export function hsiphashU32(v: number, k0: bigint, k1: bigint): number {
  const m = new Uint8Array(4);
  new DataView(m.buffer).setUint32(0, v >>> 0, true);
  return Number(siphash(m, k0, k1) & 0xffffffffn);
}
