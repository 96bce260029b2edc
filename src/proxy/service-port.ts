// Service -> ServicePortInfo for one IP family, deriving what kube-proxy's newBaseServiceInfo does.

import type { IPFamily, Service } from '../cluster/types.js';
import { HEADLESS_LABEL, SERVICE_PROXY_NAME_LABEL } from '../cluster/types.js';
import { parseCIDRSloppy, parseIPSloppy } from '../net/index.js';
import type { ServicePortInfo } from './types.js';

const DEFAULT_AFFINITY_TIMEOUT = 10800;

/** The cluster IP of `family`, following ipFamilies/clusterIPs (inferred from clusterIPs when unset). */
export function clusterIPForFamily(svc: Service, family: IPFamily): string | undefined {
  const spec = svc.spec;
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  if (ips.length === 0 || ips[0] === 'None') return undefined;
  for (let i = 0; i < ips.length; i++) {
    const ip = parseIPSloppy(ips[i]!);
    const declared = spec.ipFamilies?.[i];
    if (ip && ip.family === family && (declared === undefined || declared === family)) return ip.text;
  }
  return undefined;
}

function ipsOfFamily(list: readonly (string | undefined)[] | undefined, family: IPFamily): string[] {
  const out: string[] = [];
  for (const s of list ?? []) {
    if (!s) continue;
    const ip = parseIPSloppy(s);
    if (ip && ip.family === family) out.push(ip.text);
  }
  return out;
}

/**
 * kube-proxy's informers list Services and EndpointSlices with one label selector,
 * `!service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless`, so an object carrying
 * either label (any value) never reaches the proxier, whatever its kind.
 */
export function hiddenFromKubeProxy(labels: Readonly<Record<string, string>> | undefined): boolean {
  return labels !== undefined && (SERVICE_PROXY_NAME_LABEL in labels || HEADLESS_LABEL in labels);
}

/** Whether kube-proxy renders anything for this Service at all. */
export function isProxiedService(svc: Service): boolean {
  if (svc.spec.type === 'ExternalName') return false;
  if (!svc.spec.clusterIP && !svc.spec.clusterIPs?.length) return false;
  if (svc.spec.clusterIP === 'None' || svc.spec.clusterIPs?.[0] === 'None') return false;
  if (hiddenFromKubeProxy(svc.metadata.labels)) return false;
  return true;
}

/** The service ports kube-proxy's proxier for `family` sees for one Service (empty when skipped). */
export function servicePortsOf(svc: Service, family: IPFamily): ServicePortInfo[] {
  if (!isProxiedService(svc)) return [];
  const clusterIP = clusterIPForFamily(svc, family);
  if (!clusterIP) return [];
  const spec = svc.spec;
  const namespace = svc.metadata.namespace ?? 'default';
  const serviceName = svc.metadata.name;
  const service = `${namespace}/${serviceName}`;
  const type = spec.type ?? 'ClusterIP';
  const externalIPs = ipsOfFamily(spec.externalIPs, family);
  // Like kube-proxy, whatever the type: the API server forbids ingress on other types (since 1.29).
  const loadBalancerVIPs = ipsOfFamily(
    (svc.status?.loadBalancer?.ingress ?? [])
      .filter((i) => i.ipMode === undefined || i.ipMode === 'VIP')
      .map((i) => i.ip),
    family,
  );
  const loadBalancerSourceRanges: string[] = [];
  for (const r of spec.loadBalancerSourceRanges ?? []) {
    const c = parseCIDRSloppy(r.trim());
    if (c && c.family === family) loadBalancerSourceRanges.push(`${c.address}/${c.prefix}`);
  }
  const affinity = spec.sessionAffinity === 'ClientIP' ? 'ClientIP' : 'None';
  const stickyMaxAgeSeconds =
    affinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT) : 0;
  const externallyAccessibleByType =
    type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && (spec.externalIPs?.length ?? 0) > 0);
  const externalPolicyLocal = externallyAccessibleByType && spec.externalTrafficPolicy === 'Local';
  const internalPolicyLocal = spec.internalTrafficPolicy === 'Local';
  const healthCheckNodePort = type === 'LoadBalancer' && externalPolicyLocal ? (spec.healthCheckNodePort ?? 0) : 0;

  return (spec.ports ?? []).map((p) => {
    const portName = p.name ?? '';
    const protocol = p.protocol ?? 'TCP';
    const name = portName ? `${service}:${portName}` : service;
    // kube-proxy takes the port's nodePort whatever the type (newBaseServiceInfo).
    const nodePort = p.nodePort ?? 0;
    const externallyAccessible = nodePort !== 0 || loadBalancerVIPs.length > 0 || externalIPs.length > 0;
    return {
      key: `${name}/${protocol}`,
      name,
      service,
      namespace,
      serviceName,
      portName,
      protocol,
      family,
      serviceType: type as ServicePortInfo['serviceType'],
      clusterIP,
      port: p.port,
      nodePort,
      externalIPs,
      loadBalancerVIPs,
      loadBalancerSourceRanges,
      sessionAffinity: affinity,
      stickyMaxAgeSeconds,
      externalPolicyLocal,
      internalPolicyLocal,
      healthCheckNodePort,
      externallyAccessible,
      usesClusterEndpoints: !internalPolicyLocal || externallyAccessible,
      usesLocalEndpoints: internalPolicyLocal || (externalPolicyLocal && externallyAccessible),
    };
  });
}

/** Sort order of service ports in every payload: by ServicePortName string, then protocol. */
export function compareServicePorts(a: ServicePortInfo, b: ServicePortInfo): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0;
}
