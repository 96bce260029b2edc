// IP addresses as (family, bigint) values with a hand-written text codec. Hand-written rather than
// ipaddr.js because this module is on the CNI plugin's start-up path: loading ipaddr.js costs 2-7 ms
// per process, a third of the plugin's whole budget. Two readings share the code: strict (Go's
// net.ParseIP: no leading zeros in IPv4, no zones) and sloppy (Kubernetes' ParseIPSloppy, see sloppy.ts).

/** The family names Kubernetes objects use (spec.ipFamilies), so cluster data needs no conversion. */
export type IPFamily = 'IPv4' | 'IPv6';

export interface IP {
  readonly family: IPFamily;
  /** The address as an unsigned integer: 32 bits for IPv4, 128 for IPv6. */
  readonly value: bigint;
}

export const BITS: Readonly<Record<IPFamily, number>> = { IPv4: 32, IPv6: 128 };

/** The digit CNI and Go flags use for a family ("4" / "6"). */
export function familyDigit(family: IPFamily): 4 | 6 {
  return family === 'IPv4' ? 4 : 6;
}

export interface V4Reading {
  value: number;
  /** True when an octet had leading zeros (only possible when they were allowed). */
  leadingZeros: boolean;
}

/**
 * Dotted-decimal IPv4, 1-3 digits per octet. `allowLeadingZeros` reads "010" as decimal 10 (Kubernetes'
 * sloppy reading); otherwise it is refused as Go's net.ParseIP does.
 */
export function readIPv4(s: string, allowLeadingZeros: boolean): V4Reading | undefined {
  let value = 0;
  let parts = 0;
  let leadingZeros = false;
  let i = 0;
  for (;;) {
    let j = i;
    let n = 0;
    while (j < s.length && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) {
      n = n * 10 + (s.charCodeAt(j) - 48);
      j++;
    }
    const len = j - i;
    if (len === 0 || len > 3 || n > 255) return undefined;
    if (len > 1 && s.charCodeAt(i) === 48) {
      if (!allowLeadingZeros) return undefined;
      leadingZeros = true;
    }
    value = value * 256 + n;
    parts++;
    if (j === s.length) break;
    if (s[j] !== '.' || parts === 4) return undefined;
    i = j + 1;
  }
  return parts === 4 ? { value, leadingZeros } : undefined;
}

/** RFC 4291 text (1-4 hex digits a group, one `::`, an IPv4 tail); zones refused. */
export function readIPv6(s: string, allowLeadingZeros: boolean): bigint | undefined {
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
        const v4 = readIPv4(p, allowLeadingZeros);
        if (v4 === undefined) return undefined;
        out.push(v4.value >>> 16, v4.value & 0xffff);
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

/** Parse an address strictly (Go's net.ParseIP); undefined when it is not one. IPv4-mapped IPv6 stays IPv6 here. */
export function parseIP(text: string): IP | undefined {
  if (text.includes(':')) {
    const value = readIPv6(text, false);
    return value === undefined ? undefined : { family: 'IPv6', value };
  }
  const v4 = readIPv4(text, false);
  return v4 === undefined ? undefined : { family: 'IPv4', value: BigInt(v4.value) };
}

/** True for ::ffff:a.b.c.d, which Go treats as an IPv4 address. */
export function isIPv4Mapped(ip: IP): boolean {
  return ip.family === 'IPv6' && ip.value >> 32n === 0xffffn;
}

/** The IPv4 address inside ::ffff:a.b.c.d (call only when isIPv4Mapped). */
export function unmapIPv4(ip: IP): IP {
  return { family: 'IPv4', value: ip.value & 0xffffffffn };
}

/** Canonical text: dotted decimal, or RFC 5952 (lowercase, longest zero run of 2+ groups as ::). */
export function formatIP(ip: IP): string {
  if (ip.family === 'IPv4') {
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
