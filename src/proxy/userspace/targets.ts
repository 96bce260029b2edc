// What the userspace proxier serves, derived from the proxy state (pure): one target per service
// port, with the endpoints its clients may reach and how it is proxied (L4 or HTTP).
import type { ClusterObject, Service } from '../../cluster/types.js';
import type { ProxyState } from '../state.js';
import type { Protocol, ServicePortInfo } from '../types.js';
import type { AffinityPolicy } from './balancer.js';

/** appProtocol values proxied at L7 through http-proxy. */
export const HTTP_APP_PROTOCOLS: readonly string[] = ['http', 'kubernetes.io/h2c'];

export interface ProxyTarget {
  /** ServicePortInfo.key ("ns/svc:port/TCP"): the identity of one listener. */
  readonly key: string;
  readonly service: string;
  readonly portName: string;
  readonly protocol: Protocol;
  readonly clusterIP: string;
  readonly port: number;
  /** 'http' goes through http-proxy; 'tcp'/'udp' are copied as bytes; 'sctp' is not supported. */
  readonly kind: 'tcp' | 'http' | 'udp' | 'sctp';
  readonly affinity: AffinityPolicy;
  /** "ip:port" of the endpoints new connections may use (ready ones, traffic policy applied). */
  readonly endpoints: readonly string[];
}

/** "ns/svc:portName" -> appProtocol, from the Services in the input. */
export function appProtocolsOf(objects: readonly ClusterObject[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of objects) {
    if (o.kind !== 'Service') continue;
    const svc = o as Service;
    const key = `${svc.metadata.namespace ?? 'default'}/${svc.metadata.name}`;
    for (const p of svc.spec.ports ?? []) if (p.appProtocol) out.set(`${key}:${p.name ?? ''}`, p.appProtocol);
  }
  return out;
}

function kindOf(port: ServicePortInfo, appProtocol: string | undefined, l7Http: boolean): ProxyTarget['kind'] {
  if (port.protocol === 'UDP') return 'udp';
  if (port.protocol === 'SCTP') return 'sctp';
  return l7Http || (appProtocol !== undefined && HTTP_APP_PROTOCOLS.includes(appProtocol)) ? 'http' : 'tcp';
}

/**
 * Every service port of the state as a target. Clients of the proxy are inside the cluster, so the
 * internal traffic policy decides: Local uses the node's local endpoints, Cluster the cluster ones
 * (both after CategorizeEndpoints' ready / serving-terminating fallback).
 */
export function proxyTargets(
  state: ProxyState,
  appProtocols: ReadonlyMap<string, string>,
  options: { l7Http: boolean },
): ProxyTarget[] {
  return state.ports.map((port) => {
    const c = state.categorized(port);
    const eps = port.internalPolicyLocal ? c.local : c.cluster;
    return {
      key: port.key,
      service: port.service,
      portName: port.portName,
      protocol: port.protocol,
      clusterIP: port.clusterIP,
      port: port.port,
      kind: kindOf(port, appProtocols.get(`${port.service}:${port.portName}`), options.l7Http),
      affinity: { type: port.sessionAffinity, timeoutSeconds: port.stickyMaxAgeSeconds },
      endpoints: eps.map((e) => e.endpoint),
    };
  });
}
