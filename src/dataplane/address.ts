// Addresses as numbers, so a rule's CIDR is parsed once and matching a packet is arithmetic.
// IPv4 is a plain number; IPv6 a bigint. Text forms follow what the kernel tools print.
import ipaddr from 'ipaddr.js';

export interface Address {
  readonly v6: boolean;
  readonly value: bigint;
  readonly text: string;
}

export interface Cidr {
  readonly v6: boolean;
  readonly network: bigint;
  readonly prefix: number;
  readonly text: string;
}

const cache = new Map<string, Address | null>();

/** Parses an address (IPv4 dotted decimal, IPv6 any form); undefined when it is not one. */
export function parseAddress(text: string): Address | undefined {
  const hit = cache.get(text);
  if (hit !== undefined) return hit ?? undefined;
  let out: Address | undefined;
  if (text.includes(':')) {
    if (ipaddr.IPv6.isValid(text) && !text.includes('%')) {
      const a = ipaddr.IPv6.parse(text);
      let v = 0n;
      for (const p of a.parts) v = (v << 16n) | BigInt(p);
      out = { v6: true, value: v, text: a.toRFC5952String() };
    }
  } else {
    const n = ipv4Number(text);
    if (n !== undefined) out = { v6: false, value: BigInt(n), text: canonicalIPv4(text, n) };
  }
  if (cache.size > 200_000) cache.clear();
  cache.set(text, out ?? null);
  return out;
}

/** Dotted decimal (four parts of 1-3 digits, each at most 255) as a number; undefined otherwise. */
function ipv4Number(text: string): number | undefined {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return undefined;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (++digits > 3) return undefined;
      part = part * 10 + (c - 48);
      if (part > 255) return undefined;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + part;
}

/** The text as given when it has no leading zeros (the usual case), else rebuilt from the number. */
function canonicalIPv4(text: string, n: number): string {
  if (!/(^|\.)0\d/.test(text)) return text;
  return `${Math.floor(n / 16777216)}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

const cidrCache = new Map<string, Cidr | null>();

/** Parses "a.b.c.d/n", "x::/n" or a bare address (a host route); undefined when invalid. */
export function parseCidr(text: string): Cidr | undefined {
  const hit = cidrCache.get(text);
  if (hit !== undefined) return hit ?? undefined;
  const out = parseCidrUncached(text);
  if (cidrCache.size > 200_000) cidrCache.clear();
  cidrCache.set(text, out ?? null);
  return out;
}

function parseCidrUncached(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const addr = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (!addr) return undefined;
  const bits = addr.v6 ? 128 : 32;
  let prefix = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (/^\d{1,3}$/.test(p)) prefix = Number(p);
    else {
      // iptables-save prints a dotted mask for non-contiguous masks; contiguous ones as a length.
      const m = parseAddress(p);
      if (!m || m.v6 !== addr.v6) return undefined;
      const ones = m.value.toString(2).replace(/0+$/, '');
      if (ones.includes('0') || (m.value !== 0n && ones.length !== m.value.toString(2).length)) return undefined;
      prefix = m.value === 0n ? 0 : ones.length;
    }
    if (prefix > bits) return undefined;
  }
  const shift = BigInt(bits - prefix);
  const network = (addr.value >> shift) << shift;
  return { v6: addr.v6, network, prefix, text: slash < 0 ? addr.text : `${addr.text}/${prefix}` };
}

export function cidrHas(c: Cidr, a: Address): boolean {
  if (c.v6 !== a.v6) return false;
  const shift = BigInt((c.v6 ? 128 : 32) - c.prefix);
  return (a.value >> shift) << shift === c.network;
}

/** "ip:port", with brackets for IPv6. */
export function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Splits "ip:port" / "[v6]:port" / "ip" into its parts (port undefined when absent). */
export function splitHostPort(text: string): { host: string; port: number | undefined } | undefined {
  let host = text;
  let port: string | undefined;
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end < 0) return undefined;
    host = text.slice(1, end);
    const rest = text.slice(end + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return undefined;
      port = rest.slice(1);
    }
  } else if (text.split(':').length === 2) {
    [host, port] = text.split(':') as [string, string];
  }
  const addr = parseAddress(host);
  if (!addr) return undefined;
  if (port === undefined) return { host: addr.text, port: undefined };
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return undefined;
  return { host: addr.text, port: Number(port) };
}
