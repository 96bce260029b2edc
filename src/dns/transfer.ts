// A zone transfer of a cluster zone, record by record as CoreDNS's kubernetes plugin hands it to the
// `transfer` plugin (plugin/kubernetes/xfr.go): the SOA; one NS per name server name and their
// addresses (TTL 0, as nsAddrs builds them); then every exposed Service, sorted by name: cluster IPs
// with an SRV per port on the bare name and per named port, headless endpoints by name, ExternalName
// CNAMEs; the SOA again. Pure; transferMessages cuts the list into TCP messages.
import { hostLabel, namespaceExposed, slicesOf } from './endpoints.js';
import type { ZoneIndex } from './index.js';
import { nsEntries } from './ns-records.js';
import { address, soaRecord, srvWeight } from './records.js';
import type { Rr } from './types.js';
import { TYPE } from './types.js';
import type { Query } from './wire/decode.js';
import { encodeReply } from './wire/encode.js';
import { type LookupContext, lookupIn, type ZoneOptions } from './zone.js';

/** The records of a transfer of `qname`, or undefined when it is not one of the cluster zones. */
export function zoneTransfer(index: ZoneIndex, options: ZoneOptions, qname: string): Rr[] | undefined {
  // CoreDNS transfers the name as request.Name() gives it: lower case.
  const zone = qname.toLowerCase();
  if (!options.zones.includes(zone)) return undefined;
  const ttl = options.ttl;
  const ctx: LookupContext = {
    index,
    options,
    soa: { ttl, serial: options.serial ?? index.serial },
    cnames: [],
    lookupIn,
  };
  const soa = soaRecord(zone, ctx.soa);
  const out: Rr[] = [soa];
  const ns = nsEntries(ctx, zone);
  for (const name of new Set(ns.map((e) => e.name))) out.push({ name: zone, type: TYPE.NS, ttl, data: name });
  for (const e of ns) out.push(address(e.name, e.ip, 0));

  const srv = (name: string, weight: number, port: number, target: string): Rr => ({
    name,
    type: TYPE.SRV,
    ttl,
    // CoreDNS writes the port as uint16: its "no port" sentinel -1 comes out as 65535.
    data: { priority: 0, weight, port: port & 0xffff, target },
  });
  const services = index.allServices().sort((a, b) => (a.name === b.name ? 0 : a.name < b.name ? -1 : 1));
  for (const svc of services) {
    if (!namespaceExposed(ctx, svc.namespace)) continue;
    const base = `${svc.name}.${svc.namespace}.svc.${zone}`;
    if (svc.kind === 'external') {
      out.push({ name: base, type: TYPE.CNAME, ttl, data: svc.externalName });
      continue;
    }
    if (svc.kind === 'external-ip') continue;
    if (svc.kind === 'cluster' && svc.clusterIPs.length > 0) {
      for (const ip of svc.clusterIPs) out.push(address(base, ip, ttl));
      for (const p of svc.ports) {
        out.push(srv(base, 100, p.port, base));
        // The spec gives unnamed ports no SRV name of their own.
        if (p.name !== '') out.push(srv(`_${p.name}._${p.protocol}.${base}`.toLowerCase(), 100, p.port, base));
      }
      continue;
    }
    for (const slice of slicesOf(ctx, svc)) {
      const ready = slice.endpoints.filter((ep) => ep.ready || svc.publishNotReady);
      const weight = srvWeight(ready.reduce((n, ep) => n + ep.addresses.length, 0));
      for (const ep of ready) {
        for (const ip of ep.addresses) {
          const host = `${hostLabel(options, ep, ip)}.${base}`;
          out.push(address(base, ip, ttl), address(host, ip, ttl));
          for (const p of slice.ports) {
            if (p.name !== '') out.push(srv(`_${p.name}._${p.protocol}.${base}`.toLowerCase(), weight, p.port, host));
          }
        }
      }
    }
  }
  out.push(soa);
  return out;
}

/** miekg/dns Transfer.Out: the records in as few messages as fit, each a reply to the query, authoritative, no OPT. */
export function transferMessages(q: Query, records: readonly Rr[]): Buffer[] {
  const out: Buffer[] = [];
  for (let rest = records; rest.length > 0; ) {
    const msg = encodeReply({
      id: q.id,
      opcode: q.opcode,
      rcode: 0,
      aa: true,
      rd: q.rd,
      cd: q.cd,
      question: q.question,
      answer: rest,
      authority: [],
      additional: [],
      opt: undefined,
    });
    // encodeReply keeps the records that fit 64 KiB and flags the rest with TC: send those, go on.
    const fitted = msg.readUInt16BE(6);
    if (fitted === 0) break;
    msg[2] = msg[2]! & ~0x02;
    out.push(msg);
    rest = rest.slice(fitted);
  }
  return out;
}
