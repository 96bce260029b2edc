// The virtual servers of one service port, as syncProxyRules creates them: its ClusterIP, each
// externalIP, each load-balancer VIP and (with a node port) each node IP, all with the same
// scheduler and ClientIP persistence; real servers from the categorized endpoints.
import type { ProxyState } from '../state.js';
import type { Endpoint, ServicePortInfo } from '../types.js';
import type { RealServer, VirtualServer } from './model.js';
import type { IpvsOptions } from './options.js';

/** syncEndpoint: local endpoints when the policy is Local and some exist, else the cluster ones. */
function realServersOf(state: ProxyState, port: ServicePortInfo, onlyLocal: boolean): RealServer[] {
  const c = state.categorized(port);
  const eps: readonly Endpoint[] = onlyLocal && c.local.length > 0 ? c.local : c.cluster;
  const seen = new Set<string>();
  const out: RealServer[] = [];
  for (const e of eps) {
    if (seen.has(e.endpoint)) continue;
    seen.add(e.endpoint);
    out.push({ address: e.ip, port: e.port, weight: 1 });
  }
  return out;
}

export function virtualServersOf(state: ProxyState, port: ServicePortInfo, opts: IpvsOptions): VirtualServer[] {
  const persistenceTimeout = port.sessionAffinity === 'ClientIP' ? port.stickyMaxAgeSeconds : null;
  const base = { protocol: port.protocol, scheduler: opts.scheduler, persistenceTimeout };
  const out: VirtualServer[] = [];
  out.push({
    ...base,
    address: port.clusterIP,
    port: port.port,
    realServers: realServersOf(state, port, port.internalPolicyLocal),
  });
  const external = port.externalIPs.length + port.loadBalancerVIPs.length > 0 || port.nodePort !== 0;
  if (!external) return out;
  const ext = realServersOf(state, port, port.externalPolicyLocal);
  for (const ip of port.externalIPs) out.push({ ...base, address: ip, port: port.port, realServers: ext });
  for (const ip of port.loadBalancerVIPs) out.push({ ...base, address: ip, port: port.port, realServers: ext });
  if (port.nodePort !== 0)
    for (const ip of opts.nodePortIPs) out.push({ ...base, address: ip, port: port.nodePort, realServers: ext });
  return out;
}
