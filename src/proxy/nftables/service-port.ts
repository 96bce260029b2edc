// One service port's share of a sync, in the order kube-proxy's syncProxyRules writes it: its
// chains are declared (add + flush), its elements ensured in the shared maps, then its chains
// filled: internal masquerade, external handling, firewall, affinity sets, policy chains, endpoint
// chains. Only ports of changed services (or every port on a full sync) come here.
import type { CategorizedEndpoints } from '../topology.js';
import { sourceRangesOf, trafficPlanOf } from '../traffic-plan.js';
import type { Endpoint, ServicePortInfo } from '../types.js';
import { CHAIN, MAP, SET } from './base-chains.js';
import type { ElementStore } from './elements.js';
import { addRule, writeEndpointChain, writePolicyChain } from './endpoints.js';
import type { EndpointNames, ServicePortNames } from './names.js';
import {
  clusterIPMasqueradeRule,
  fibSaddrLocalRule,
  jumpRule,
  MARK_MASQ_CHAIN,
  pieceThenVerdictRule,
  type RuleContext,
  sourceRangesDropRule,
  verdictRule,
} from './rules.js';
import type { Transaction } from './transaction.js';

export type StoreName =
  | 'clusterIPs'
  | 'serviceIPs'
  | 'firewallIPs'
  | 'noEndpointServices'
  | 'noEndpointNodePorts'
  | 'serviceNodePorts';

/** What a service port writes into: the transaction and the sync's bookkeeping. */
export interface PortSink {
  readonly tx: Transaction;
  readonly ctx: RuleContext;
  readonly masqueradeAll: boolean;
  /** The node's primary IP of this family (LB source ranges containing it also allow the LB IPs). */
  readonly nodeIP: string | undefined;
  ensureChain(name: string): void;
  ensureElem(store: StoreName, key: readonly string[], value?: string, comment?: string): void;
  activeAffinitySet(name: string): void;
  /** Declare a ClientIP affinity set (flags dynamic,timeout; timeout in seconds). */
  addAffinitySet(name: string, timeoutSeconds: number): void;
  /** Count the port for kube-proxy's sync_proxy_rules_no_local_endpoints_total. */
  noLocalEndpoints(internal: boolean, external: boolean): void;
}

export const STORE_CONTAINERS: Readonly<Record<StoreName, readonly ['set' | 'map', string]>> = {
  clusterIPs: ['set', SET.clusterIPs],
  serviceIPs: ['map', MAP.serviceIPs],
  firewallIPs: ['map', MAP.firewallIPs],
  noEndpointServices: ['map', MAP.noEndpointServices],
  noEndpointNodePorts: ['map', MAP.noEndpointNodePorts],
  serviceNodePorts: ['map', MAP.serviceNodePorts],
};
export const STORE_ORDER: readonly StoreName[] = Object.keys(STORE_CONTAINERS) as StoreName[];
export type Stores = Record<StoreName, ElementStore>;

export function writeServicePort(
  sink: PortSink,
  port: ServicePortInfo,
  cat: CategorizedEndpoints,
  names: ServicePortNames,
  epNames: (ep: Endpoint) => EndpointNames,
): void {
  const { tx, ctx } = sink;
  const protocol = port.protocol.toLowerCase();
  const portText = String(port.port);
  const affinity = port.sessionAffinity === 'ClientIP';

  for (const ep of cat.reachable) {
    const n = epNames(ep);
    sink.ensureChain(n.chain);
    if (affinity) sink.activeAffinitySet(n.affinitySet);
  }
  const plan = trafficPlanOf(port, cat);
  const usesClusterPolicyChain = plan.usesClusterPolicy;
  if (usesClusterPolicyChain) sink.ensureChain(names.cluster);
  const usesLocalPolicyChain = plan.usesLocalPolicy;
  if (usesLocalPolicyChain) sink.ensureChain(names.local);

  const hasEndpoints = plan.hasEndpoints;
  const internalTrafficChain = plan.internalPolicy === 'local' ? names.local : names.cluster;
  const hasInternalEndpoints = plan.hasInternalEndpoints;
  const externalPolicyChain = plan.externalPolicy === 'local' ? names.local : names.cluster;
  const hasExternalEndpoints = plan.hasExternalEndpoints;
  // Based on hasEndpoints, not hasExternalEndpoints: the short-circuit rules are needed even when
  // no endpoint serves external traffic. (Only then is the chain named: nothing else refers to it.)
  const usesExternalTrafficChain = plan.usesExternalChain;
  const externalTrafficChain = usesExternalTrafficChain ? names.external : '';
  if (usesExternalTrafficChain) sink.ensureChain(externalTrafficChain);

  // kube-proxy counts a port only when it has endpoints at all (else both verdicts are reject).
  if (hasEndpoints) sink.noLocalEndpoints(plan.noLocalInternal, plan.noLocalExternal);

  const reject = `goto ${CHAIN.reject}`;
  const internalVerdict = !hasEndpoints ? reject : 'drop';
  const externalVerdict = !hasEndpoints ? reject : 'drop';

  sink.ensureElem('clusterIPs', [port.clusterIP]);
  if (hasInternalEndpoints)
    sink.ensureElem('serviceIPs', [port.clusterIP, protocol, portText], `goto ${internalTrafficChain}`);
  else sink.ensureElem('noEndpointServices', [port.clusterIP, protocol, portText], internalVerdict, port.name);

  for (const eip of port.externalIPs) {
    if (hasEndpoints) sink.ensureElem('serviceIPs', [eip, protocol, portText], `goto ${externalTrafficChain}`);
    if (!hasExternalEndpoints)
      sink.ensureElem('noEndpointServices', [eip, protocol, portText], externalVerdict, port.name);
  }

  const usesFWChain = plan.hasSourceRanges;
  if (usesFWChain) sink.ensureChain(names.firewall);
  for (const lb of port.loadBalancerVIPs) {
    if (hasEndpoints) sink.ensureElem('serviceIPs', [lb, protocol, portText], `goto ${externalTrafficChain}`);
    if (usesFWChain) sink.ensureElem('firewallIPs', [lb, protocol, portText], `goto ${names.firewall}`);
  }
  if (!hasExternalEndpoints)
    for (const lb of port.loadBalancerVIPs)
      sink.ensureElem('noEndpointServices', [lb, protocol, portText], externalVerdict, port.name);

  if (port.nodePort !== 0) {
    const np = String(port.nodePort);
    if (hasEndpoints) sink.ensureElem('serviceNodePorts', [protocol, np], `goto ${externalTrafficChain}`);
    if (!hasExternalEndpoints) sink.ensureElem('noEndpointNodePorts', [protocol, np], externalVerdict, port.name);
  }

  if (hasInternalEndpoints) {
    if (sink.masqueradeAll) addRule(tx, internalTrafficChain, clusterIPMasqueradeRule(ctx, port.clusterIP, undefined));
    else if (ctx.detector)
      addRule(tx, internalTrafficChain, clusterIPMasqueradeRule(ctx, port.clusterIP, ctx.detector.ifNotLocal));
  }

  if (usesExternalTrafficChain) {
    if (!port.externalPolicyLocal) {
      addRule(tx, externalTrafficChain, jumpRule(ctx, false, MARK_MASQ_CHAIN));
    } else {
      if (ctx.detector)
        addRule(
          tx,
          externalTrafficChain,
          pieceThenVerdictRule(ctx, ctx.detector.ifLocal, `goto ${names.cluster}`),
          'short-circuit pod traffic',
        );
      addRule(tx, externalTrafficChain, fibSaddrLocalRule(ctx, `jump ${MARK_MASQ_CHAIN}`), 'masquerade local traffic');
      addRule(tx, externalTrafficChain, fibSaddrLocalRule(ctx, `goto ${names.cluster}`), 'short-circuit local traffic');
    }
    if (hasExternalEndpoints) addRule(tx, externalTrafficChain, verdictRule(ctx, `goto ${externalPolicyChain}`));
  }

  if (usesFWChain) {
    // A request from this node to a VIP-like LB IP loops back with the VIP as source: when the
    // ranges allow the node, the LB IPs are allowed too.
    const ranges = sourceRangesOf(port, sink.nodeIP);
    const sources = ranges.allowsNode ? [...ranges.cidrs, ...port.loadBalancerVIPs] : ranges.cidrs;
    addRule(tx, names.firewall, sourceRangesDropRule(ctx, sources));
  }

  if (affinity) for (const ep of cat.reachable) sink.addAffinitySet(epNames(ep).affinitySet, port.stickyMaxAgeSeconds);

  if (usesClusterPolicyChain) writePolicyChain(tx, ctx, port, names.cluster, cat.cluster, epNames);
  if (usesLocalPolicyChain) writePolicyChain(tx, ctx, port, names.local, cat.local, epNames);
  for (const ep of cat.reachable) writeEndpointChain(tx, ctx, port, ep, epNames(ep));
}
