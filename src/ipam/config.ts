// The `ipam` part of a CNI network config, as host-local reads it: range sets from
// runtimeConfig.ipRanges, the legacy top-level subnet and `ranges` (in that order), routes, dataDir,
// resolvConf; and the requested IPs from args.cni.ips and runtimeConfig.ips.
import { IpamError } from '../errors.js';
import { parseCIDR } from './cidr.js';
import { type IP, parseIP } from './ip.js';
import { parseRange } from './range.js';
import { parseRangeSet, RangeSet } from './range-set.js';

export const DEFAULT_DATA_DIR = '/var/lib/cni/networks';

export interface IpamConfig {
  readonly rangeSets: readonly RangeSet[];
  /** Copied into the result unchanged (validated: dst a CIDR, gw an IP). */
  readonly routes: readonly Record<string, unknown>[];
  readonly dataDir: string;
  readonly resolvConf?: string;
  /** From args.cni.ips then runtimeConfig.ips. */
  readonly requestedIPs: readonly IP[];
}

const invalid = (m: string, d?: string) => new IpamError('invalid-config', m, d);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `ip` or `ip/prefix` (the prefix is ignored, as host-local does). */
export function parseRequestedIP(text: unknown, field: string): IP {
  const s = typeof text === 'string' ? text.split('/')[0]! : undefined;
  const ip = s === undefined ? undefined : parseIP(s);
  if (!ip) throw invalid(`${field}: cannot understand ip ${JSON.stringify(text)}`);
  return ip;
}

function requested(list: unknown, field: string): IP[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw invalid(`${field}: must be an array of IP addresses`);
  return list.map((v, i) => parseRequestedIP(v, `${field}[${i}]`));
}

function parseRoutes(raw: unknown): Record<string, unknown>[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalid('ipam.routes: must be an array');
  return raw.map((r, i) => {
    if (!isObject(r) || typeof r.dst !== 'string' || !parseCIDR(r.dst))
      throw invalid(`ipam.routes[${i}].dst: must be a CIDR, got ${JSON.stringify(isObject(r) ? r.dst : r)}`);
    if (r.gw !== undefined && (typeof r.gw !== 'string' || !parseIP(r.gw)))
      throw invalid(`ipam.routes[${i}].gw: must be an IP address, got ${JSON.stringify(r.gw)}`);
    return r;
  });
}

/** Parse the whole network config object (already JSON-decoded); `cniVersion` decides old-version limits. */
export function parseIpamConfig(net: Record<string, unknown>, cniVersion: string): IpamConfig {
  const ipam = net.ipam;
  if (ipam === undefined || ipam === null) throw invalid("IPAM config missing 'ipam' key");
  if (!isObject(ipam)) throw invalid('ipam: must be an object');
  const runtime = isObject(net.runtimeConfig) ? net.runtimeConfig : {};
  const args = isObject(net.args) && isObject(net.args.cni) ? net.args.cni : {};

  const raw: { set: unknown; field: string }[] = [];
  if (runtime.ipRanges !== undefined) {
    if (!Array.isArray(runtime.ipRanges)) throw invalid('runtimeConfig.ipRanges: must be an array of range sets');
    runtime.ipRanges.forEach((s, i) => raw.push({ set: s, field: `runtimeConfig.ipRanges[${i}]` }));
  }
  if (ipam.subnet !== undefined && ipam.subnet !== '') {
    const { subnet, rangeStart, rangeEnd, gateway } = ipam;
    raw.push({ set: [{ subnet, rangeStart, rangeEnd, gateway }], field: 'ipam' });
  }
  if (ipam.ranges !== undefined) {
    if (!Array.isArray(ipam.ranges)) throw invalid('ipam.ranges: must be an array of range sets');
    ipam.ranges.forEach((s, i) => raw.push({ set: s, field: `ipam.ranges[${i}]` }));
  }
  if (raw.length === 0) throw invalid('no IP ranges specified');
  const rangeSets = raw.map(({ set, field }) => {
    // The legacy form is one range object, not an array: its fields are named ipam.subnet etc.
    if (field === 'ipam') return new RangeSet([parseRange((set as unknown[])[0], 'ipam')]);
    return parseRangeSet(set, field);
  });
  for (let a = 0; a < rangeSets.length; a++)
    for (let b = a + 1; b < rangeSets.length; b++)
      if (rangeSets[a]!.overlaps(rangeSets[b]!)) throw invalid(`range set ${a} overlaps with ${b}`);
  if (cniVersion < '0.3.0') {
    for (const fam of [4, 6] as const)
      if (rangeSets.filter((s) => s.family === fam).length > 1)
        throw invalid(`CNI version ${cniVersion} does not support more than 1 address per family`);
  }
  const dataDir = ipam.dataDir ?? DEFAULT_DATA_DIR;
  if (typeof dataDir !== 'string' || dataDir === '') throw invalid('ipam.dataDir: must be a non-empty string');
  const resolvConf = ipam.resolvConf;
  if (resolvConf !== undefined && typeof resolvConf !== 'string') throw invalid('ipam.resolvConf: must be a string');
  return {
    rangeSets,
    routes: parseRoutes(ipam.routes),
    dataDir,
    ...(resolvConf ? { resolvConf } : {}),
    requestedIPs: [...requested(args.ips, 'args.cni.ips'), ...requested(runtime.ips, 'runtimeConfig.ips')],
  };
}
