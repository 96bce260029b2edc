// One host-local range: a subnet, the inclusive span handed out (rangeStart..rangeEnd) and the gateway
// that is skipped. Parsed into a new immutable value with host-local's defaults: rangeStart and gateway
// subnet+1, rangeEnd the broadcast-1 (IPv4) or the last address (IPv6). Network and broadcast are left
// out only through those defaults; an explicit rangeStart/rangeEnd may include them, as upstream.
import { IpamError } from '../errors.js';
import { type CIDR, cidrContains, formatCIDR, lastAddress, parseCIDRText } from './cidr.js';
import { BITS, formatIP, type IP, isIPv4Mapped, parseIP } from './ip.js';

export interface Range {
  readonly subnet: CIDR;
  readonly rangeStart: IP;
  readonly rangeEnd: IP;
  readonly gateway: IP;
}

function invalid(field: string, message: string, details?: string): IpamError {
  return new IpamError('invalid-config', `${field}: ${message}`, details);
}

function ipField(raw: Record<string, unknown>, key: string, field: string): IP | undefined {
  const v = raw[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw invalid(`${field}.${key}`, `must be a string, got ${JSON.stringify(v)}`);
  const ip = parseIP(v);
  if (!ip) throw invalid(`${field}.${key}`, `${JSON.stringify(v)} is not an IP address`);
  return ip;
}

export function rangeContains(r: Range, ip: IP): boolean {
  return cidrContains(r.subnet, ip) && ip.value >= r.rangeStart.value && ip.value <= r.rangeEnd.value;
}

/** Number of addresses the range can hand out (the span minus the gateway when it lies inside). */
export function rangeCapacity(r: Range): bigint {
  const span = r.rangeEnd.value - r.rangeStart.value + 1n;
  return rangeContains(r, r.gateway) ? span - 1n : span;
}

export function formatRange(r: Range): string {
  return `${formatIP(r.rangeStart)}-${formatIP(r.rangeEnd)}`;
}

/** Parse one range object of `ipam.ranges[i][j]` (or the legacy top-level keys); `field` names it in errors. */
export function parseRange(raw: unknown, field: string): Range {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalid(field, `must be an object with a subnet, got ${JSON.stringify(raw)}`);
  const obj = raw as Record<string, unknown>;
  const text = obj.subnet;
  if (typeof text !== 'string' || text === '') throw invalid(`${field}.subnet`, 'is required');
  const parsed = parseCIDRText(text);
  if (!parsed) throw invalid(`${field}.subnet`, `${JSON.stringify(text)} is not a CIDR`);
  const subnet = parsed.cidr;
  if (isIPv4Mapped(parsed.address))
    throw invalid(`${field}.subnet`, `${text}: IPv4-mapped IPv6 subnets are not supported (use the IPv4 form)`);
  const bits = BITS[subnet.family];
  if (subnet.prefix > bits - 2) throw invalid(`${field}.subnet`, `Network ${text} too small to allocate from`, text);
  if (parsed.hostBitsSet)
    throw invalid(
      `${field}.subnet`,
      `Network has host bits set. For a subnet mask of length ${subnet.prefix} the network address is ${formatIP({ family: subnet.family, value: subnet.base })}`,
      text,
    );
  const next: IP = { family: subnet.family, value: subnet.base + 1n };
  const familyCheck = (ip: IP | undefined, key: string): IP | undefined => {
    if (ip && ip.family !== subnet.family)
      throw invalid(`${field}.${key}`, `${formatIP(ip)} is not in the address family of ${formatCIDR(subnet)}`);
    return ip;
  };
  const gateway = familyCheck(ipField(obj, 'gateway', field), 'gateway') ?? next;
  const rangeStart = familyCheck(ipField(obj, 'rangeStart', field), 'rangeStart') ?? next;
  if (!cidrContains(subnet, rangeStart))
    throw invalid(`${field}.rangeStart`, `RangeStart ${formatIP(rangeStart)} not in network ${formatCIDR(subnet)}`);
  const last = lastAddress(subnet);
  const defaultEnd: IP = subnet.family === 4 ? { family: 4, value: last.value - 1n } : last;
  const rangeEnd = familyCheck(ipField(obj, 'rangeEnd', field), 'rangeEnd') ?? defaultEnd;
  if (!cidrContains(subnet, rangeEnd) || rangeEnd.value < rangeStart.value)
    throw invalid(
      `${field}.rangeEnd`,
      `RangeEnd ${formatIP(rangeEnd)} not in network ${formatCIDR(subnet)} at or after RangeStart ${formatIP(rangeStart)}`,
    );
  return Object.freeze({ subnet, rangeStart, rangeEnd, gateway });
}
