// Resolves what a proxier on one node needs to know: the node (name, addresses, labels, pod CIDRs)
// and the KubeProxyConfiguration fields the modes use, with kube-proxy's defaults.

import type { ClusterObject, IPFamily, KubeProxyConfiguration, Node } from '../cluster/types.js';
import { ZONE_LABEL } from '../cluster/types.js';
import { NodeSelectionError, type Setting, UsageError } from '../errors.js';
import { parseCIDRSloppy, parseIPSloppy } from '../net/index.js';

export type DetectLocalMode = 'ClusterCIDR' | 'NodeCIDR' | 'BridgeInterface' | 'InterfaceNamePrefix' | 'None';

export interface ProxyConfig {
  nodeName: string;
  /** The Node object, when the input has one. */
  nodeLabels: Readonly<Record<string, string>>;
  zone: string;
  /** Node addresses per family: InternalIPs first, then ExternalIPs (canonical text). */
  nodeIPs: Readonly<Record<IPFamily, readonly string[]>>;
  /** The node's pod CIDRs per family (spec.podCIDRs). */
  nodePodCIDRs: Readonly<Record<IPFamily, readonly string[]>>;
  /** Cluster (pod) CIDRs per family, from --cluster-cidr or clusterCIDR. */
  clusterCIDRs: Readonly<Record<IPFamily, readonly string[]>>;
  detectLocalMode: DetectLocalMode;
  bridgeInterface: string;
  interfaceNamePrefix: string;
  /** CIDRs (or "primary") whose addresses accept NodePorts; empty = all local addresses. */
  nodePortAddresses: readonly string[];
  iptablesMasqueradeBit: number;
  nftablesMasqueradeBit: number;
  masqueradeAll: boolean;
  localhostNodePorts: boolean;
  ipvsScheduler: string;
  conntrackTCPBeLiberal: boolean;
  featureGates: Readonly<Record<string, boolean>>;
}

export interface ProxyConfigFlags {
  node?: string;
  clusterCIDR?: string;
}

const DEFAULT_GATES: Record<string, boolean> = { PreferSameTrafficDistribution: true };

function byFamily<T>(items: readonly T[], familyOf: (t: T) => IPFamily | undefined, text: (t: T) => string) {
  const out: Record<IPFamily, string[]> = { IPv4: [], IPv6: [] };
  for (const i of items) {
    const f = familyOf(i);
    if (f) out[f].push(text(i));
  }
  return out;
}

function splitCIDRs(value: string, source: string, setting?: Setting): Record<IPFamily, string[]> {
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const parsed = parts.map((p) => {
    const c = parseCIDRSloppy(p);
    if (!c) {
      const err = new UsageError(`${source}: ${JSON.stringify(p)} is not a valid CIDR`);
      throw setting ? err.about(setting) : err;
    }
    return c;
  });
  return byFamily(
    parsed,
    (c) => c.family,
    (c) => c.text,
  );
}

/** Pick the node to render for: the one named, else hostnameOverride, else the only Node. */
export function selectNodeName(objects: readonly ClusterObject[], flag?: string): string {
  if (flag) return flag;
  const kpc = objects.find((o): o is KubeProxyConfiguration => o.kind === 'KubeProxyConfiguration');
  if (kpc?.hostnameOverride?.trim()) return kpc.hostnameOverride.trim().toLowerCase();
  const nodes = objects.filter((o): o is Node => o.kind === 'Node').map((n) => n.metadata.name);
  if (nodes.length === 1) return nodes[0]!;
  if (nodes.length === 0)
    throw new NodeSelectionError('no Node in the input and no hostnameOverride: pass node NAME').about('node');
  throw new NodeSelectionError(
    `the input has ${nodes.length} Nodes; pass node with one of: ${nodes.sort().join(', ')}`,
  ).about('node');
}

export function resolveProxyConfig(objects: readonly ClusterObject[], flags: ProxyConfigFlags = {}): ProxyConfig {
  const kpc = objects.find((o): o is KubeProxyConfiguration => o.kind === 'KubeProxyConfiguration');
  const nodeName = selectNodeName(objects, flags.node);
  const node = objects.find((o): o is Node => o.kind === 'Node' && o.metadata.name === nodeName);
  if (flags.node && !node && objects.some((o) => o.kind === 'Node')) {
    const names = objects.filter((o) => o.kind === 'Node').map((n) => n.metadata.name);
    throw new NodeSelectionError(
      `node ${flags.node}: no such Node in the input (nodes: ${names.sort().join(', ')})`,
    ).about('node');
  }
  const addrs = node?.status?.addresses ?? [];
  const ordered = [...addrs.filter((a) => a.type === 'InternalIP'), ...addrs.filter((a) => a.type === 'ExternalIP')];
  const nodeIPs = byFamily(
    ordered.map((a) => parseIPSloppy(a.address)).filter((x) => x !== undefined),
    (p) => p.family,
    (p) => p.text,
  );
  // kube-proxy's detectNodeIPs: a specified bindAddress becomes the node IP of its family.
  const bind = kpc?.bindAddress ? parseIPSloppy(kpc.bindAddress) : undefined;
  if (bind && bind.text !== '0.0.0.0' && bind.text !== '::')
    nodeIPs[bind.family] = [bind.text, ...nodeIPs[bind.family].filter((ip) => ip !== bind.text)];
  const podCIDRList = node?.spec?.podCIDRs ?? (node?.spec?.podCIDR ? [node.spec.podCIDR] : []);
  const nodePodCIDRs = splitCIDRs(podCIDRList.join(','), `Node ${nodeName} spec.podCIDRs`);
  const clusterCIDRText = flags.clusterCIDR ?? kpc?.clusterCIDR ?? '';
  const clusterCIDRs = flags.clusterCIDR
    ? splitCIDRs(clusterCIDRText, 'clusterCidr', 'clusterCidr')
    : splitCIDRs(clusterCIDRText, 'clusterCIDR');
  let detectLocalMode: DetectLocalMode = kpc?.detectLocalMode || 'ClusterCIDR';
  // kube-proxy: ClusterCIDR mode without a cluster CIDR means no local-traffic detection.
  if (detectLocalMode === 'ClusterCIDR' && clusterCIDRs.IPv4.length + clusterCIDRs.IPv6.length === 0)
    detectLocalMode = 'None';
  if (detectLocalMode === 'NodeCIDR' && nodePodCIDRs.IPv4.length + nodePodCIDRs.IPv6.length === 0)
    detectLocalMode = 'None';
  const labels = node?.metadata.labels ?? {};
  return {
    nodeName,
    nodeLabels: labels,
    zone: labels[ZONE_LABEL] ?? '',
    nodeIPs,
    nodePodCIDRs,
    clusterCIDRs,
    detectLocalMode,
    bridgeInterface: kpc?.detectLocal?.bridgeInterface ?? '',
    interfaceNamePrefix: kpc?.detectLocal?.interfaceNamePrefix ?? '',
    nodePortAddresses: kpc?.nodePortAddresses ?? [],
    iptablesMasqueradeBit: kpc?.iptables?.masqueradeBit ?? 14,
    nftablesMasqueradeBit: kpc?.nftables?.masqueradeBit ?? 14,
    masqueradeAll: kpc?.iptables?.masqueradeAll ?? kpc?.nftables?.masqueradeAll ?? false,
    localhostNodePorts: kpc?.iptables?.localhostNodePorts ?? true,
    ipvsScheduler: kpc?.ipvs?.scheduler || 'rr',
    conntrackTCPBeLiberal: kpc?.conntrack?.tcpBeLiberal ?? false,
    featureGates: { ...DEFAULT_GATES, ...(kpc?.featureGates ?? {}) },
  };
}
