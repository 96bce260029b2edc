// The pure zone lookup: a question in, an Answer (rcode, answer, authority, additional) out, as
// CoreDNS's kubernetes plugin answers it (reference: shared/reference/cluster-dns.md §3-§5).
// NXDOMAIN and NODATA are data here, never inferred from errors.

import { parseIPSloppy } from '../cluster/sloppy-ip.js';
import type { ZoneIndex } from './index.js';
import { type ParsedName, parseName, type ZoneNames } from './name.js';
import {
  address,
  familyOf,
  inFamily,
  negative,
  positive,
  SCHEMA_TTL,
  SCHEMA_VERSION,
  type SoaSettings,
  soaRecord,
} from './records.js';
import { dashedIP } from './reverse.js';
import { lookupService } from './service-records.js';
import type { Answer, Question, Rr } from './types.js';
import { CLASS_IN, RCODE, TYPE } from './types.js';

export type PodsMode = 'disabled' | 'insecure' | 'verified';

export interface ZoneOptions extends ZoneNames {
  /** Record TTL (CoreDNS `ttl`, default 5). */
  ttl: number;
  pods: PodsMode;
  /** The server's own addresses: `ns.dns.<zone>` and the apex NS glue. */
  nsAddresses: readonly string[];
  /** Pin the SOA serial (golden files); default: the index's last-change time. */
  serial?: number;
}

export const DEFAULT_ZONE_OPTIONS: ZoneOptions = {
  zones: ['cluster.local'],
  reverseZones: ['in-addr.arpa', 'ip6.arpa'],
  ttl: 5,
  pods: 'disabled',
  nsAddresses: ['127.0.0.1'],
};

/** Context shared by the lookup helpers. */
export interface LookupContext {
  index: ZoneIndex;
  options: ZoneOptions;
  soa: SoaSettings;
  /** How many ExternalName hops are left (loops between ExternalNames end here). */
  depth: number;
}

const REFUSED: Answer = { rcode: RCODE.REFUSED, authoritative: false, answer: [], authority: [], additional: [] };

export function lookup(index: ZoneIndex, q: Question, options: ZoneOptions): Answer {
  const ctx: LookupContext = {
    index,
    options,
    soa: { ttl: options.ttl, serial: options.serial ?? index.serial },
    depth: 8,
  };
  return lookupIn(ctx, q);
}

export function lookupIn(ctx: LookupContext, q: Question): Answer {
  const p = parseName(q.name, ctx.options);
  if (p.kind === 'outside') return { ...REFUSED, followup: { kind: 'forward' } };
  if (q.class !== CLASS_IN) return REFUSED;
  if (q.type === TYPE.AXFR || q.type === TYPE.IXFR) return REFUSED;
  return inZone(ctx, p, q);
}

function inZone(ctx: LookupContext, p: Exclude<ParsedName, { kind: 'outside' }>, q: Question): Answer {
  const { soa } = ctx;
  const ttl = ctx.options.ttl;
  const nodata = () => negative(RCODE.NOERROR, p.zone, soa);
  const nxdomain = () => negative(RCODE.NXDOMAIN, p.zone, soa);
  if (p.kind === 'apex') {
    if (q.type === TYPE.SOA) return positive([soaRecord(p.zone, soa)]);
    if (q.type === TYPE.NS) {
      const ns = `ns.dns.${p.zone}`;
      return positive(
        [{ name: q.name, type: TYPE.NS, ttl, data: ns }],
        ctx.options.nsAddresses.map((ip) => address(ns, ip, ttl)),
      );
    }
    return nodata();
  }
  // CoreDNS answers SOA for any name below the apex with NODATA, without looking the name up.
  if (q.type === TYPE.SOA) return nodata();
  switch (p.kind) {
    case 'dns-version':
      return q.type === TYPE.TXT
        ? positive([{ name: q.name, type: TYPE.TXT, ttl: SCHEMA_TTL, data: [SCHEMA_VERSION] }])
        : nxdomain();
    case 'ns-self': {
      const fam = familyOf(q.type);
      const rrs = fam
        ? ctx.options.nsAddresses.filter((ip) => inFamily(ip, fam)).map((ip) => address(q.name, ip, ttl))
        : [];
      return rrs.length > 0 ? positive(rrs) : nodata();
    }
    case 'type-root':
      return nodata();
    case 'invalid':
      return nxdomain();
    case 'reverse':
      return reverseLookup(ctx, p.zone, p.ip, q);
    case 'namespace':
      if (p.under === 'pod' && ctx.options.pods === 'disabled') return nxdomain();
      return ctx.index.hasNamespace(p.namespace) ? nodata() : nxdomain();
    case 'pod':
      return podLookup(ctx, p.zone, p.namespace, p.label, q);
    default:
      return lookupService(ctx, p, q);
  }
}

function reverseLookup(ctx: LookupContext, zone: string, ip: string | undefined, q: Question): Answer {
  const notFound = negative(RCODE.NXDOMAIN, zone, ctx.soa);
  if (q.type !== TYPE.PTR) return notFound;
  const targets = ip === undefined ? [] : ptrTargets(ctx, ip);
  // Names nobody here owns fall through to the upstream, as the add-on's `fallthrough in-addr.arpa ip6.arpa`.
  if (targets.length === 0) return { ...notFound, followup: { kind: 'forward' } };
  return positive(targets.map((t): Rr => ({ name: q.name, type: TYPE.PTR, ttl: ctx.options.ttl, data: t })));
}

/** PTR targets of an address: the first Service owning it as a cluster IP, else every endpoint having it. */
export function ptrTargets(ctx: LookupContext, ip: string): string[] {
  const zone = ctx.options.zones[0] ?? 'cluster.local';
  for (const key of ctx.index.servicesWithClusterIP(ip)) {
    const svc = ctx.index.serviceByKey(key);
    if (svc) return [`${svc.name}.${svc.namespace}.svc.${zone}`];
  }
  const out = new Set<string>();
  for (const slice of ctx.index.slicesWithEndpointIP(ip)) {
    const svc = ctx.index.serviceByKey(slice.serviceKey);
    const publish = svc?.publishNotReady === true;
    const [ns, name] = slice.serviceKey.split('/') as [string, string];
    for (const ep of slice.endpoints) {
      if (!(ep.ready || publish) || !ep.addresses.includes(ip)) continue;
      out.add(`${ep.hostname ?? dashedIP(ip)}.${name}.${ns}.svc.${zone}`);
    }
  }
  return [...out];
}

/** `<a-b-c-d>.<ns>.pod.<zone>` as CoreDNS's `pods` option answers it. */
function podLookup(ctx: LookupContext, zone: string, ns: string, label: string, q: Question): Answer {
  const nxdomain = negative(RCODE.NXDOMAIN, zone, ctx.soa);
  if (ctx.options.pods === 'disabled' || !ctx.index.hasNamespace(ns)) return nxdomain;
  const v4 = label.split('-').length === 4 && !label.includes('--');
  const ip = parseIPSloppy(v4 ? label.replaceAll('-', '.') : label.replaceAll('-', ':'));
  if (!ip || ip.sloppy) return nxdomain;
  if (ctx.options.pods === 'verified' && !ctx.index.hasLivePod(ns, ip.text)) return nxdomain;
  const fam = familyOf(q.type);
  if (fam && inFamily(ip.text, fam)) return positive([address(q.name, ip.text, ctx.options.ttl)]);
  return negative(RCODE.NOERROR, zone, ctx.soa);
}
