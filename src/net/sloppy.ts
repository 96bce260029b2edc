// Kubernetes (through 1.35) parses addresses in objects with ParseIPSloppy: IPv4 with leading zeros is
// read as *decimal* ("010" is 10, not octal 8), and kube-proxy renders the canonical form. IPv4-mapped
// IPv6 is IPv4 (Go's net.IP). The codec and the CIDR math are the ones in ip.ts / cidr.ts.
import { type CIDR, makeCIDR, readPrefix } from './cidr.js';
import { formatIP, type IP, isIPv4Mapped, readIPv4, readIPv6, unmapIPv4 } from './ip.js';

export interface ParsedIP extends IP {
  /** Canonical text: dotted decimal for IPv4, RFC 5952 for IPv6. */
  readonly text: string;
  /** True when the input had leading zeros (accepted, but worth a warning). */
  readonly sloppy: boolean;
}

/** Parsed IPv4 text (null: not an address). Large clusters repeat the same strings across syncs. */
const v4Cache = new Map<string, ParsedIP | null>();

function parseIPv4Sloppy(s: string): ParsedIP | undefined {
  const r = readIPv4(s, true);
  if (!r) return undefined;
  const ip: IP = { family: 'IPv4', value: BigInt(r.value) };
  return { ...ip, text: r.leadingZeros ? formatIP(ip) : s, sloppy: r.leadingZeros };
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
    const value = readIPv6(s, true);
    if (value === undefined) return undefined;
    const ip: IP = { family: 'IPv6', value };
    const plain = isIPv4Mapped(ip) ? unmapIPv4(ip) : ip;
    return { ...plain, text: formatIP(plain), sloppy: false };
  }
  const hit = v4Cache.get(s);
  if (hit !== undefined) return hit ?? undefined;
  const parsed = parseIPv4Sloppy(s);
  if (v4Cache.size > 500_000) v4Cache.clear();
  v4Cache.set(s, parsed ?? null);
  return parsed;
}

export interface ParsedCIDR extends CIDR {
  /** Canonical text of the network (host bits cleared), e.g. 10.0.0.0/8. */
  readonly text: string;
  /** The address as written (canonicalised), before host bits are cleared. */
  readonly address: string;
  readonly sloppy: boolean;
  /** True when the address had host bits set (Go's ParseCIDR accepts and masks them). */
  readonly hostBitsSet: boolean;
}

/** Parse a CIDR the way Kubernetes' ParseCIDRSloppy does (a prefix of at most 3 digits). */
export function parseCIDRSloppy(s: string): ParsedCIDR | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIPSloppy(s.slice(0, slash));
  const prefix = ip && readPrefix(s.slice(slash + 1), ip.family, 3);
  if (!ip || prefix === undefined) return undefined;
  const cidr = makeCIDR(ip, prefix);
  return {
    ...cidr,
    text: `${formatIP({ family: cidr.family, value: cidr.base })}/${prefix}`,
    address: ip.text,
    sloppy: ip.sloppy,
    hostBitsSet: cidr.base !== ip.value,
  };
}
