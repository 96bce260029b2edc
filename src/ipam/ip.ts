// IP addresses as (family, bigint) values, with a strict text codec (Go net.ParseIP rules: no leading
// zeros in IPv4, no zones). The codec is hand-written rather than ipaddr.js because this module is on
// the CNI plugin's start-up path: loading ipaddr.js costs 2-7 ms per process, a third of the plugin's
// whole budget. test/ipam/ip.test.ts checks it against ipaddr.js.

export type Family = 4 | 6;

export interface IP {
  readonly family: Family;
  /** The address as an unsigned integer: 32 bits for IPv4, 128 for IPv6. */
  readonly value: bigint;
}

export const BITS: Record<Family, number> = { 4: 32, 6: 128 };

function parseV4(s: string): bigint | undefined {
  let value = 0;
  let parts = 0;
  let i = 0;
  while (i <= s.length) {
    let j = i;
    let n = 0;
    while (j < s.length && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) {
      n = n * 10 + (s.charCodeAt(j) - 48);
      j++;
    }
    const len = j - i;
    if (len === 0 || len > 3 || n > 255 || (len > 1 && s.charCodeAt(i) === 48)) return undefined;
    value = value * 256 + n;
    parts++;
    if (j === s.length) break;
    if (s[j] !== '.' || parts === 4) return undefined;
    i = j + 1;
  }
  return parts === 4 ? BigInt(value) : undefined;
}

function parseV6(s: string): bigint | undefined {
  if (s.includes('%')) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (text: string): number[] | undefined => {
    if (text === '') return [];
    const out: number[] = [];
    const parts = text.split(':');
    for (let k = 0; k < parts.length; k++) {
      const p = parts[k]!;
      if (k === parts.length - 1 && p.includes('.')) {
        const v4 = parseV4(p);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
      out.push(Number.parseInt(p, 16));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  let value = 0n;
  for (const g of [...head, ...new Array<number>(missing).fill(0), ...tail]) value = (value << 16n) | BigInt(g);
  return value;
}

/** Parse an address strictly; undefined when it is not one. IPv4-mapped IPv6 stays IPv6 here. */
export function parseIP(text: string): IP | undefined {
  if (text.includes(':')) {
    const value = parseV6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseV4(text);
  return value === undefined ? undefined : { family: 4, value };
}

/** True for ::ffff:a.b.c.d, which Go treats as an IPv4 address. */
export function isIPv4Mapped(ip: IP): boolean {
  return ip.family === 6 && ip.value >> 32n === 0xffffn;
}

/** Canonical text: dotted decimal, or RFC 5952 (lowercase, longest zero run of 2+ groups as ::). */
export function formatIP(ip: IP): string {
  if (ip.family === 4) {
    const v = Number(ip.value);
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  const g: number[] = [];
  for (let k = 7; k >= 0; k--) g.push(Number((ip.value >> BigInt(k * 16)) & 0xffffn));
  let bestAt = -1;
  let bestLen = 1;
  for (let k = 0; k < 8; ) {
    if (g[k] !== 0) {
      k++;
      continue;
    }
    let e = k;
    while (e < 8 && g[e] === 0) e++;
    if (e - k > bestLen) {
      bestAt = k;
      bestLen = e - k;
    }
    k = e;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (bestAt < 0) return hex(g);
  return `${hex(g.slice(0, bestAt))}::${hex(g.slice(bestAt + bestLen))}`;
}

export function ipEquals(a: IP, b: IP): boolean {
  return a.family === b.family && a.value === b.value;
}

/** Orders IPv4 before IPv6, then by value. */
export function compareIP(a: IP, b: IP): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

export function addToIP(ip: IP, delta: bigint): IP {
  return { family: ip.family, value: ip.value + delta };
}
