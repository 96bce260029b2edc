// Reverse names (RFC 1035 §3.5, RFC 3596 §2.5) to addresses and back.
import ipaddr from 'ipaddr.js';

/** "100.0.96.10.in-addr.arpa" -> "10.96.0.100"; 32-nibble ip6.arpa names -> RFC 5952 text. */
export function reverseToIP(lowerName: string): string | undefined {
  if (lowerName.endsWith('.in-addr.arpa')) {
    const parts = lowerName.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4) return undefined;
    for (const p of parts) if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    return parts.reverse().join('.');
  }
  if (lowerName.endsWith('.ip6.arpa')) {
    const nibbles = lowerName.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32) return undefined;
    for (const n of nibbles) if (!/^[0-9a-f]$/.test(n)) return undefined;
    const hex = nibbles.reverse().join('');
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(hex.slice(i, i + 4));
    return ipaddr.IPv6.parse(groups.join(':')).toRFC5952String();
  }
  return undefined;
}

/** The reverse name of a canonical address. */
export function ipToReverse(ip: string): string {
  if (!ip.includes(':')) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const bytes = ipaddr.IPv6.parse(ip).toByteArray();
  const nibbles: string[] = [];
  for (const b of bytes) nibbles.push((b >> 4).toString(16), (b & 15).toString(16));
  return `${nibbles.reverse().join('.')}.ip6.arpa`;
}

/** CoreDNS's dashed form of an address: "10-244-2-13", "fd00-10--d" (a trailing "-" gets "0"). */
export function dashedIP(ip: string): string {
  if (!ip.includes(':')) return ip.replaceAll('.', '-');
  const d = ip.replaceAll(':', '-');
  return d.endsWith('-') ? `${d}0` : d;
}

/**
 * The reverse zones a CIDR stands for in a CoreDNS server block (plugin/pkg/cidr Split + Reverse):
 * a prefix off the label boundary (8 bits IPv4, 4 bits IPv6) becomes every zone one boundary
 * longer inside it ("10.0.0.0/23" -> 0.0.10.in-addr.arpa, 1.0.10.in-addr.arpa).
 */
export function cidrReverseZones(family: 'IPv4' | 'IPv6', network: string, prefix: number): string[] {
  const v4 = family === 'IPv4';
  const step = v4 ? 8 : 4;
  const labels = v4
    ? network.split('.').map(Number)
    : ipaddr.IPv6.parse(network)
        .toByteArray()
        .flatMap((b) => [b >> 4, b & 15]);
  const kept = Math.ceil(prefix / step);
  const count = 2 ** (kept * step - prefix);
  const suffix = v4 ? 'in-addr.arpa' : 'ip6.arpa';
  if (kept === 0) return [suffix];
  const zones: string[] = [];
  for (let i = 0; i < count; i++) {
    const head = labels.slice(0, kept);
    head[kept - 1] = head[kept - 1]! + i;
    zones.push(
      `${head
        .reverse()
        .map((n) => n.toString(v4 ? 10 : 16))
        .join('.')}.${suffix}`,
    );
  }
  return zones;
}
