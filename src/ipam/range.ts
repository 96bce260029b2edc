// One host-local range: a subnet, the inclusive span handed out (rangeStart..rangeEnd) and the gateway
// that is skipped. Parsed into a new immutable value with host-local's defaults: rangeStart and gateway
// subnet+1, rangeEnd the broadcast-1 (IPv4) or the last address (IPv6). Network and broadcast are left
// out only through those defaults; an explicit rangeStart/rangeEnd may include them, as upstream.
import { IpamError } from '../errors.js';
import { type CIDR, cidrContains, formatCIDR, lastAddress, parseCIDRText } from '../net/cidr.js';
import { BITS, formatIP, type IP, isIPv4Mapped, parseIP } from '../net/ip.js';
import { shown } from './cni-limits.js';

export interface Range {
  readonly subnet: CIDR;
  readonly rangeStart: IP;
  readonly rangeEnd: IP;
  readonly gateway: IP;
}

/** An invalid range: `message` is host-local's text, `details` names the field. */
function invalid(field: string, message: string): IpamError {
  return new IpamError('invalid-config', message, field);
}

/** host-local decodes addresses while reading the JSON, so these messages carry no range-set prefix. */
export class RangeDecodeError extends IpamError {}

function ipField(raw: Record<string, unknown>, key: string, field: string): IP | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string')
    throw new RangeDecodeError(
      'invalid-config',
      `${field}.${key}: must be a string, got ${shown(v)}`,
      `${field}.${key}`,
    );
  if (v === '') return undefined;
  const ip = parseIP(v);
  if (!ip) throw new RangeDecodeError('invalid-config', `invalid IP address: ${shown(v)}`, `${field}.${key}`);
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

/**
 * Parse one range object of `ipam.ranges[i][j]` (or the legacy top-level keys); `field` names it in
 * the error details. Messages are host-local's (Range.Canonicalize); config.ts prefixes the range set.
 */
export function parseRange(raw: unknown, field: string): Range {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new RangeDecodeError('invalid-config', `${field}: must be an object with a subnet, got ${shown(raw)}`, field);
  const obj = raw as Record<string, unknown>;
  const text = obj.subnet;
  if (text !== undefined && text !== null && typeof text !== 'string')
    throw new RangeDecodeError(
      'invalid-config',
      `${field}.subnet: must be a string, got ${shown(text)}`,
      `${field}.subnet`,
    );
  if (text === undefined || text === null) throw invalid(`${field}.subnet is required`, 'IP <nil> not v4 nor v6');
  const parsed = parseCIDRText(text);
  if (!parsed) throw new RangeDecodeError('invalid-config', `invalid CIDR address: ${shown(text)}`, `${field}.subnet`);
  const subnet = parsed.cidr;
  const sub = `${field}.subnet`;
  if (isIPv4Mapped(parsed.address))
    throw invalid(sub, `${text}: IPv4-mapped IPv6 subnets are not supported (use the IPv4 form)`);
  const bits = BITS[subnet.family];
  if (subnet.prefix > bits - 2)
    throw invalid(sub, `Network ${formatIP(parsed.address)}/${subnet.prefix} too small to allocate from`);
  if (parsed.hostBitsSet)
    throw invalid(
      sub,
      `Network has host bits set. For a subnet mask of length ${subnet.prefix} the network address is ${formatIP({ family: subnet.family, value: subnet.base })}`,
    );
  const next: IP = { family: subnet.family, value: subnet.base + 1n };
  const gateway = ipField(obj, 'gateway', field) ?? next;
  if (gateway.family !== subnet.family)
    throw invalid(
      `${field}.gateway`,
      `gateway ${formatIP(gateway)} is not in the address family of ${formatCIDR(subnet)}`,
    );
  const explicitStart = ipField(obj, 'rangeStart', field);
  const explicitEnd = ipField(obj, 'rangeEnd', field);
  const last = lastAddress(subnet);
  const defaultEnd: IP = subnet.family === 'IPv4' ? { family: 'IPv4', value: last.value - 1n } : last;
  // As upstream: an explicit rangeStart must lie in the subnet and not after an explicit rangeEnd (one
  // after the default end is refused too, where host-local would walk out of the subnet).
  const rangeStart = explicitStart ?? next;
  const endForStart = explicitEnd ?? defaultEnd;
  if (
    explicitStart &&
    (rangeStart.family !== subnet.family ||
      !cidrContains(subnet, rangeStart) ||
      (endForStart.family === subnet.family && rangeStart.value > endForStart.value))
  )
    throw invalid(`${field}.rangeStart`, `RangeStart ${formatIP(rangeStart)} not in network ${formatCIDR(subnet)}`);
  const rangeEnd = explicitEnd ?? defaultEnd;
  if (rangeEnd.family !== subnet.family || !cidrContains(subnet, rangeEnd) || rangeEnd.value < rangeStart.value)
    throw invalid(`${field}.rangeEnd`, `RangeEnd ${formatIP(rangeEnd)} not in network ${formatCIDR(subnet)}`);
  return Object.freeze({ subnet, rangeStart, rangeEnd, gateway });
}
