// Answers for names under `<svc>.<ns>.svc.<zone>`: the service itself, one of its endpoints, or one
// of its ports (`_<port>._<proto>`), for ClusterIP, headless and ExternalName Services.
import type { EndpointEntry, PortEntry, ServiceEntry, SliceEntry } from './index.js';
import type { ParsedName } from './name.js';
import { parseName } from './name.js';
import { address, familyOf, inFamily, negative, positive, srvWeight } from './records.js';
import { dashedIP } from './reverse.js';
import type { Answer, Question, Rr } from './types.js';
import { RCODE, TYPE } from './types.js';
import { type LookupContext, lookupIn } from './zone.js';

type ServiceName = Extract<ParsedName, { kind: 'service' | 'endpoint' | 'port' }>;

/** One ready address of a service, with the slice it came from (its ports) and its host label. */
interface ReadyAddress {
  ip: string;
  host: string;
  slice: SliceEntry;
}

function readyAddresses(ctx: LookupContext, svc: ServiceEntry): ReadyAddress[] {
  const out: ReadyAddress[] = [];
  for (const slice of ctx.index.slicesOf(svc)) {
    for (const ep of slice.endpoints) {
      if (!ep.ready && !svc.publishNotReady) continue;
      for (const ip of ep.addresses) out.push({ ip, host: hostLabel(ep, ip), slice });
    }
  }
  return out;
}

/** CoreDNS's endpointHostname: the EndpointSlice hostname, else the dashed address. */
function hostLabel(ep: EndpointEntry, ip: string): string {
  return ep.hostname ?? dashedIP(ip);
}

function portMatches(p: PortEntry, port: string, protocol: string): boolean {
  return (port === '' || p.name.toLowerCase() === port) && (protocol === '' || p.protocol.toLowerCase() === protocol);
}

export function lookupService(ctx: LookupContext, p: ServiceName, q: Question): Answer {
  const nxdomain = () => negative(RCODE.NXDOMAIN, p.zone, ctx.soa);
  const nodata = () => negative(RCODE.NOERROR, p.zone, ctx.soa);
  if (!ctx.index.hasNamespace(p.namespace)) return nxdomain();
  const svc = ctx.index.service(p.namespace, p.service);
  if (!svc || svc.kind === 'external-ip') return nxdomain();
  if (svc.kind === 'external') return p.kind === 'service' ? externalName(ctx, svc, p.zone, q) : nxdomain();

  const ttl = ctx.options.ttl;
  // Object case for names built from objects, the zone as the query wrote it.
  const base = `${svc.name}.${svc.namespace}.svc.${p.zone}`;
  const ready = svc.kind === 'headless' || p.kind === 'endpoint' ? readyAddresses(ctx, svc) : [];
  if (svc.kind === 'headless' && ready.length === 0) return nxdomain();
  const fam = familyOf(q.type);

  if (p.kind === 'endpoint') {
    const hits = ready.filter((a) => a.host.toLowerCase() === p.endpoint);
    if (hits.length === 0) return nxdomain();
    const rrs = fam
      ? unique(hits.filter((a) => inFamily(a.ip, fam)).map((a) => a.ip)).map((ip) => address(q.name, ip, ttl))
      : [];
    return rrs.length > 0 ? positive(rrs) : nodata();
  }

  const wantPort = p.kind === 'port' ? p.port : '';
  const wantProto = p.kind === 'port' ? p.protocol : '';
  if (svc.kind === 'cluster') {
    const ports = svc.ports.filter((pt) => portMatches(pt, wantPort, wantProto));
    if (p.kind === 'port' && ports.length === 0) return nxdomain();
    if (fam) {
      const rrs = svc.clusterIPs.filter((ip) => inFamily(ip, fam)).map((ip) => address(q.name, ip, ttl));
      return rrs.length > 0 ? positive(rrs) : nodata();
    }
    if (q.type !== TYPE.SRV) return nodata();
    const entries = ports.length * svc.clusterIPs.length;
    if (entries === 0) return nodata();
    const weight = srvWeight(entries);
    const srv = unique(ports.map((pt) => pt.port)).map(
      (port): Rr => ({ name: q.name, type: TYPE.SRV, ttl, data: { priority: 0, weight, port, target: base } }),
    );
    return positive(
      srv,
      svc.clusterIPs.map((ip) => address(base, ip, ttl)),
    );
  }

  // Headless: every ready endpoint, with the EndpointSlice's port numbers.
  const entries: { a: ReadyAddress; port: number }[] = [];
  for (const a of ready) {
    for (const pt of a.slice.ports) if (portMatches(pt, wantPort, wantProto)) entries.push({ a, port: pt.port });
  }
  if (p.kind === 'port' && entries.length === 0) return nxdomain();
  if (fam) {
    const ips = p.kind === 'port' ? entries.map((e) => e.a.ip) : ready.map((a) => a.ip);
    const rrs = unique(ips.filter((ip) => inFamily(ip, fam))).map((ip) => address(q.name, ip, ttl));
    return rrs.length > 0 ? positive(rrs) : nodata();
  }
  if (q.type !== TYPE.SRV || entries.length === 0) return nodata();
  const weight = srvWeight(entries.length);
  const srv = new Map<string, Rr>();
  const extra = new Map<string, Rr>();
  for (const { a, port } of entries) {
    const target = `${a.host}.${base}`;
    const k = `${target} ${port}`;
    if (!srv.has(k)) srv.set(k, { name: q.name, type: TYPE.SRV, ttl, data: { priority: 0, weight, port, target } });
    const ek = `${target} ${a.ip}`;
    if (!extra.has(ek)) extra.set(ek, address(target, a.ip, ttl));
  }
  return positive([...srv.values()], [...extra.values()]);
}

function externalName(ctx: LookupContext, svc: ServiceEntry, zone: string, q: Question): Answer {
  const ttl = ctx.options.ttl;
  const cname: Rr = { name: q.name, type: TYPE.CNAME, ttl, data: svc.externalName };
  if (q.type === TYPE.CNAME) return positive([cname]);
  // CoreDNS (4b26cced3) follows the target for A and AAAA only; TXT on an ExternalName is NODATA.
  if (q.type !== TYPE.A && q.type !== TYPE.AAAA) return negative(RCODE.NOERROR, zone, ctx.soa);
  const inside = parseName(svc.externalName, ctx.options).kind !== 'outside';
  if (!inside) return { ...positive([cname]), followup: { kind: 'chase', target: svc.externalName, type: q.type } };
  if (ctx.depth <= 0) return positive([cname]);
  // A target inside our zones: follow it here, CNAMEs before targets (CoreDNS HT external-to-service).
  const next = lookupIn({ ...ctx, depth: ctx.depth - 1 }, { name: svc.externalName, type: q.type, class: q.class });
  // CoreDNS keeps the CNAME only when the target produced records (backend_lookup A/AAAA).
  if (next.answer.length === 0) return negative(RCODE.NOERROR, zone, ctx.soa);
  const answer = positive([cname, ...next.answer]);
  return next.followup?.kind === 'chase' ? { ...answer, followup: next.followup } : answer;
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
