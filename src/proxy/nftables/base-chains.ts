// The fixed part of kube-proxy's nftables table (setupNFTables): base chains hooked into netfilter,
// the regular chains they jump to, the masquerading chains, and the sets and maps every service
// fills. Written on every full sync, in upstream's order, which declares each object before use.
import {
  daddrInCIDRsRule,
  daddrInSetRule,
  destVmapRule,
  jumpRule,
  MARK_MASQ_CHAIN,
  markForMasqueradeRule,
  masqueradingRules,
  nodePortVmapRule,
  type RuleBody,
  type RuleContext,
  verdictRule,
} from './rules.js';
import type { BaseChainSpec, ChainObject, Transaction } from './transaction.js';

export const CHAIN = {
  filterPreroutingPreDNAT: 'filter-prerouting-pre-dnat',
  filterOutputPreDNAT: 'filter-output-pre-dnat',
  filterInput: 'filter-input',
  filterForward: 'filter-forward',
  filterOutput: 'filter-output',
  natPrerouting: 'nat-prerouting',
  natOutput: 'nat-output',
  natPostrouting: 'nat-postrouting',
  services: 'services',
  masquerading: 'masquerading',
  markMasq: MARK_MASQ_CHAIN,
  serviceEndpointsCheck: 'service-endpoints-check',
  nodePortEndpointsCheck: 'nodeport-endpoints-check',
  firewallCheck: 'firewall-check',
  clusterIPsCheck: 'cluster-ips-check',
  reject: 'reject-chain',
} as const;

export const SET = { clusterIPs: 'cluster-ips', nodePortIPs: 'nodeport-ips' } as const;
export const MAP = {
  serviceIPs: 'service-ips',
  serviceNodePorts: 'service-nodeports',
  noEndpointServices: 'no-endpoint-services',
  noEndpointNodePorts: 'no-endpoint-nodeports',
  firewallIPs: 'firewall-ips',
} as const;

/** Base chains: type, hook and numeric priority as knftables writes them. */
export const BASE_CHAINS: readonly (BaseChainSpec & { readonly name: string })[] = [
  { name: CHAIN.filterPreroutingPreDNAT, type: 'filter', hook: 'prerouting', priority: -110 },
  { name: CHAIN.filterOutputPreDNAT, type: 'filter', hook: 'output', priority: -110 },
  { name: CHAIN.filterInput, type: 'filter', hook: 'input', priority: 0 },
  { name: CHAIN.filterForward, type: 'filter', hook: 'forward', priority: 0 },
  { name: CHAIN.filterOutput, type: 'filter', hook: 'output', priority: 0 },
  { name: CHAIN.natPrerouting, type: 'nat', hook: 'prerouting', priority: -100 },
  { name: CHAIN.natOutput, type: 'nat', hook: 'output', priority: -100 },
  { name: CHAIN.natPostrouting, type: 'nat', hook: 'postrouting', priority: 100 },
] as const;

/** Regular chains jumped to from base chains, in upstream's order (nftablesJumpChains). */
export const JUMP_CHAINS = [
  { dst: CHAIN.nodePortEndpointsCheck, src: CHAIN.filterInput, ctNew: true },
  { dst: CHAIN.serviceEndpointsCheck, src: CHAIN.filterInput, ctNew: true },
  { dst: CHAIN.serviceEndpointsCheck, src: CHAIN.filterForward, ctNew: true },
  { dst: CHAIN.serviceEndpointsCheck, src: CHAIN.filterOutput, ctNew: true },
  { dst: CHAIN.firewallCheck, src: CHAIN.filterPreroutingPreDNAT, ctNew: true },
  { dst: CHAIN.firewallCheck, src: CHAIN.filterOutputPreDNAT, ctNew: true },
  { dst: CHAIN.services, src: CHAIN.natOutput, ctNew: false },
  { dst: CHAIN.services, src: CHAIN.natPrerouting, ctNew: false },
  { dst: CHAIN.masquerading, src: CHAIN.natPostrouting, ctNew: false },
  { dst: CHAIN.clusterIPsCheck, src: CHAIN.filterForward, ctNew: true },
  { dst: CHAIN.clusterIPsCheck, src: CHAIN.filterOutput, ctNew: true },
] as const;

export const COMMENTS = {
  table: 'rules for kube-proxy',
  clusterIPs: 'Active ClusterIPs',
  nodePortIPs: 'IPs that accept NodePort traffic',
  noEndpointServices: 'vmap to drop or reject packets to services with no endpoints',
  noEndpointNodePorts: 'vmap to drop or reject packets to service nodeports with no endpoints',
  rejectChain: 'helper for @no-endpoint-services / @no-endpoint-nodeports',
  clusterIPsReject: 'Reject traffic to invalid ports of ClusterIPs',
  unallocatedDrop: 'Drop traffic to unallocated ClusterIPs',
  firewallIPs: 'destinations that are subject to LoadBalancerSourceRanges',
  serviceIPs: 'ClusterIP, ExternalIP and LoadBalancer IP traffic',
  serviceNodePorts: 'NodePort traffic',
} as const;

export interface SetupOptions {
  /** The first sync of a proxier: base chains are added and deleted once so their specs can change. */
  firstSync: boolean;
  /** This family's ServiceCIDRs (drop rule for unallocated cluster IPs); empty: no rule. */
  serviceCIDRs: readonly string[];
  /** Node IPs accepting NodePorts, or "all" when every local address does (no nodeport-ips set). */
  nodePortIPs: readonly string[] | 'all';
  addrType: 'ipv4_addr' | 'ipv6_addr';
}

function chain(name: string, comment?: string): ChainObject {
  return comment === undefined ? { kind: 'chain', name } : { kind: 'chain', name, comment };
}

function addRule(tx: Transaction, chainName: string, b: RuleBody, comment?: string): void {
  tx.add({
    kind: 'rule',
    chain: chainName,
    text: b.text,
    ...(b.expr ? { expr: b.expr } : {}),
    ...(comment ? { comment } : {}),
  });
}

/** setupNFTables: everything but the per-service chains and the elements of services. */
export function writeSetup(tx: Transaction, ctx: RuleContext, o: SetupOptions): void {
  tx.add({ kind: 'table', comment: COMMENTS.table });
  if (o.firstSync) {
    for (const bc of BASE_CHAINS) {
      tx.add(chain(bc.name));
      tx.delete(chain(bc.name));
    }
  }
  for (const bc of BASE_CHAINS) {
    const c: ChainObject = {
      kind: 'chain',
      name: bc.name,
      base: { type: bc.type, hook: bc.hook, priority: bc.priority },
    };
    tx.add(c);
    tx.flush(c);
  }
  const created = new Set<string>();
  const ensure = (name: string) => {
    if (created.has(name)) return;
    created.add(name);
    tx.add(chain(name));
    tx.flush(chain(name));
  };
  for (const j of JUMP_CHAINS) {
    ensure(j.dst);
    addRule(tx, j.src, jumpRule(ctx, j.ctNew, j.dst));
  }
  for (const name of [CHAIN.services, CHAIN.clusterIPsCheck, CHAIN.masquerading, CHAIN.markMasq]) ensure(name);
  addRule(tx, CHAIN.markMasq, markForMasqueradeRule(ctx));
  for (const r of masqueradingRules(ctx)) addRule(tx, CHAIN.masquerading, r);

  tx.add({ kind: 'set', name: SET.clusterIPs, type: o.addrType, comment: COMMENTS.clusterIPs });
  addRule(tx, CHAIN.clusterIPsCheck, daddrInSetRule(ctx, SET.clusterIPs, 'reject'), COMMENTS.clusterIPsReject);
  if (o.serviceCIDRs.length > 0)
    addRule(tx, CHAIN.clusterIPsCheck, daddrInCIDRsRule(ctx, o.serviceCIDRs, 'drop'), COMMENTS.unallocatedDrop);

  // add+delete (not just delete) so that deleting a set that does not exist is not an error.
  tx.add({ kind: 'set', name: SET.nodePortIPs, type: o.addrType, comment: COMMENTS.nodePortIPs });
  const matchAll = o.nodePortIPs === 'all';
  if (o.nodePortIPs === 'all') {
    tx.delete({ kind: 'set', name: SET.nodePortIPs });
  } else {
    tx.flush({ kind: 'set', name: SET.nodePortIPs });
    for (const ip of o.nodePortIPs) tx.add({ kind: 'element', container: 'set', name: SET.nodePortIPs, key: [ip] });
  }

  const verdictMapKey = `${o.addrType} . inet_proto . inet_service`;
  tx.add({
    kind: 'map',
    name: MAP.noEndpointServices,
    keyType: verdictMapKey,
    valueType: 'verdict',
    comment: COMMENTS.noEndpointServices,
  });
  tx.add({
    kind: 'map',
    name: MAP.noEndpointNodePorts,
    keyType: 'inet_proto . inet_service',
    valueType: 'verdict',
    comment: COMMENTS.noEndpointNodePorts,
  });
  tx.add(chain(CHAIN.reject, COMMENTS.rejectChain));
  tx.flush(chain(CHAIN.reject));
  addRule(tx, CHAIN.reject, verdictRule(ctx, 'reject'));
  addRule(tx, CHAIN.serviceEndpointsCheck, destVmapRule(ctx, MAP.noEndpointServices));
  addRule(tx, CHAIN.nodePortEndpointsCheck, nodePortVmapRule(ctx, MAP.noEndpointNodePorts, matchAll, false));

  tx.add({
    kind: 'map',
    name: MAP.firewallIPs,
    keyType: verdictMapKey,
    valueType: 'verdict',
    comment: COMMENTS.firewallIPs,
  });
  ensure(CHAIN.firewallCheck);
  addRule(tx, CHAIN.firewallCheck, destVmapRule(ctx, MAP.firewallIPs));

  tx.add({
    kind: 'map',
    name: MAP.serviceIPs,
    keyType: verdictMapKey,
    valueType: 'verdict',
    comment: COMMENTS.serviceIPs,
  });
  tx.add({
    kind: 'map',
    name: MAP.serviceNodePorts,
    keyType: 'inet_proto . inet_service',
    valueType: 'verdict',
    comment: COMMENTS.serviceNodePorts,
  });
  addRule(tx, CHAIN.services, destVmapRule(ctx, MAP.serviceIPs));
  addRule(tx, CHAIN.services, nodePortVmapRule(ctx, MAP.serviceNodePorts, matchAll, true));
}
