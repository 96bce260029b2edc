// Name and value formats the API server enforces (k8s.io/apimachinery/pkg/util/validation).
import { type ParsedIP, parseCIDRSloppy, parseIPSloppy } from '../../net/sloppy.js';
import { describe, type ValidationContext } from './context.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export function isDNS1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

export function isDNS1035Label(s: string): boolean {
  return s.length <= 63 && DNS1035_LABEL.test(s);
}

export function isDNS1123Subdomain(s: string): boolean {
  return s.length <= 253 && s.split('.').every((l) => DNS1123_LABEL.test(l));
}

/** A named port: at most 15 characters, letters required, no double hyphen (IANA service name). */
export function isIANAServiceName(s: string): boolean {
  return s.length <= 15 && IANA_SVC_NAME.test(s) && /[a-z]/.test(s) && !s.includes('--');
}

export function checkString(ctx: ValidationContext, field: string, v: unknown): v is string {
  if (typeof v !== 'string') {
    ctx.error(field, `must be a string, got ${describe(v)}`);
    return false;
  }
  return true;
}

export function checkPort(ctx: ValidationContext, field: string, v: unknown, allowZero = false): boolean {
  const min = allowZero ? 0 : 1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > 65535) {
    ctx.error(field, `must be an integer between ${min} and 65535, got ${describe(v)}`);
    return false;
  }
  return true;
}

export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

export function checkProtocol(ctx: ValidationContext, field: string, v: unknown): void {
  if (v === undefined) return;
  if (typeof v !== 'string' || !(PROTOCOLS as readonly string[]).includes(v)) {
    ctx.error(field, `unsupported protocol ${describe(v)}: must be one of TCP, UDP, SCTP`);
  }
}

export function checkEnum(ctx: ValidationContext, field: string, v: unknown, allowed: readonly string[]): void {
  if (v === undefined) return;
  if (typeof v !== 'string' || !allowed.includes(v)) {
    ctx.error(field, `unsupported value ${describe(v)}: must be one of ${allowed.join(', ')}`);
  }
}

export function checkBool(ctx: ValidationContext, field: string, v: unknown): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'boolean') ctx.error(field, `must be true or false, got ${describe(v)}`);
}

/** Check an IP address; returns its family. Leading zeros are accepted (read as decimal) with a warning. */
export function checkIP(ctx: ValidationContext, field: string, v: unknown): 'IPv4' | 'IPv6' | undefined {
  if (!checkString(ctx, field, v)) return undefined;
  const ip = parseIPSloppy(v);
  if (!ip) {
    ctx.error(field, `must be a valid IP address, got ${describe(v)}`);
    return undefined;
  }
  if (ip.sloppy) {
    ctx.warn(field, `IP ${JSON.stringify(v)} has leading zeros; read as decimal ${ip.text} (as Kubernetes does)`);
  }
  return ip.family;
}

/** Check a CIDR (host bits allowed, as Go's ParseCIDR accepts them). Returns its family. */
export function checkCIDR(ctx: ValidationContext, field: string, v: unknown): 'IPv4' | 'IPv6' | undefined {
  if (!checkString(ctx, field, v)) return undefined;
  const cidr = parseCIDRSloppy(v);
  if (!cidr) {
    ctx.error(field, `must be a valid CIDR (address/prefix), got ${describe(v)}`);
    return undefined;
  }
  if (cidr.sloppy) {
    ctx.warn(field, `CIDR ${JSON.stringify(v)} has leading zeros; read as decimal ${cidr.text}`);
  }
  return cidr.family;
}

export function checkArray(ctx: ValidationContext, field: string, v: unknown): v is unknown[] {
  if (v === undefined || v === null) return false;
  if (!Array.isArray(v)) {
    ctx.error(field, `must be a list, got ${describe(v)}`);
    return false;
  }
  return true;
}

/**
 * Why the API server's ValidateEndpointIP refuses `ip` (endpoint addresses, external IPs), or
 * undefined when it is acceptable: unspecified, loopback, link-local, link-local multicast. Tested on
 * the canonical text (no parse: this runs for every endpoint of a large cluster).
 */
export function isSpecialEndpointIP(ip: ParsedIP): string | undefined {
  const t = ip.text;
  if (ip.family === 'IPv4') {
    if (t === '0.0.0.0') return 'unspecified (0.0.0.0)';
    if (t.startsWith('127.')) return 'in the loopback range (127.0.0.0/8)';
    if (t.startsWith('169.254.')) return 'in the link-local range (169.254.0.0/16)';
    if (t.startsWith('224.0.0.')) return 'in the link-local multicast range (224.0.0.0/24)';
    return undefined;
  }
  if (t === '::') return 'unspecified (::)';
  if (t === '::1') return 'the loopback address (::1)';
  // RFC 5952 text writes these first groups with four digits: fe80-febf, ffX2 (Go's IsLinkLocalMulticast).
  if (/^fe[89ab][0-9a-f]:/.test(t)) return 'in the link-local range (fe80::/10)';
  if (/^ff[0-9a-f]2:/.test(t)) return 'in the link-local multicast range (ff02::/16)';
  return undefined;
}
