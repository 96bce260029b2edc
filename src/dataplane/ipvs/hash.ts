// The kernel's address hashing for sh/dh (include/linux/hash.h hash_32, ip_vs_sh.c / ip_vs_dh.c).
const GOLDEN_RATIO_32 = 0x61c88647;

/** hash_32(val, bits): the top `bits` bits of val * GOLDEN_RATIO_32 (mod 2^32). */
export function hash32(val: number, bits: number): number {
  return (Math.imul(val >>> 0, GOLDEN_RATIO_32) >>> 0) >>> (32 - bits);
}

/** An address as the kernel folds it to 32 bits in host order (IPv6: xor of its four words). */
export function foldAddress(address: string): number {
  if (!address.includes(':')) {
    const p = address.split('.');
    return ((Number(p[0]) << 24) | (Number(p[1]) << 16) | (Number(p[2]) << 8) | Number(p[3])) >>> 0;
  }
  const [head, tail] = address.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const g = (tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t]).map((x) =>
    Number.parseInt(x, 16),
  );
  let fold = 0;
  for (let i = 0; i < 8; i += 2) fold ^= ((g[i]! << 16) | g[i + 1]!) >>> 0;
  return fold >>> 0;
}
