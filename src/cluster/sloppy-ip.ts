// Kubernetes (through 1.35) parses IPv4 with leading zeros as *decimal* ("ParseIPSloppy"), and
// kube-proxy renders the canonical form. ipaddr.js reads a leading zero as octal, so IPv4 is parsed
// here by hand; IPv6 goes through ipaddr.js.
import ipaddr from 'ipaddr.js';

export type IPFamily = 'IPv4' | 'IPv6';

export interface ParsedIP {
  family: IPFamily;
  /** Canonical text: dotted decimal for IPv4, RFC 5952 for IPv6. */
  text: string;
  /** True when the input had leading zeros (accepted, but worth a warning). */
  sloppy: boolean;
}

/** Parsed IPv4 text (null: not an address). Large clusters repeat the same strings across syncs. */
const v4Cache = new Map<string, ParsedIP | null>();

function parseIPv4Sloppy(s: string): ParsedIP | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let sloppy = false;
  const out: number[] = [];
  for (const p of parts) {
    if (p.length === 0 || p.length > 3) return undefined;
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      if (c < 48 || c > 57) return undefined;
    }
    if (p.length > 1 && p[0] === '0') sloppy = true;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return { family: 'IPv4', text: out.join('.'), sloppy };
}

/** True when `s` is dotted-decimal IPv4 exactly as it would be printed (no leading zeros). */
function isCanonicalIPv4(s: string): boolean {
  let octets = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255 || ++octets > 4) return false;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 1 && value === 0) return false; // leading zero
      value = value * 10 + (c - 48);
      digits++;
      if (digits > 3) return false;
    } else return false;
  }
  return octets === 4;
}

/**
 * The canonical text of an address (what kube-proxy prints), or undefined when it is not one.
 * The hot path of building proxy state: canonical IPv4 is returned as is, without allocating.
 */
export function canonicalIPText(s: string): string | undefined {
  if (isCanonicalIPv4(s)) return s;
  return parseIPSloppy(s)?.text;
}

/** Parse an IP address the way Kubernetes does. Returns undefined when it is not an address. */
export function parseIPSloppy(s: string): ParsedIP | undefined {
  if (s.includes(':')) {
    if (!ipaddr.IPv6.isValid(s)) return undefined;
    if (s.includes('%')) return undefined; // zones are not valid in Kubernetes objects
    try {
      const addr = ipaddr.IPv6.parse(s);
      // An IPv4-mapped IPv6 address is treated as IPv4 by Go's net.IP.
      if (addr.isIPv4MappedAddress()) {
        return { family: 'IPv4', text: addr.toIPv4Address().toString(), sloppy: false };
      }
      return { family: 'IPv6', text: addr.toRFC5952String(), sloppy: false };
    } catch {
      return undefined;
    }
  }
  const hit = v4Cache.get(s);
  if (hit !== undefined) return hit ?? undefined;
  const parsed = parseIPv4Sloppy(s);
  if (v4Cache.size > 500_000) v4Cache.clear();
  v4Cache.set(s, parsed ?? null);
  return parsed;
}

export interface ParsedCIDR {
  family: IPFamily;
  /** Canonical text of the network (host bits cleared), e.g. 10.0.0.0/8. */
  text: string;
  /** The address as written (canonicalised), before host bits are cleared. */
  address: string;
  prefix: number;
  sloppy: boolean;
  /** True when the address had host bits set (Go's ParseCIDR accepts and masks them). */
  hostBitsSet: boolean;
}

/** Parse a CIDR the way Kubernetes' ParseCIDRSloppy does. */
export function parseCIDRSloppy(s: string): ParsedCIDR | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIPSloppy(s.slice(0, slash));
  const prefixText = s.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const bits = ip.family === 'IPv4' ? 32 : 128;
  if (prefix > bits) return undefined;
  const parsed = ipaddr.parse(ip.text);
  const network = ipaddr.parse(
    ip.family === 'IPv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${ip.text}/${prefix}`).toString()
      : ipaddr.IPv6.networkAddressFromCIDR(`${ip.text}/${prefix}`).toString(),
  );
  const networkText = ip.family === 'IPv6' ? (network as ipaddr.IPv6).toRFC5952String() : network.toString();
  return {
    family: ip.family,
    text: `${networkText}/${prefix}`,
    address: ip.text,
    prefix,
    sloppy: ip.sloppy,
    hostBitsSet: networkText !== (ip.family === 'IPv6' ? (parsed as ipaddr.IPv6).toRFC5952String() : ip.text),
  };
}

/** True when `ip` (canonical text) lies inside `cidr`. */
export function cidrContains(cidr: ParsedCIDR, ip: ParsedIP): boolean {
  if (cidr.family !== ip.family) return false;
  const addr = ipaddr.parse(ip.text);
  const net = ipaddr.parse(cidr.text.slice(0, cidr.text.indexOf('/')));
  return addr.match(net, cidr.prefix);
}
