// The control plane on one machine: what the API server, the scheduler, the kubelet's CNI call and
// the EndpointSlice controller would write for applied manifests. Objects in, objects out; anything
// the input already has (clusterIPs, nodeNames, pod IPs, slices) is kept as it is.
import type { ClusterObject, EndpointSlice, Node, Pod, Service, ServiceCIDR, Workload } from '../cluster/types.js';
import { objectKey, SERVICE_NAME_LABEL } from '../cluster/types.js';
import { ControlError } from '../errors.js';
import { parseKubeCIDR, parseNodeCidrConfig, planNodeCidrs } from '../ipam/node-cidr-allocator.js';
import { parseIP } from '../net/ip.js';
import { type ControlWarning, slicesFor } from './endpoint-slices.js';
import { ServiceIPRange } from './ip-allocator.js';
import { PodIndex } from './pod-index.js';
import { assignPodIPs } from './pod-ips.js';
import { NodePortAllocator, parsePortRange } from './port-allocator.js';
import { makeNodes, schedule } from './scheduler.js';
import { seededRandom } from './seeded.js';
import { completeService, occupy } from './services.js';
import { renderWarnings } from './warnings.js';
import { ownersOf, podsOf, probeCanPass } from './workloads.js';

export interface ControlOptions {
  /** --service-cidr: one CIDR or a dual-stack pair (used when the input has no ServiceCIDR). */
  serviceCidr?: string;
  /** --service-node-port-range "A-B". */
  nodePortRange?: string;
  /** --cluster-cidr for Node podCIDRs (kube-controller-manager; kind's default 10.244.0.0/16). */
  clusterCidr?: string;
  seed?: number;
  /** --nodes N: Nodes to create when the input has none. */
  nodes?: number;
  notReady?: readonly string[];
}

export interface Completed {
  objects: ClusterObject[];
  workloads: Workload[];
  warnings: ControlWarning[];
  /** What was filled in, by kind. */
  created: Record<string, number>;
}

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
export const DEFAULT_NODE_PORT_RANGE = '30000-32767';
export const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';

/**
 * Does the input look like applied manifests the control plane still has to complete? Workloads, or a
 * Service without a clusterIP. A dump (every Service has its clusterIP) is left as it is, even where a
 * cluster would have filled more in, so hand-written test fixtures keep rendering what they say.
 */
export function needsCompletion(objects: readonly ClusterObject[], workloads: readonly Workload[]): boolean {
  if (workloads.length > 0) return true;
  return objects.some((o) => o.kind === 'Service' && o.spec.type !== 'ExternalName' && !o.spec.clusterIP);
}

function serviceRanges(cidrs: readonly ServiceCIDR[], flag: string | undefined): ServiceIPRange[] {
  const texts = cidrs.length > 0 ? cidrs.flatMap((c) => c.spec.cidrs) : (flag ?? DEFAULT_SERVICE_CIDR).split(',');
  const ranges: ServiceIPRange[] = [];
  for (const t of texts) {
    const c = parseKubeCIDR(t);
    if (!c) {
      if (cidrs.length) throw new ControlError('ServiceCIDR', 'cidrs', `${JSON.stringify(t)} is not a CIDR`);
      throw new ControlError('serviceCidr', 'cidrs', `${JSON.stringify(t)} is not a CIDR`).about('serviceCidr');
    }
    // One range per family allocates (the first); more ServiceCIDRs only extend it upstream.
    if (!ranges.some((r) => r.family === c.family)) ranges.push(new ServiceIPRange(c));
  }
  return ranges;
}

/** Sorted by namespace/name (keys computed once: a comparator building them is 10x slower at 150k). */
function sortedByName<T extends { metadata: { name: string; namespace?: string } }>(list: readonly T[]): T[] {
  const keyed = list.map((o) => ({ o, k: objectKey({ kind: '', metadata: o.metadata }) }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return keyed.map((x) => x.o);
}

export async function completeCluster(
  input: readonly ClusterObject[],
  workloads: readonly Workload[],
  opts: ControlOptions = {},
): Promise<Completed> {
  const rand = seededRandom(opts.seed ?? 1);
  const created: Record<string, number> = {};
  const count = (k: string, n = 1) => {
    if (n > 0) created[k] = (created[k] ?? 0) + n;
  };
  const warnings: ControlWarning[] = [];
  const rest: ClusterObject[] = [];
  let services: Service[] = [];
  let nodes: Node[] = [];
  let pods: Pod[] = [];
  const slices: EndpointSlice[] = [];
  const cidrs: ServiceCIDR[] = [];
  for (const o of input) {
    if (o.kind === 'Service') services.push(o);
    else if (o.kind === 'Node') nodes.push(o);
    else if (o.kind === 'Pod') pods.push(o);
    else {
      if (o.kind === 'EndpointSlice') slices.push(o);
      if (o.kind === 'ServiceCIDR') cidrs.push(o);
      rest.push(o);
    }
  }

  // API server: Services.
  const range = parsePortRange(opts.nodePortRange ?? DEFAULT_NODE_PORT_RANGE);
  if (!range)
    throw new ControlError(
      'nodePortRange',
      'value',
      `${JSON.stringify(opts.nodePortRange)} must be A-B, e.g. 30000-32767`,
    ).about('nodePortRange');
  const alloc = { ranges: serviceRanges(cidrs, opts.serviceCidr), nodePorts: new NodePortAllocator(range), rand };
  // The first address of each range is the `kubernetes` Service's (the API server's own).
  occupy(services, alloc);
  for (const r of alloc.ranges) r.allocate(parseIP(r.firstAddress())!);
  services = sortedByName(services).map((s) => {
    const done = completeService(s, alloc);
    if (done !== s) count('Service');
    return done;
  });

  // Nodes: created when the input has none; podCIDRs from the node CIDR allocator.
  if (nodes.length === 0 && (opts.nodes ?? 0) > 0) {
    nodes = makeNodes(opts.nodes!);
    count('Node', nodes.length);
  }
  if (nodes.some((n) => !(n.spec?.podCIDR || n.spec?.podCIDRs?.length))) {
    const config = parseNodeCidrConfig(opts.clusterCidr ?? DEFAULT_CLUSTER_CIDR, {
      serviceCidr: alloc.ranges.map(String).join(','),
    });
    const plan = new Map(
      planNodeCidrs(
        nodes.map((n) => ({
          name: n.metadata.name,
          podCIDRs: n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : []),
        })),
        config,
      ).nodes.map((a) => [a.name, a]),
    );
    nodes = nodes.map((n) => {
      const a = plan.get(n.metadata.name)!;
      return a.source === 'existing'
        ? n
        : { ...n, spec: { ...(n.spec ?? {}), podCIDR: a.podCIDRs[0]!, podCIDRs: [...a.podCIDRs] } };
    });
  }
  nodes = sortedByName(nodes);

  // Controllers: Pods from workloads.
  const owned = ownersOf(pods);
  const notReady = new Set(opts.notReady ?? []);
  for (const w of sortedByName(workloads)) {
    (w.spec.template.spec?.containers ?? []).forEach((c, i) => {
      if (!probeCanPass(c))
        warnings.push({
          object: `${w.kind} ${objectKey(w)}`,
          field: `spec.template.spec.containers[${i}].readinessProbe`,
          message:
            'probes a named port the container does not declare: the kubelet cannot run it, so its Pods are never ready',
        });
    });
    const made = podsOf(w, nodes, owned, { rand, notReady });
    count('Pod', made.length);
    pods.push(...made);
  }
  // Scheduler, then the kubelet's CNI ADD.
  pods = schedule(pods, nodes);
  pods = await assignPodIPs(pods, nodes);

  // EndpointSlice controller, for selector Services without slices.
  const sliced = new Set(slices.map((s) => `${s.metadata.namespace}/${s.metadata.labels?.[SERVICE_NAME_LABEL]}`));
  const podIndex = new PodIndex(sortedByName(pods));
  const nodeMap = new Map(nodes.map((n) => [n.metadata.name, n]));
  const made: EndpointSlice[] = [];
  for (const s of services) {
    if (!s.spec.selector || s.spec.type === 'ExternalName' || sliced.has(objectKey(s))) continue;
    made.push(
      ...slicesFor(s, podIndex.candidates(s.metadata.namespace ?? 'default', s.spec.selector), {
        rand,
        nodes: nodeMap,
        warnings,
      }),
    );
  }
  count('EndpointSlice', made.length);
  const objects: ClusterObject[] = [...services, ...nodes, ...pods, ...rest, ...made];
  warnings.push(...renderWarnings(services, [...slices, ...made]));
  return { objects, workloads: [...workloads], warnings, created };
}
