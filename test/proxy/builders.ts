// Small builders for unit tests of one function (like kube-proxy's makeTestService); suites that
// test loading or state go through YAML and the real loader instead.
import type { Endpoint, ServicePortInfo } from '../../src/proxy/types.js';

export function endpoint(
  ip: string,
  opts: Partial<Pick<Endpoint, 'ready' | 'serving' | 'terminating' | 'isLocal'>> & {
    zones?: string[];
    nodes?: string[];
    port?: number;
  } = {},
): Endpoint {
  const port = opts.port ?? 80;
  const ready = opts.ready ?? true;
  return {
    ip,
    port,
    endpoint: `${ip}:${port}`,
    ready,
    serving: opts.serving ?? ready,
    terminating: opts.terminating ?? false,
    isLocal: opts.isLocal ?? false,
    nodeName: opts.isLocal ? 'node-local' : 'node-other',
    zone: undefined,
    zoneHints: new Set(opts.zones ?? []),
    nodeHints: new Set(opts.nodes ?? []),
    hostname: undefined,
  };
}

export function servicePort(
  opts: { internalLocal?: boolean; externalLocal?: boolean; nodePort?: number; externalIPs?: string[] } = {},
): ServicePortInfo {
  const nodePort = opts.nodePort ?? 0;
  const externalIPs = opts.externalIPs ?? [];
  const externallyAccessible = nodePort !== 0 || externalIPs.length > 0;
  const internalPolicyLocal = opts.internalLocal ?? false;
  const externalPolicyLocal = (opts.externalLocal ?? false) && (nodePort !== 0 || externalIPs.length > 0);
  return {
    key: 'ns/svc:p80/TCP',
    name: 'ns/svc:p80',
    service: 'ns/svc',
    namespace: 'ns',
    serviceName: 'svc',
    portName: 'p80',
    protocol: 'TCP',
    family: 'IPv4',
    serviceType: nodePort ? 'NodePort' : 'ClusterIP',
    clusterIP: '172.30.0.41',
    port: 80,
    nodePort,
    externalIPs,
    loadBalancerVIPs: [],
    loadBalancerSourceRanges: [],
    sessionAffinity: 'None',
    stickyMaxAgeSeconds: 0,
    externalPolicyLocal,
    internalPolicyLocal,
    healthCheckNodePort: 0,
    externallyAccessible,
    usesClusterEndpoints: !internalPolicyLocal || externallyAccessible,
    usesLocalEndpoints: internalPolicyLocal || (externalPolicyLocal && externallyAccessible),
  };
}
