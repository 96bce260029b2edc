// The EndpointSlice controller (pkg/controller/endpointslice, staging/src/k8s.io/endpointslice) for
// Services with a selector that have no slices yet: selected Pods with an address, grouped by their
// resolved port set, at most 100 endpoints per slice, one address type per Service ip family.
// serving = Pod ready, terminating = being deleted, ready = publishNotReadyAddresses || (serving &&
// !terminating) (podToEndpoint in utils.go). A Service with no endpoints of an address type gets the
// controller's placeholder slice (no ports, no endpoints).
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

/**
 * ShouldPodBeInEndpoints(pod, includeTerminating=true), as the EndpointSlice controller calls it: an
 * address and not terminal. Terminating Pods stay in (their conditions say so); only the legacy
 * Endpoints controller drops them.
 */
export function shouldPodBeInEndpoints(p: Pod): boolean {
  if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') return false;
  return Boolean(p.status?.podIP || p.status?.podIPs?.length);
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

type AddressType = 'IPv4' | 'IPv6';

/** getAddressTypesForService: the ipFamilies; else the clusterIP's family; headless without: both. */
export function serviceAddressTypes(svc: Service): AddressType[] {
  const fams = [...new Set(svc.spec.ipFamilies ?? [])];
  if (fams.length > 0) return fams;
  const ip = svc.spec.clusterIP;
  if (ip && ip !== 'None') return [familyOf(ip)];
  return ['IPv4', 'IPv6'];
}

/** getEndpointPorts: each Service port whose targetPort resolves on the Pod; the others are left out. */
export function endpointPorts(svc: Service, p: Pod, unresolved?: Set<number>): EndpointPort[] {
  const ports: EndpointPort[] = [];
  (svc.spec.ports ?? []).forEach((sp, i) => {
    const protocol = sp.protocol ?? 'TCP';
    const n = findPort(p, sp.targetPort ?? sp.port, protocol);
    if (n === undefined) {
      unresolved?.add(i);
      return;
    }
    ports.push({ name: sp.name ?? '', port: n, protocol, ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
  });
  return ports;
}

type Conditions = NonNullable<EndpointSliceEndpoint['conditions']>;
/** The 8 condition triples, shared by the endpoints that have them (150k copies were pure garbage). */
const CONDITIONS: Conditions[] = Array.from({ length: 8 }, (_, k) => ({
  ready: (k & 4) !== 0,
  serving: (k & 2) !== 0,
  terminating: (k & 1) !== 0,
}));

/** podToEndpoint: the Pod's address of `family`, its conditions, node, zone and hostname. */
export function podToEndpoint(
  p: Pod,
  node: Node | undefined,
  svc: Service,
  family: AddressType,
): EndpointSliceEndpoint {
  const serving = isPodReady(p);
  const terminating = Boolean(p.metadata.deletionTimestamp);
  const ready = svc.spec.publishNotReadyAddresses === true || (serving && !terminating);
  const addresses: string[] = [];
  if (p.status?.podIPs?.length) {
    for (const x of p.status.podIPs) if (familyOf(x.ip) === family) addresses.push(x.ip);
  } else if (p.status?.podIP && familyOf(p.status.podIP) === family) addresses.push(p.status.podIP);
  const ns = p.metadata.namespace ?? 'default';
  const ep: EndpointSliceEndpoint = {
    addresses,
    conditions: CONDITIONS[(ready ? 4 : 0) | (serving ? 2 : 0) | (terminating ? 1 : 0)]!,
  };
  if (p.spec?.hostname && p.spec.subdomain === svc.metadata.name && ns === (svc.metadata.namespace ?? 'default'))
    ep.hostname = p.spec.hostname;
  if (p.spec?.nodeName) ep.nodeName = p.spec.nodeName;
  const zone = node?.metadata.labels?.[ZONE_LABEL];
  if (zone) ep.zone = zone;
  ep.targetRef = p.metadata.uid
    ? { kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid }
    : { kind: 'Pod', namespace: ns, name: p.metadata.name };
  return ep;
}

/**
 * setEndpointSliceLabels on a new slice: the Service's labels, the headless label only for a headless
 * Service (a Service cannot claim it otherwise), and service-name / managed-by always the controller's.
 */
export function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  delete labels[HEADLESS_LABEL];
  if (svc.spec.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  labels[SERVICE_NAME_LABEL] = svc.metadata.name;
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  return labels;
}

export interface SliceOptions {
  rand: Random;
  nodes: ReadonlyMap<string, Node>;
  warnings: ControlWarning[];
}

interface Group {
  family: AddressType;
  ports: EndpointPort[];
  endpoints: EndpointSliceEndpoint[];
}

/** The slices the controller writes for one Service, from candidate Pods (name order). */
export function slicesFor(svc: Service, pods: readonly Pod[], o: SliceOptions): EndpointSlice[] {
  const selector = svc.spec.selector!;
  const publish = svc.spec.publishNotReadyAddresses === true;
  const ns = svc.metadata.namespace ?? 'default';
  const families = serviceAddressTypes(svc);
  const selected = pods.filter(
    (p) => (p.metadata.namespace ?? 'default') === ns && selects(selector, p.metadata.labels),
  );
  const id = `Service ${objectKey(svc)}`;
  const unresolved = new Set<number>();
  // Pods of one workload share their containers array (workloads.ts), so the resolved ports and their
  // group key are worked out once per distinct containers array, not once per Pod.
  const resolvedFor = new Map<unknown, { ports: EndpointPort[]; key: string }>();
  const resolve = (p: Pod): { ports: EndpointPort[]; key: string } => {
    const containers = p.spec?.containers;
    const cached = containers ? resolvedFor.get(containers) : undefined;
    if (cached) return cached;
    const ports = endpointPorts(svc, p, unresolved);
    const got = { ports, key: JSON.stringify(ports) };
    if (containers) resolvedFor.set(containers, got);
    return got;
  };
  const groups = new Map<string, Group>();
  const missingNodes = new Set<string>();
  for (const p of selected) {
    if (!shouldPodBeInEndpoints(p)) continue;
    const nodeName = p.spec?.nodeName;
    const node = nodeName ? o.nodes.get(nodeName) : undefined;
    // The controller skips a Pod whose Node does not exist, unless the Service publishes not-ready ones.
    if (nodeName && !node && !publish) {
      missingNodes.add(`${p.metadata.name} (node ${nodeName})`);
      continue;
    }
    const { ports, key: portsKey } = resolve(p);
    for (const fam of families) {
      const ep = podToEndpoint(p, node, svc, fam);
      if (ep.addresses.length === 0) continue;
      const key = `${fam} ${portsKey}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { family: fam, ports, endpoints: [] }));
      g.endpoints.push(ep);
    }
  }
  for (const i of unresolved) {
    const sp = svc.spec.ports![i]!;
    o.warnings.push({
      object: id,
      field: `spec.ports[${i}].targetPort`,
      message: `${JSON.stringify(sp.targetPort)} names no ${sp.protocol ?? 'TCP'} container port of some selected Pods; those Pods get no endpoint port for it`,
    });
  }
  if (missingNodes.size > 0)
    o.warnings.push({
      object: id,
      field: 'spec.selector',
      message: `selected Pods on Nodes that do not exist are left out, as the controller does: ${[...missingNodes].join(', ')}`,
    });
  if (selected.length === 0)
    o.warnings.push({
      object: id,
      field: 'spec.selector',
      message: `${JSON.stringify(selector)} matches no Pod in namespace ${ns}: no endpoints`,
    });
  const labels = sliceLabels(svc);
  const out: EndpointSlice[] = [];
  const slice = (family: AddressType, ports: EndpointPort[], endpoints: EndpointSliceEndpoint[]): EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${svc.metadata.name.slice(0, 57)}-${randomSuffix(o.rand)}`,
      namespace: ns,
      labels,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name, controller: true }],
    },
    addressType: family,
    endpoints,
    ports,
  });
  for (const fam of families) {
    const mine = [...groups.values()].filter((g) => g.family === fam);
    // The placeholder: what the controller keeps for an address type with no endpoints.
    if (mine.length === 0) out.push(slice(fam, [], []));
    for (const g of mine)
      for (let k = 0; k < g.endpoints.length; k += MAX_ENDPOINTS_PER_SLICE)
        out.push(slice(fam, g.ports, g.endpoints.slice(k, k + MAX_ENDPOINTS_PER_SLICE)));
  }
  return out;
}
