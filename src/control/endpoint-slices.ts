// The EndpointSlice controller (pkg/controller/endpointslice, staging/src/k8s.io/endpointslice) for
// Services with a selector that have no slices yet: selected Pods with an address, grouped by their
// resolved port set, at most 100 endpoints per slice, one address type per Service ip family.
// ready = Pod ready || publishNotReadyAddresses, serving = Pod ready, terminating = being deleted.
import type { EndpointPort, EndpointSlice, EndpointSliceEndpoint, Node, Pod, Service } from '../cluster/types.js';
import { HEADLESS_LABEL, objectKey, SERVICE_NAME_LABEL, ZONE_LABEL } from '../cluster/types.js';
import type { Random } from './allocation-map.js';
import { randomSuffix } from './seeded.js';

export const MAX_ENDPOINTS_PER_SLICE = 100;
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';

export interface ControlWarning {
  /** "Kind namespace/name". */
  object: string;
  field: string;
  message: string;
}

export function isPodReady(p: Pod): boolean {
  const c = p.status?.conditions?.find((x) => x.type === 'Ready');
  return c ? c.status === 'True' : p.status?.phase === 'Running' && !p.status.conditions;
}

/** podutil / ShouldPodBeInEndpoints: an address, not terminal, not deleted unless publishing not-ready. */
function inEndpoints(p: Pod, publishNotReady: boolean): boolean {
  if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') return false;
  if (!(p.status?.podIP || p.status?.podIPs?.length)) return false;
  return !p.metadata.deletionTimestamp || publishNotReady;
}

export function selects(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  for (const k in selector) if (labels?.[k] !== selector[k]) return false;
  return true;
}

/** podutil.FindPort: a number is itself; a name is a container port of that name and protocol. */
export function findPort(p: Pod, target: number | string, protocol: string): number | undefined {
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of p.spec?.containers ?? [])
    for (const cp of c.ports ?? [])
      if (cp.name === target && (cp.protocol ?? 'TCP') === protocol) return cp.containerPort;
  return undefined;
}

function familyOf(ip: string): 'IPv4' | 'IPv6' {
  return ip.includes(':') ? 'IPv6' : 'IPv4';
}

export interface SliceOptions {
  rand: Random;
  nodes: ReadonlyMap<string, Node>;
  warnings: ControlWarning[];
}

/** The slices the controller writes for one Service, from the Pods of its namespace (name order). */
export function slicesFor(svc: Service, pods: readonly Pod[], o: SliceOptions): EndpointSlice[] {
  const selector = svc.spec.selector!;
  const publish = svc.spec.publishNotReadyAddresses === true;
  const ns = svc.metadata.namespace ?? 'default';
  const families = svc.spec.ipFamilies?.length ? svc.spec.ipFamilies : ['IPv4' as const];
  const selected = pods.filter((p) => p.metadata.namespace === ns && selects(selector, p.metadata.labels));
  const svcPorts = (svc.spec.ports ?? []).map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' }));
  const unresolved = new Set<number>();
  // family -> port-set key -> {ports, endpoints}
  const groups = new Map<
    string,
    { family: 'IPv4' | 'IPv6'; ports: EndpointPort[]; endpoints: EndpointSliceEndpoint[] }
  >();
  // Pods of one workload share their containers array (workloads.ts), so the resolved ports and their
  // group key are worked out once per distinct containers array, not once per Pod.
  const resolvedFor = new Map<unknown, { ports: EndpointPort[]; key: string }>();
  const resolve = (p: Pod): { ports: EndpointPort[]; key: string } => {
    const containers = p.spec?.containers;
    const cached = containers ? resolvedFor.get(containers) : undefined;
    if (cached) return cached;
    const ports: EndpointPort[] = [];
    svcPorts.forEach((sp, i) => {
      const n = findPort(p, sp.targetPort ?? sp.port, sp.protocol);
      if (n === undefined) {
        unresolved.add(i);
        return;
      }
      ports.push({
        name: sp.name ?? '',
        port: n,
        protocol: sp.protocol,
        ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
      });
    });
    const got = { ports, key: JSON.stringify(ports) };
    if (containers) resolvedFor.set(containers, got);
    return got;
  };
  for (const p of selected) {
    if (!inEndpoints(p, publish)) continue;
    const { ports, key: portsKey } = resolve(p);
    const ready = isPodReady(p);
    const node = p.spec?.nodeName ? o.nodes.get(p.spec.nodeName) : undefined;
    const zone = node?.metadata.labels?.[ZONE_LABEL];
    const ips = p.status?.podIPs?.map((x) => x.ip) ?? [p.status!.podIP!];
    for (const fam of families) {
      const ip = ips.find((x) => familyOf(x) === fam);
      if (!ip) continue;
      const key = `${fam} ${portsKey}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { family: fam, ports, endpoints: [] }));
      g.endpoints.push({
        addresses: [ip],
        conditions: { ready: ready || publish, serving: ready, terminating: Boolean(p.metadata.deletionTimestamp) },
        ...(p.spec?.hostname && p.spec.subdomain === svc.metadata.name ? { hostname: p.spec.hostname } : {}),
        ...(p.spec?.nodeName ? { nodeName: p.spec.nodeName } : {}),
        ...(zone ? { zone } : {}),
        targetRef: {
          kind: 'Pod',
          namespace: ns,
          name: p.metadata.name,
          ...(p.metadata.uid ? { uid: p.metadata.uid } : {}),
        },
      });
    }
  }
  const id = `Service ${objectKey(svc)}`;
  for (const i of unresolved)
    o.warnings.push({
      object: id,
      field: `spec.ports[${i}].targetPort`,
      message: `${JSON.stringify(svcPorts[i]!.targetPort)} names no ${svcPorts[i]!.protocol} container port of some selected Pods; those Pods get no endpoint port for it`,
    });
  if (selected.length === 0)
    o.warnings.push({
      object: id,
      field: 'spec.selector',
      message: `${JSON.stringify(selector)} matches no Pod in namespace ${ns}: no endpoints`,
    });
  const labels: Record<string, string> = {
    ...(svc.metadata.labels ?? {}),
    [SERVICE_NAME_LABEL]: svc.metadata.name,
    [MANAGED_BY_LABEL]: CONTROLLER_NAME,
    ...(svc.spec.clusterIP === 'None' ? { [HEADLESS_LABEL]: '' } : {}),
  };
  const out: EndpointSlice[] = [];
  for (const g of groups.values())
    for (let k = 0; k < g.endpoints.length; k += MAX_ENDPOINTS_PER_SLICE)
      out.push({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: `${svc.metadata.name.slice(0, 57)}-${randomSuffix(o.rand)}`,
          namespace: ns,
          labels,
          ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name, controller: true }],
        },
        addressType: g.family,
        endpoints: g.endpoints.slice(k, k + MAX_ENDPOINTS_PER_SLICE),
        ports: g.ports,
      });
  return out;
}
