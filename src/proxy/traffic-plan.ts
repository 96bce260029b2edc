// What one service port needs from the rules, decided once for every mode (kube-proxy's proxiers
// each work this out again in syncProxyRules): which policy chain internal and external traffic go
// to, whether any endpoint serves them, which per-service chains exist, and the source ranges.
import { cidrContains, parseCIDRSloppy, parseIPSloppy } from '../cluster/sloppy-ip.js';
import type { CategorizedEndpoints } from './topology.js';
import type { ServicePortInfo } from './types.js';

export type PolicyChain = 'cluster' | 'local';

export interface TrafficPlan {
  /** Any usable endpoint anywhere: else every kind of traffic is rejected, not dropped. */
  readonly hasEndpoints: boolean;
  /** The policy chain cluster-IP traffic goes to, and whether it has endpoints to reach. */
  readonly internalPolicy: PolicyChain;
  readonly hasInternalEndpoints: boolean;
  /** The policy chain external traffic (node ports, external and LB IPs) goes to, and the same. */
  readonly externalPolicy: PolicyChain;
  readonly hasExternalEndpoints: boolean;
  /** The cluster-wide policy chain is written (cluster endpoints, and something uses them). */
  readonly usesClusterPolicy: boolean;
  /** The node-local policy chain is written. */
  readonly usesLocalPolicy: boolean;
  /** The external-traffic chain (EXT / external-*) is written: on endpoints, not on external ones. */
  readonly usesExternalChain: boolean;
  /** LB IPs with loadBalancerSourceRanges: the firewall chain (iptables also needs endpoints). */
  readonly hasSourceRanges: boolean;
  /** Counted by kube-proxy's sync_proxy_rules_no_local_endpoints_total (only with endpoints). */
  readonly noLocalInternal: boolean;
  readonly noLocalExternal: boolean;
}

export function trafficPlanOf(port: ServicePortInfo, cat: CategorizedEndpoints): TrafficPlan {
  const hasEndpoints = cat.hasAny;
  const hasLocal = cat.local.length > 0;
  const hasInternalEndpoints = port.internalPolicyLocal ? hasEndpoints && hasLocal : hasEndpoints;
  const hasExternalEndpoints = port.externalPolicyLocal ? hasEndpoints && hasLocal : hasEndpoints;
  return {
    hasEndpoints,
    internalPolicy: port.internalPolicyLocal ? 'local' : 'cluster',
    hasInternalEndpoints,
    externalPolicy: port.externalPolicyLocal ? 'local' : 'cluster',
    hasExternalEndpoints,
    usesClusterPolicy: cat.cluster.length > 0 && port.usesClusterEndpoints,
    usesLocalPolicy: hasLocal && port.usesLocalEndpoints,
    usesExternalChain: hasEndpoints && port.externallyAccessible,
    hasSourceRanges: port.loadBalancerVIPs.length > 0 && port.loadBalancerSourceRanges.length > 0,
    noLocalInternal: hasEndpoints && !hasInternalEndpoints,
    noLocalExternal: hasEndpoints && !hasExternalEndpoints,
  };
}

export interface SourceRanges {
  /** The ranges as kube-proxy holds them (Go's ParseCIDR: host bits cleared). */
  readonly cidrs: readonly string[];
  /**
   * A range holds the node's own IP: a request from the node to a VIP-like LB IP loops back with
   * the VIP as its source, so the LB IPs are allowed too.
   */
  readonly allowsNode: boolean;
}

export function sourceRangesOf(port: ServicePortInfo, nodeIP: string | undefined): SourceRanges {
  const node = nodeIP === undefined ? undefined : parseIPSloppy(nodeIP);
  const cidrs: string[] = [];
  let allowsNode = false;
  for (const r of port.loadBalancerSourceRanges) {
    const c = parseCIDRSloppy(r);
    if (!c) continue;
    cidrs.push(c.text);
    if (node && cidrContains(c, node)) allowsNode = true;
  }
  return { cidrs, allowsNode };
}
