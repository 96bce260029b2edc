// The cluster as `kubeplane proxy --dns-listen` publishes it (pure): every proxied Service's cluster
// IP replaced by the proxy's listen address and each proxied port by its listener's port, so A/AAAA
// answers lead to the proxy and SRV answers name the port to use. Ports the proxy does not serve
// (SCTP) are left out, and so is a Service with a cluster IP none of whose ports it serves (nothing
// there to reach); Services without a cluster IP (headless, ExternalName) are unchanged.
import type { ClusterObject, Service } from '../../cluster/types.js';
import type { PortMap } from './port-map.js';
import { splitListen } from './port-map.js';

/** A wildcard listen address is reached through loopback. */
function reachable(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

export function servicesAtProxy(objects: readonly ClusterObject[], map: PortMap): ClusterObject[] {
  const byService = new Map<string, PortMap['ports'][number][]>();
  for (const e of map.ports) {
    const list = byService.get(e.service) ?? [];
    list.push(e);
    byService.set(e.service, list);
  }
  return objects.flatMap((o): ClusterObject[] => {
    if (o.kind !== 'Service') return [o];
    const svc = o as Service;
    const entries = byService.get(`${svc.metadata.namespace ?? 'default'}/${svc.metadata.name}`);
    if (!entries || entries.length === 0) return hasClusterIP(svc) ? [] : [o];
    const host = reachable(splitListen(entries[0]!.listen).host);
    const ports = (svc.spec.ports ?? []).flatMap((p) => {
      const e = entries.find((m) => m.portName === (p.name ?? '') && m.protocol === (p.protocol ?? 'TCP'));
      return e ? [{ ...p, port: splitListen(e.listen).port }] : [];
    });
    return [{ ...svc, spec: { ...svc.spec, clusterIP: host, clusterIPs: [host], ports } }];
  });
}

function hasClusterIP(svc: Service): boolean {
  const ip = svc.spec.clusterIPs?.[0] ?? svc.spec.clusterIP;
  return svc.spec.type !== 'ExternalName' && ip !== undefined && ip !== '' && ip !== 'None';
}
