// Which endpoints a packet may reach, decided once for every mode (kube-proxy's CategorizeEndpoints).
import type { Endpoint, ServicePortInfo } from './types.js';

export type TopologyMode = '' | 'PreferSameNode' | 'PreferSameZone';

export interface NodeTopology {
  nodeName: string;
  zone: string;
  /** Feature gate PreferSameTrafficDistribution (node hints). */
  preferSameNode: boolean;
}

export interface CategorizedEndpoints {
  /** Endpoints for cluster-wide traffic policy (after topology and terminating fallback). */
  cluster: readonly Endpoint[];
  /** Endpoints for Local traffic policy (ready local ones, else serving-terminating local ones). */
  local: readonly Endpoint[];
  /** Every endpoint some traffic may reach (SEP chains / endpoint chains are written for these). */
  reachable: readonly Endpoint[];
  /** Whether the service has any usable endpoint anywhere (else: REJECT, not DROP). */
  hasAny: boolean;
}

/** The topology mode the hints of the ready endpoints allow on this node. */
export function topologyModeFromHints(endpoints: readonly Endpoint[], node: NodeTopology): TopologyMode {
  let hasForNode = false;
  let allNodeHints = true;
  let hasForZone = false;
  let allZoneHints = true;
  for (const ep of endpoints) {
    if (!ep.ready) continue;
    if (ep.nodeHints.size === 0) allNodeHints = false;
    else if (ep.nodeHints.has(node.nodeName)) hasForNode = true;
    if (ep.zoneHints.size === 0) allZoneHints = false;
    else if (ep.zoneHints.has(node.zone)) hasForZone = true;
  }
  if (node.preferSameNode && allNodeHints && hasForNode) return 'PreferSameNode';
  if (allZoneHints && hasForZone) return 'PreferSameZone';
  return '';
}

function availableForTopology(ep: Endpoint, mode: TopologyMode, node: NodeTopology): boolean {
  if (mode === 'PreferSameNode') return ep.nodeHints.has(node.nodeName);
  if (mode === 'PreferSameZone') return ep.zoneHints.has(node.zone);
  return true;
}

function byEndpoint(a: Endpoint, b: Endpoint): number {
  return a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0;
}

/**
 * Split a service port's endpoints (sorted) into the lists each traffic policy uses. Cluster traffic
 * uses ready endpoints allowed by topology hints, falling back to serving+terminating ones; local
 * traffic uses ready local endpoints, falling back to serving+terminating local ones. The two
 * fallbacks are independent.
 */
export function categorizeEndpoints(
  endpoints: readonly Endpoint[],
  port: ServicePortInfo,
  node: NodeTopology,
): CategorizedEndpoints {
  let cluster: Endpoint[] = [];
  let hasAny = false;
  let mode: TopologyMode = '';
  if (port.usesClusterEndpoints) {
    mode = topologyModeFromHints(endpoints, node);
    cluster = endpoints.filter((ep) => ep.ready && availableForTopology(ep, mode, node));
    if (cluster.length === 0) cluster = endpoints.filter((ep) => ep.serving && ep.terminating);
    hasAny = cluster.length > 0;
  }
  if (!port.usesLocalEndpoints) return { cluster, local: [], reachable: cluster, hasAny };

  let hasLocalReady = false;
  let hasLocalServingTerminating = false;
  for (const ep of endpoints) {
    if (ep.ready) {
      hasAny = true;
      if (ep.isLocal) hasLocalReady = true;
    } else if (ep.serving && ep.terminating) {
      hasAny = true;
      if (ep.isLocal) hasLocalServingTerminating = true;
    }
  }
  let local: Endpoint[] = [];
  if (hasLocalReady) local = endpoints.filter((ep) => ep.ready && ep.isLocal);
  else if (hasLocalServingTerminating) local = endpoints.filter((ep) => ep.serving && ep.terminating && ep.isLocal);

  if (!port.usesClusterEndpoints) return { cluster, local, reachable: local, hasAny };
  if (mode === '' && hasLocalReady) return { cluster, local, reachable: cluster, hasAny };
  // kube-proxy builds the union through a Go map (random order); we sort for determinism.
  const union = new Map<string, Endpoint>();
  for (const ep of cluster) union.set(ep.endpoint, ep);
  for (const ep of local) union.set(ep.endpoint, ep);
  return { cluster, local, reachable: [...union.values()].sort(byEndpoint), hasAny };
}
