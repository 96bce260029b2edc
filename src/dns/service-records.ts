// Answers for names under `<svc>.<ns>.svc.<zone>`: the service itself, one of its endpoints, or one
// of its ports (`_<port>._<proto>`), for ClusterIP, headless and ExternalName Services.
import { namespaceExposed, type ReadyAddress, readyAddresses } from './endpoints.js';
import type { PortEntry, ServiceEntry } from './index.js';
import type { LookupContext } from './lookup-context.js';
import type { ParsedName } from './name.js';
import { parseName } from './name.js';
import { address, familyOf, inFamily, negative, positive, srvWeight } from './records.js';
import type { Answer, Question, Rr } from './types.js';
import { RCODE, TYPE } from './types.js';

type ServiceName = Extract<ParsedName, { kind: 'service' | 'endpoint' | 'port' }>;

function portMatches(p: PortEntry, port: string, protocol: string): boolean {
  return (port === '' || p.name.toLowerCase() === port) && (protocol === '' || p.protocol.toLowerCase() === protocol);
}

export function lookupService(ctx: LookupContext, p: ServiceName, q: Question): Answer {
  const nxdomain = () => negative(RCODE.NXDOMAIN, p.zone, ctx.soa);
  const nodata = () => negative(RCODE.NOERROR, p.zone, ctx.soa);
  if (!namespaceExposed(ctx, p.namespace)) return nxdomain();
  const svc = ctx.index.service(p.namespace, p.service);
  if (!svc || svc.kind === 'external-ip') return nxdomain();
  const ttl = ctx.options.ttl;
  // Object case for names built from objects, the zone as the query wrote it.
  const base = `${svc.name}.${svc.namespace}.svc.${p.zone}`;
  if (p.kind === 'service' && p.pin) {
    // `zonal`: defined for headless Services only; the name exists even when no endpoint is in
    // the zone (NODATA), and `prefer` then falls back to every endpoint.
    if (svc.kind !== 'headless') return nxdomain();
    const all = readyAddresses(ctx, svc);
    const inZone = all.filter((a) => a.zone === p.pin!.zone);
    const picked = inZone.length === 0 && p.pin.prefer ? all : inZone;
    return endpointAnswer(withPorts(picked, '', ''), base, q, ttl) ?? nodata();
  }
  if (svc.kind === 'external') return p.kind === 'service' ? externalName(ctx, svc, p.zone, q) : nxdomain();

  const needReady = svc.kind === 'headless' || p.kind === 'endpoint' || ctx.options.ignoreEmptyService === true;
  const ready = needReady ? readyAddresses(ctx, svc) : [];
  // `ignore empty_service`: a ClusterIP Service nobody can answer for does not exist.
  if (ready.length === 0 && (svc.kind === 'headless' || ctx.options.ignoreEmptyService)) return nxdomain();
  const fam = familyOf(q.type);

  if (p.kind === 'endpoint') {
    // An endpoint name of any Service type: its addresses, and SRV records naming itself.
    const entries = withPorts(
      ready.filter((a) => a.host.toLowerCase() === p.endpoint),
      '',
      '',
    );
    if (entries.length === 0) return nxdomain();
    return endpointAnswer(entries, base, q, ttl) ?? nodata();
  }

  const wantPort = p.kind === 'port' ? p.port : '';
  const wantProto = p.kind === 'port' ? p.protocol : '';
  if (svc.kind === 'cluster') {
    const ports = svc.ports.filter((pt) => portMatches(pt, wantPort, wantProto));
    if (ports.length === 0) return nxdomain();
    if (fam) {
      const rrs = svc.clusterIPs.filter((ip) => inFamily(ip, fam)).map((ip) => address(q.name, ip, ttl));
      return rrs.length > 0 ? positive(rrs) : nodata();
    }
    if (q.type !== TYPE.SRV) return nodata();
    // Weight counts every (port x cluster IP) entry, sentinel ports included; port -1 is never listed.
    const weight = srvWeight(ports.length * svc.clusterIPs.length);
    const listed = unique(ports.map((pt) => pt.port).filter((port) => port !== -1));
    if (listed.length === 0 || svc.clusterIPs.length === 0) return nodata();
    const srv = listed.map(
      (port): Rr => ({ name: q.name, type: TYPE.SRV, ttl, data: { priority: 0, weight, port, target: base } }),
    );
    return positive(
      srv,
      svc.clusterIPs.map((ip) => address(base, ip, ttl)),
    );
  }

  // Headless: every ready endpoint, with the EndpointSlice's port numbers.
  const entries = withPorts(ready, wantPort, wantProto);
  if (entries.length === 0) return nxdomain();
  return endpointAnswer(entries, base, q, ttl) ?? nodata();
}

/** One (address, port) pair: CoreDNS's msg.Service for an endpoint. */
interface EndpointPort {
  a: ReadyAddress;
  port: number;
}

function withPorts(addresses: readonly ReadyAddress[], port: string, protocol: string): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const a of addresses) {
    for (const pt of a.slice.ports) if (portMatches(pt, port, protocol)) out.push({ a, port: pt.port });
  }
  return out;
}

/**
 * A, AAAA or SRV from endpoint entries (headless names and endpoint names); undefined for NODATA.
 * SRV targets are `<host>.<svc>.<ns>.svc.<zone>`, weight floor(100 / entries), port -1 never listed.
 */
function endpointAnswer(entries: readonly EndpointPort[], base: string, q: Question, ttl: number): Answer | undefined {
  const fam = familyOf(q.type);
  if (fam) {
    const ips = unique(entries.map((e) => e.a.ip).filter((ip) => inFamily(ip, fam)));
    return ips.length > 0 ? positive(ips.map((ip) => address(q.name, ip, ttl))) : undefined;
  }
  if (q.type !== TYPE.SRV) return undefined;
  const weight = srvWeight(entries.length);
  const srv = new Map<string, Rr>();
  const extra = new Map<string, Rr>();
  for (const { a, port } of entries) {
    if (port === -1) continue;
    const target = `${a.host}.${base}`;
    const k = `${target} ${port}`;
    if (!srv.has(k)) srv.set(k, { name: q.name, type: TYPE.SRV, ttl, data: { priority: 0, weight, port, target } });
    const ek = `${target} ${a.ip}`;
    if (!extra.has(ek)) extra.set(ek, address(target, a.ip, ttl));
  }
  return srv.size > 0 ? positive([...srv.values()], [...extra.values()]) : undefined;
}

function externalName(ctx: LookupContext, svc: ServiceEntry, zone: string, q: Question): Answer {
  const ttl = ctx.options.ttl;
  const cname: Rr = { name: q.name, type: TYPE.CNAME, ttl, data: svc.externalName };
  if (q.type === TYPE.CNAME) return positive([cname]);
  // CoreDNS (4b26cced3) follows the target for A and AAAA only; TXT on an ExternalName is NODATA.
  if (q.type !== TYPE.A && q.type !== TYPE.AAAA) return negative(RCODE.NOERROR, zone, ctx.soa);
  const target = svc.externalName;
  // backend_lookup A/AAAA add no CNAME that points at its own name (or below it), that repeats a
  // target already in the chain, or that would make the chain longer than 10: no records, NODATA.
  if (isSameOrBelow(target, q.name) || ctx.cnames.length > MAX_CNAME_CHAIN || ctx.cnames.includes(target)) {
    return negative(RCODE.NOERROR, zone, ctx.soa);
  }
  const inside = parseName(target, ctx.options).kind !== 'outside';
  if (!inside) return { ...positive([cname]), followup: { kind: 'chase', target, type: q.type } };
  // A target inside our zones: follow it here, CNAMEs before targets (CoreDNS HT external-to-service).
  const next = ctx.lookupIn(
    { ...ctx, cnames: [...ctx.cnames, target] },
    { name: target, type: q.type, class: q.class },
  );
  // CoreDNS keeps the CNAME only when the target produced records (backend_lookup A/AAAA).
  if (next.answer.length === 0) return negative(RCODE.NOERROR, zone, ctx.soa);
  const answer = positive([cname, ...next.answer]);
  return next.followup?.kind === 'chase' ? { ...answer, followup: next.followup } : answer;
}

const MAX_CNAME_CHAIN = 10;

/** dns.IsSubDomain(name, child): child is name or below it, compared without letter case. */
function isSameOrBelow(child: string, name: string): boolean {
  const c = child.toLowerCase();
  const n = name.toLowerCase();
  return c === n || c.endsWith(`.${n}`);
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
