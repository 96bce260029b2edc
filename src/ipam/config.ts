// The `ipam` part of a CNI network config, as host-local reads it: range sets from
// runtimeConfig.ipRanges, the legacy top-level subnet and `ranges` (in that order), routes, dataDir,
// resolvConf; and the requested IPs from CNI_ARGS IP=, args.cni.ips and runtimeConfig.ips. Checks run
// in host-local's order (LoadIPAMConfig) with its messages; `details` names our field.
import { IpamError } from '../errors.js';
import { parseCIDRText } from '../net/cidr.js';
import { formatIP, type IP, isIPv4Mapped, parseIP, unmapIPv4 } from '../net/ip.js';
import { parseCniArgs, versionAtLeast } from './cni-env.js';
import { CNI_CODES, CniError } from './cni-errors.js';
import {
  checkListLength,
  MAX_RANGE_SETS,
  MAX_RANGES_PER_SET,
  MAX_REQUESTED_IPS,
  MAX_ROUTES,
  shown,
} from './cni-limits.js';
import { parseRange } from './range.js';
import { inRangeSet, parseRangeSet, RangeSet } from './range-set.js';

export const DEFAULT_DATA_DIR = '/var/lib/cni/networks';

export interface IpamConfig {
  readonly rangeSets: readonly RangeSet[];
  /** As the result prints them: host-local's route fields only, addresses in canonical text. */
  readonly routes: readonly Record<string, unknown>[];
  readonly dataDir: string;
  /** ipam.dataStore: a Redis URL whose pool replaces the data dir (shared by every host using it). */
  readonly dataStore?: string;
  readonly resolvConf?: string;
  /** From CNI_ARGS IP=, args.cni.ips then runtimeConfig.ips; each address once. */
  readonly requestedIPs: readonly IP[];
}

const invalid = (m: string, d?: string) => new IpamError('invalid-config', m, d);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `ip` or `ip/prefix` (the prefix is ignored, as host-local does); an IPv4-mapped IPv6 address is the
 * IPv4 address, as Go's To4() makes it. Undefined when not an address.
 */
export function parseRequestedText(text: unknown): IP | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  let ip: IP | undefined;
  if (slash < 0) ip = parseIP(text);
  else if (parseCIDRText(text)) ip = parseIP(text.slice(0, slash));
  if (ip && isIPv4Mapped(ip)) return unmapIPv4(ip);
  return ip;
}

/** A requested IP from args.cni.ips or runtimeConfig.ips (`field` goes to the error details). */
export function parseRequestedIP(text: unknown, field: string): IP {
  const ip = parseRequestedText(text);
  if (!ip) throw invalid(`invalid IP address ${shown(text)}`, field);
  return ip;
}

function requested(list: unknown, field: string): IP[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw invalid(`${field}: must be an array of IP addresses`, field);
  checkListLength(list, MAX_REQUESTED_IPS, field);
  return list.map((v, i) => parseRequestedIP(v, `${field}[${i}]`));
}

function fromCniArgs(cniArgs: string): IP[] {
  const text = parseCniArgs(cniArgs).ip;
  if (text === undefined || text === '') return [];
  const ip = parseRequestedText(text);
  if (!ip)
    throw new CniError(
      CNI_CODES.invalidEnv,
      `ARGS: error parsing value of pair ${JSON.stringify(shown(`IP=${text}`))}: invalid IP address ${shown(text)}`,
      'CNI_ARGS',
    );
  return [ip];
}

const ROUTE_INTS = ['mtu', 'advmss', 'priority'] as const;
const ROUTE_OPTIONAL_INTS = ['table', 'scope'] as const;

/** One route as libcni re-encodes it: dst keeps its address (host bits too), canonical text; known keys only. */
function parseRoute(r: unknown, i: number): Record<string, unknown> {
  const at = `ipam.routes[${i}]`;
  if (!isObject(r)) throw invalid(`${at}: must be an object with a dst`, at);
  const dst = typeof r.dst === 'string' ? parseCIDRText(r.dst) : undefined;
  if (!dst) {
    if (typeof r.dst === 'string') throw invalid(`invalid CIDR address: ${shown(r.dst)}`, `${at}.dst`);
    throw invalid(`${at}.dst: must be a CIDR, got ${shown(r.dst)}`, `${at}.dst`);
  }
  const out: Record<string, unknown> = { dst: `${formatIP(dst.address)}/${dst.cidr.prefix}` };
  if (r.gw !== undefined && r.gw !== null && r.gw !== '') {
    const gw = typeof r.gw === 'string' ? parseIP(r.gw) : undefined;
    if (!gw) throw invalid(`invalid IP address: ${shown(r.gw)}`, `${at}.gw`);
    out.gw = formatIP(gw);
  }
  for (const k of [...ROUTE_INTS, ...ROUTE_OPTIONAL_INTS]) {
    const v = r[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v))
      throw invalid(`${at}.${k}: must be an integer, got ${shown(v)}`, `${at}.${k}`);
    if (v !== 0 || (ROUTE_OPTIONAL_INTS as readonly string[]).includes(k)) out[k] = v;
  }
  return out;
}

function parseRoutes(raw: unknown): Record<string, unknown>[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalid('ipam.routes: must be an array', 'ipam.routes');
  checkListLength(raw, MAX_ROUTES, 'ipam.routes');
  return raw.map(parseRoute);
}

/** Text for IPs in an error: each once, space-separated, as host-local prints them. */
export function ipList(ips: readonly IP[]): string {
  return ips.map(formatIP).join(' ');
}

/**
 * Parse the whole network config object (already JSON-decoded); `cniVersion` decides old-version
 * limits; `cniArgs` is CNI_ARGS (host-local reads its IP= on every command).
 */
export function parseIpamConfig(net: Record<string, unknown>, cniVersion: string, cniArgs = ''): IpamConfig {
  const ipam = net.ipam;
  if (ipam === undefined || ipam === null) throw invalid("IPAM config missing 'ipam' key", 'ipam');
  if (!isObject(ipam)) throw invalid('ipam: must be an object', 'ipam');
  const runtime = isObject(net.runtimeConfig) ? net.runtimeConfig : {};
  const args = isObject(net.args) && isObject(net.args.cni) ? net.args.cni : {};
  const routes = parseRoutes(ipam.routes);
  const all = [
    ...fromCniArgs(cniArgs),
    ...requested(args.ips, 'args.cni.ips'),
    ...requested(runtime.ips, 'runtimeConfig.ips'),
  ];
  const seen = new Set<string>();
  const requestedIPs = all.filter((ip) => {
    const k = `${ip.family}/${ip.value}`;
    if (seen.has(k)) return false; // host-local keys them by text: the same address asked twice is one
    seen.add(k);
    return true;
  });

  const raw: { set: unknown; field: string }[] = [];
  if (runtime.ipRanges !== undefined && runtime.ipRanges !== null) {
    if (!Array.isArray(runtime.ipRanges))
      throw invalid('runtimeConfig.ipRanges: must be an array of range sets', 'runtimeConfig.ipRanges');
    checkListLength(runtime.ipRanges, MAX_RANGE_SETS, 'runtimeConfig.ipRanges');
    runtime.ipRanges.forEach((s, i) => raw.push({ set: s, field: `runtimeConfig.ipRanges[${i}]` }));
  }
  if (ipam.subnet !== undefined && ipam.subnet !== null) {
    const { subnet, rangeStart, rangeEnd, gateway } = ipam;
    raw.push({ set: { subnet, rangeStart, rangeEnd, gateway }, field: 'ipam' });
  }
  if (ipam.ranges !== undefined && ipam.ranges !== null) {
    if (!Array.isArray(ipam.ranges)) throw invalid('ipam.ranges: must be an array of range sets', 'ipam.ranges');
    checkListLength(ipam.ranges, MAX_RANGE_SETS, 'ipam.ranges');
    ipam.ranges.forEach((s, i) => raw.push({ set: s, field: `ipam.ranges[${i}]` }));
  }
  if (raw.length === 0) throw invalid('no IP ranges specified', 'ipam.ranges');
  checkListLength(raw, MAX_RANGE_SETS, 'range sets (runtimeConfig.ipRanges, ipam.subnet and ipam.ranges)');
  for (const { set, field } of raw) if (Array.isArray(set)) checkListLength(set, MAX_RANGES_PER_SET, field);
  const rangeSets = raw.map(({ set, field }, i) =>
    // The legacy form is one range object, not an array: its fields are named ipam.subnet etc.
    field === 'ipam'
      ? inRangeSet(`invalid range set ${i}`, () => new RangeSet([parseRange(set, 'ipam')]))
      : parseRangeSet(set, field, i),
  );
  if (!versionAtLeast(cniVersion, '0.3.0')) {
    for (const fam of ['IPv4', 'IPv6'] as const)
      if (rangeSets.filter((s) => s.family === fam).length > 1)
        throw invalid(`CNI version ${cniVersion} does not support more than 1 address per family`, 'ipam.ranges');
  }
  for (let a = 0; a < rangeSets.length; a++)
    for (let b = a + 1; b < rangeSets.length; b++)
      if (rangeSets[a]!.overlaps(rangeSets[b]!))
        throw invalid(`range set ${a} overlaps with ${b}`, `${raw[a]!.field}, ${raw[b]!.field}`);
  const dataDir =
    ipam.dataDir === undefined || ipam.dataDir === null || ipam.dataDir === '' ? DEFAULT_DATA_DIR : ipam.dataDir;
  if (typeof dataDir !== 'string') throw invalid('ipam.dataDir: must be a string', 'ipam.dataDir');
  const dataStore = ipam.dataStore;
  if (
    dataStore !== undefined &&
    dataStore !== null &&
    (typeof dataStore !== 'string' || !/^redis(\+cluster)?:\/\//.test(dataStore))
  )
    throw invalid(
      'ipam.dataStore: must be a redis://HOST:PORT/DB or redis+cluster://HOST:PORT,... URL',
      'ipam.dataStore',
    );
  const resolvConf = ipam.resolvConf;
  if (resolvConf !== undefined && resolvConf !== null && typeof resolvConf !== 'string')
    throw invalid('ipam.resolvConf: must be a string', 'ipam.resolvConf');
  return {
    rangeSets,
    routes,
    dataDir,
    ...(typeof dataStore === 'string' ? { dataStore } : {}),
    ...(resolvConf ? { resolvConf } : {}),
    requestedIPs,
  };
}
