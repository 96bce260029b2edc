// API-server defaulting and allocation for Services: type, port protocol and targetPort, policies,
// ip families, ClusterIP(s) from the service CIDRs, nodePorts and healthCheckNodePort from the node
// port range. A Service that already has what a cluster would write is returned as it is (same
// object). Addresses and ports held by any input Service are taken before anything is allocated.

import type { IPFamily, Service, ServicePort } from '../cluster/types.js';
import { objectKey } from '../cluster/types.js';
import { ControlError } from '../errors.js';
import { parseIP } from '../net/ip.js';
import type { Random } from './allocation-map.js';
import type { ServiceIPRange } from './ip-allocator.js';
import type { NodePortAllocator } from './port-allocator.js';

export interface ServiceAllocators {
  /** Service CIDR ranges, primary family first (at most one per family is used for allocation). */
  ranges: readonly ServiceIPRange[];
  nodePorts: NodePortAllocator;
  rand: Random;
}

const famName = (f: IPFamily): IPFamily => f;
const id = (s: Service) => `Service ${objectKey(s)}`;

function wantsNodePorts(s: Service): boolean {
  const t = s.spec.type;
  return t === 'NodePort' || (t === 'LoadBalancer' && s.spec.allocateLoadBalancerNodePorts !== false);
}

function needsHealthCheck(s: Service): boolean {
  return s.spec.type === 'LoadBalancer' && s.spec.externalTrafficPolicy === 'Local';
}

/** Does the API server still have something to write into this Service? */
export function serviceNeedsCompletion(s: Service): boolean {
  const spec = s.spec;
  if (spec.type === 'ExternalName') return false;
  if (!spec.clusterIP) return true;
  if ((spec.ports ?? []).some((p) => !p.protocol || p.targetPort === undefined)) return true;
  if (wantsNodePorts(s) && (spec.ports ?? []).some((p) => !p.nodePort)) return true;
  return needsHealthCheck(s) && !spec.healthCheckNodePort;
}

/** Take every address and port the input's Services hold, so allocation skips them. */
export function occupy(services: readonly Service[], a: ServiceAllocators): void {
  for (const s of services) {
    for (const ip of s.spec.clusterIPs ?? (s.spec.clusterIP ? [s.spec.clusterIP] : [])) {
      const parsed = ip === 'None' ? undefined : parseIP(ip);
      if (parsed) for (const r of a.ranges) if (r.allocate(parsed)) break;
    }
    for (const p of s.spec.ports ?? []) if (p.nodePort) a.nodePorts.allocate(p.nodePort);
    if (s.spec.healthCheckNodePort) a.nodePorts.allocate(s.spec.healthCheckNodePort);
  }
}

function families(s: Service, a: ServiceAllocators): IPFamily[] {
  const available = a.ranges.map((r) => famName(r.family));
  const given = s.spec.ipFamilies;
  if (given && given.length > 0) {
    given.forEach((f, i) => {
      if (!available.includes(f))
        throw new ControlError(
          id(s),
          `spec.ipFamilies[${i}]`,
          `${f} is not configured on this cluster (service CIDRs: ${a.ranges.join(',')})`,
        );
    });
    return [...given];
  }
  const policy = s.spec.ipFamilyPolicy ?? 'SingleStack';
  if (policy === 'RequireDualStack' && available.length < 2)
    throw new ControlError(
      id(s),
      'spec.ipFamilyPolicy',
      'RequireDualStack on a single-stack cluster (give a dual-stack serviceCidr)',
    ).about('serviceCidr');
  return policy === 'SingleStack' ? [available[0]!] : available.slice(0, 2);
}

function defaultPort(p: ServicePort): ServicePort {
  return { ...p, protocol: p.protocol ?? 'TCP', targetPort: p.targetPort ?? p.port };
}

function allocateIP(s: Service, fam: IPFamily, field: string, a: ServiceAllocators): string {
  const range = a.ranges.find((r) => famName(r.family) === fam)!;
  const ip = range.allocateNext(a.rand);
  if (!ip) throw new ControlError(id(s), field, `range is full: no free ${fam} address in ${range}`);
  return ip;
}

/** Default and allocate one Service; `a` is updated with what it takes. */
export function completeService(s: Service, a: ServiceAllocators): Service {
  if (!serviceNeedsCompletion(s)) return s;
  const spec = { ...s.spec };
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
  const ports = (spec.ports ?? []).map(defaultPort);
  if (!spec.clusterIP) {
    const fams = families(s, a);
    spec.ipFamilies = fams;
    spec.ipFamilyPolicy ??= fams.length > 1 ? 'RequireDualStack' : 'SingleStack';
    spec.clusterIPs = fams.map((f, i) => allocateIP(s, f, `spec.clusterIPs[${i}]`, a));
    spec.clusterIP = spec.clusterIPs[0]!;
  } else if (spec.clusterIP === 'None') {
    spec.clusterIPs ??= ['None'];
    spec.ipFamilies ??= families(s, a);
    spec.ipFamilyPolicy ??= 'SingleStack';
  }
  if (wantsNodePorts(s)) {
    ports.forEach((p, i) => {
      if (p.nodePort) return;
      // A port number served on two protocols gets one nodePort (the API server reuses it).
      const twin = ports.find((q) => q !== p && q.port === p.port && q.nodePort);
      const port = twin?.nodePort ?? a.nodePorts.allocateNext(a.rand);
      if (port === undefined)
        throw new ControlError(id(s), `spec.ports[${i}].nodePort`, `no free node port in ${a.nodePorts}`);
      p.nodePort = port;
    });
  }
  if (needsHealthCheck(s) && !spec.healthCheckNodePort) {
    const port = a.nodePorts.allocateNext(a.rand);
    if (port === undefined)
      throw new ControlError(id(s), 'spec.healthCheckNodePort', `no free node port in ${a.nodePorts}`);
    spec.healthCheckNodePort = port;
  }
  spec.ports = ports;
  return { ...s, spec };
}
