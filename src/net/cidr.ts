// CIDR blocks as (family, network value, prefix): containment, size, the n-th address, offsets and
// subnetting are all bigint arithmetic, so a /8 pool or an IPv6 /64 is never enumerated.
import { BITS, formatIP, type IP, type IPFamily, parseIP } from './ip.js';

export interface CIDR {
  readonly family: IPFamily;
  /** Network address (host bits cleared). */
  readonly base: bigint;
  readonly prefix: number;
}

export interface ParsedCIDRText {
  cidr: CIDR;
  /** The address as written, before host bits were cleared. */
  address: IP;
  hostBitsSet: boolean;
}

function hostMask(family: IPFamily, prefix: number): bigint {
  return (1n << BigInt(BITS[family] - prefix)) - 1n;
}

export function makeCIDR(ip: IP, prefix: number): CIDR {
  return { family: ip.family, base: ip.value & ~hostMask(ip.family, prefix), prefix };
}

/** A prefix length of 1..`maxDigits` decimal digits, at most the family's bit count. */
export function readPrefix(p: string, family: IPFamily, maxDigits: number): number | undefined {
  if (p.length === 0 || p.length > maxDigits) return undefined;
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const prefix = Number(p);
  return prefix > BITS[family] ? undefined : prefix;
}

/** Parse `addr/prefix` as Go's net.ParseCIDR (strict address, the prefix may have leading zeros; host bits are reported). */
export function parseCIDRText(text: string): ParsedCIDRText | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = parseIP(text.slice(0, slash));
  // Go's dtoi: any run of digits, leading zeros included ("/024" is /24).
  const prefix = address && readPrefix(text.slice(slash + 1), address.family, 4);
  if (!address || prefix === undefined) return undefined;
  const cidr = makeCIDR(address, prefix);
  return { cidr, address, hostBitsSet: cidr.base !== address.value };
}

/** Parse a CIDR and clear host bits; undefined when not a CIDR. */
export function parseCIDR(text: string): CIDR | undefined {
  return parseCIDRText(text)?.cidr;
}

export function formatCIDR(c: CIDR): string {
  return `${formatIP(networkAddress(c))}/${c.prefix}`;
}

/** Number of addresses in the block. */
export function cidrSize(c: CIDR): bigint {
  return 1n << BigInt(BITS[c.family] - c.prefix);
}

export function networkAddress(c: CIDR): IP {
  return { family: c.family, value: c.base };
}

/** The all-ones address of the block (IPv4 broadcast). */
export function lastAddress(c: CIDR): IP {
  return { family: c.family, value: c.base + cidrSize(c) - 1n };
}

export function cidrContains(c: CIDR, ip: IP): boolean {
  return ip.family === c.family && ip.value >= c.base && ip.value - c.base < cidrSize(c);
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrContainsCIDR(outer: CIDR, inner: CIDR): boolean {
  return inner.family === outer.family && inner.prefix >= outer.prefix && cidrContains(outer, networkAddress(inner));
}

export function cidrsOverlap(a: CIDR, b: CIDR): boolean {
  return cidrContainsCIDR(a, b) || cidrContainsCIDR(b, a);
}

/** The address `offset` places after the network address (0 = network). */
export function addressAt(c: CIDR, offset: bigint): IP {
  if (offset < 0n || offset >= cidrSize(c)) throw new RangeError(`offset ${offset} outside ${formatCIDR(c)}`);
  return { family: c.family, value: c.base + offset };
}

/** Offset of `ip` from the network address; undefined when outside the block. */
export function offsetOf(c: CIDR, ip: IP): bigint | undefined {
  return cidrContains(c, ip) ? ip.value - c.base : undefined;
}

/** Number of /`prefix` subnets in `c`. */
export function subnetCount(c: CIDR, prefix: number): bigint {
  if (prefix < c.prefix || prefix > BITS[c.family]) throw new RangeError(`/${prefix} is not inside ${formatCIDR(c)}`);
  return 1n << BigInt(prefix - c.prefix);
}

/** The `index`-th /`prefix` subnet of `c`. */
export function subnetAt(c: CIDR, prefix: number, index: bigint): CIDR {
  const count = subnetCount(c, prefix);
  if (index < 0n || index >= count) throw new RangeError(`subnet index ${index} outside 0..${count - 1n}`);
  return { family: c.family, base: c.base + (index << BigInt(BITS[c.family] - prefix)), prefix };
}

/** Index of the /`prefix` subnet of `c` that holds `ip`; undefined when outside. */
export function subnetIndexOf(c: CIDR, prefix: number, ip: IP): bigint | undefined {
  const off = offsetOf(c, ip);
  return off === undefined ? undefined : off >> BigInt(BITS[c.family] - prefix);
}
