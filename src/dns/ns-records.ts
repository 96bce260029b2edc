// Who the name server of a zone is, as CoreDNS's ns.go nsAddrs decides: the Services whose ready
// endpoints include the server's own address (a ClusterIP Service by its name and cluster IPs, a
// headless one by each endpoint's name and address); when no endpoint has the server's address,
// `ns.dns.<zone>` with the server's own addresses.
import { hostLabel, slicesWithReadyIP } from './endpoints.js';
import type { LookupContext } from './lookup-context.js';

export interface NsEntry {
  name: string;
  ip: string;
}

/** Name server entries for `zone` (written in the query's letter case), in CoreDNS's order. */
export function nsEntries(ctx: LookupContext, zone: string): NsEntry[] {
  const out: NsEntry[] = [];
  let foundEndpoint = false;
  for (const local of ctx.options.nsAddresses) {
    for (const slice of slicesWithReadyIP(ctx, local)) {
      foundEndpoint = true;
      const svc = ctx.index.serviceByKey(slice.serviceKey);
      if (!svc) continue;
      const name = `${svc.name}.${svc.namespace}.svc.${zone}`;
      if (svc.kind !== 'headless') {
        for (const ip of svc.clusterIPs) out.push({ name, ip });
        continue;
      }
      // Every ready address of that slice, not only the server's own (CoreDNS TestNsAddrs).
      for (const ep of slice.endpoints) {
        if (!ep.ready) continue;
        for (const ip of ep.addresses) out.push({ name: `${hostLabel(ctx.options, ep, ip)}.${name}`, ip });
      }
    }
  }
  if (foundEndpoint) return out;
  return ctx.options.nsAddresses.map((ip) => ({ name: `ns.dns.${zone}`, ip }));
}
