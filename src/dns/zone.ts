// The pure zone lookup: a question in, an Answer (rcode, answer, authority, additional) out, as
// CoreDNS's kubernetes plugin answers it (reference: shared/reference/cluster-dns.md §3-§5).
// NXDOMAIN and NODATA are data here, never inferred from errors.

import { parseIPSloppy } from '../net/sloppy.js';
import { configuredNamespace, hostLabel, isPublished, namespaceExposed, slicesWithReadyIP } from './endpoints.js';
import type { ZoneIndex } from './index.js';
import type { LookupContext, ZoneOptions } from './lookup-context.js';
import { type ParsedName, parseName } from './name.js';
import { nsEntries } from './ns-records.js';
import { address, familyOf, inFamily, negative, positive, SCHEMA_TTL, SCHEMA_VERSION, soaRecord } from './records.js';
import { lookupService } from './service-records.js';
import type { Answer, Question, Rr } from './types.js';
import { CLASS_IN, RCODE, TYPE } from './types.js';

export type { LookupContext, PodsMode, ZoneOptions } from './lookup-context.js';

export const ADDON_FALLTHROUGH: readonly string[] = ['in-addr.arpa', 'ip6.arpa'];

export const DEFAULT_ZONE_OPTIONS: ZoneOptions = {
  zones: ['cluster.local'],
  reverseZones: ['in-addr.arpa', 'ip6.arpa'],
  ttl: 5,
  pods: 'disabled',
  nsAddresses: ['127.0.0.1'],
};

const REFUSED: Answer = { rcode: RCODE.REFUSED, authoritative: false, answer: [], authority: [], additional: [] };

export function lookup(index: ZoneIndex, q: Question, options: ZoneOptions): Answer {
  const ctx: LookupContext = {
    index,
    options,
    soa: { ttl: options.ttl, serial: options.serial ?? index.serial },
    cnames: [],
    lookupIn,
  };
  return lookupIn(ctx, q);
}

export function lookupIn(ctx: LookupContext, q: Question): Answer {
  const p = parseName(q.name, ctx.options);
  if (p.kind === 'outside') return { ...REFUSED, followup: { kind: 'forward' } };
  if (q.class !== CLASS_IN) return REFUSED;
  if (q.type === TYPE.AXFR || q.type === TYPE.IXFR) return REFUSED;
  const a = inZone(ctx, p, q);
  // `fallthrough`: the next plugin (here: the upstream, when there is one) answers instead.
  if (a.rcode === RCODE.NXDOMAIN && a.followup === undefined && fallsThrough(ctx.options, q.name)) {
    return { ...a, followup: { kind: 'forward' } };
  }
  return a;
}

/** CoreDNS fall.F.Through: the name is under one of the fallthrough zones (or they are all). */
function fallsThrough(options: ZoneOptions, name: string): boolean {
  const zones = options.fallthrough ?? ADDON_FALLTHROUGH;
  if (zones === 'all') return true;
  const lower = name.toLowerCase();
  return zones.some((z) => lower === z || lower.endsWith(`.${z}`));
}

function inZone(ctx: LookupContext, p: Exclude<ParsedName, { kind: 'outside' }>, q: Question): Answer {
  const { soa } = ctx;
  const nodata = () => negative(RCODE.NOERROR, p.zone, soa);
  const nxdomain = () => negative(RCODE.NXDOMAIN, p.zone, soa);
  if (p.kind === 'apex') {
    if (q.type === TYPE.SOA) return positive([soaRecord(p.zone, soa)]);
    if (q.type === TYPE.NS) return apexNS(ctx, p.zone, q);
    // TXT is looked up as a record set (CoreDNS Services/Records), and the apex holds none.
    return q.type === TYPE.TXT ? nxdomain() : nodata();
  }
  // CoreDNS answers SOA for any name below the apex with NODATA, without looking the name up.
  if (q.type === TYPE.SOA) return nodata();
  if (q.type === TYPE.TXT && p.kind !== 'dns-version') {
    // TXT is NODATA only where the name has records of another type; names that exist only as
    // structure (svc/pod roots, namespaces) or as ns.dns are NXDOMAIN (CoreDNS kubernetes.go TXT).
    if (p.kind === 'type-root' || p.kind === 'namespace' || p.kind === 'ns-self') return nxdomain();
    return exists(ctx, p, q) ? nodata() : nxdomain();
  }
  // PTR on a name outside the reverse zones: CoreDNS's Reverse asks Records, which rejects ns.dns.
  if (q.type === TYPE.PTR && p.kind === 'ns-self') return nxdomain();
  switch (p.kind) {
    case 'dns-version':
      return q.type === TYPE.TXT
        ? positive([{ name: q.name, type: TYPE.TXT, ttl: SCHEMA_TTL, data: [SCHEMA_VERSION] }])
        : nxdomain();
    case 'ns-self': {
      const fam = familyOf(q.type);
      const ips = fam ? nsEntries(ctx, p.zone).filter((e) => inFamily(e.ip, fam)) : [];
      const rrs = [...new Set(ips.map((e) => e.ip))].map((ip) => address(q.name, ip, ctx.options.ttl));
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
      return namespaceExposed(ctx, p.namespace) ? nodata() : nxdomain();
    case 'pod':
      return podLookup(ctx, p.zone, p.namespace, p.label, q);
    default:
      return lookupService(ctx, p, q);
  }
}

/** Does the name hold records of some type? CoreDNS's "fake A lookup" for types it cannot answer. */
function exists(ctx: LookupContext, p: Exclude<ParsedName, { kind: 'outside' }>, q: Question): boolean {
  return inZone(ctx, p, { ...q, type: TYPE.A }).rcode !== RCODE.NXDOMAIN;
}

/** The apex NS: one NS per name server name, glue for every entry (CoreDNS BL NS + ns.go). */
function apexNS(ctx: LookupContext, zone: string, q: Question): Answer {
  const ttl = ctx.options.ttl;
  const entries = nsEntries(ctx, zone);
  const names = [...new Set(entries.map((e) => e.name))];
  return positive(
    names.map((ns): Rr => ({ name: q.name, type: TYPE.NS, ttl, data: ns })),
    entries.map((e) => address(e.name, e.ip, ttl)),
  );
}

function reverseLookup(ctx: LookupContext, zone: string, ip: string | undefined, q: Question): Answer {
  const notFound = negative(RCODE.NXDOMAIN, zone, ctx.soa);
  if (q.type !== TYPE.PTR) return notFound;
  const targets = ip === undefined ? [] : ptrTargets(ctx, ip);
  // Names nobody here owns are NXDOMAIN, which the add-on's `fallthrough in-addr.arpa ip6.arpa` forwards.
  if (targets.length === 0) return notFound;
  return positive(targets.map((t): Rr => ({ name: q.name, type: TYPE.PTR, ttl: ctx.options.ttl, data: t })));
}

/** PTR targets of an address: the first Service owning it as a cluster IP, else every endpoint having it. */
export function ptrTargets(ctx: LookupContext, ip: string): string[] {
  const zone = ctx.options.zones[0] ?? 'cluster.local';
  for (const key of ctx.index.servicesWithClusterIP(ip)) {
    const svc = ctx.index.serviceByKey(key);
    if (svc && configuredNamespace(ctx, svc.namespace)) return [`${svc.name}.${svc.namespace}.svc.${zone}`];
  }
  const out = new Set<string>();
  for (const slice of slicesWithReadyIP(ctx, ip)) {
    const [ns, name] = slice.serviceKey.split('/') as [string, string];
    if (!configuredNamespace(ctx, ns)) continue;
    for (const ep of slice.endpoints) {
      if (!ep.addresses.includes(ip) || !isPublished(ctx, slice, ep)) continue;
      out.add(`${hostLabel(ctx.options, ep, ip)}.${name}.${ns}.svc.${zone}`);
    }
  }
  return [...out];
}

/** `<a-b-c-d>.<ns>.pod.<zone>` as CoreDNS's `pods` option answers it. */
function podLookup(ctx: LookupContext, zone: string, ns: string, label: string, q: Question): Answer {
  const nxdomain = negative(RCODE.NXDOMAIN, zone, ctx.soa);
  if (ctx.options.pods === 'disabled' || !namespaceExposed(ctx, ns)) return nxdomain;
  const v4 = label.split('-').length === 4 && !label.includes('--');
  const ip = parseIPSloppy(v4 ? label.replaceAll('-', '.') : label.replaceAll('-', ':'));
  if (!ip || ip.sloppy) return nxdomain;
  if (ctx.options.pods === 'verified' && !ctx.index.hasLivePod(ns, ip.text)) return nxdomain;
  const fam = familyOf(q.type);
  if (fam && inFamily(ip.text, fam)) return positive([address(q.name, ip.text, ctx.options.ttl)]);
  return negative(RCODE.NOERROR, zone, ctx.soa);
}
