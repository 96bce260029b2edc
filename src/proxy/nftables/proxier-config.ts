// What the nftables proxier takes from the node and the KubeProxyConfiguration: the masquerade mark
// as written, the local-traffic detector, the addresses accepting NodePorts, the service CIDRs.
import { cidrContains, parseCIDRSloppy, parseIPSloppy } from '../../cluster/sloppy-ip.js';
import type { ClusterObject, IPFamily, ServiceCIDR } from '../../cluster/types.js';
import type { ProxyConfig } from '../config.js';
import { detectorPieces, type RuleContext } from './rules.js';

export type NftProfile = 'default' | 'kube-proxy-test';

/** Go's "%#08x" of 1<<bit as kube-proxy writes it ("0x00004000"); upstream's unit tests use "0x4000". */
export function masqueradeMark(bit: number, profile: NftProfile): string {
  const hex = (2 ** bit).toString(16);
  return profile === 'kube-proxy-test' ? `0x${hex}` : `0x${hex.padStart(8, '0')}`;
}

export function ruleContext(config: ProxyConfig, family: IPFamily, profile: NftProfile, json: boolean): RuleContext {
  const ipX = family === 'IPv4' ? 'ip' : 'ip6';
  const base = { ipX, json, mark: masqueradeMark(config.nftablesMasqueradeBit, profile) } as const;
  let detector: RuleContext['detector'];
  const mode = config.detectLocalMode;
  if (mode === 'ClusterCIDR' && config.clusterCIDRs[family][0])
    detector = detectorPieces(base, 'cidr', config.clusterCIDRs[family][0]);
  else if (mode === 'NodeCIDR' && config.nodePodCIDRs[family][0])
    detector = detectorPieces(base, 'cidr', config.nodePodCIDRs[family][0]);
  else if (mode === 'BridgeInterface' && config.bridgeInterface)
    detector = detectorPieces(base, 'iifname', config.bridgeInterface);
  else if (mode === 'InterfaceNamePrefix' && config.interfaceNamePrefix)
    detector = detectorPieces(base, 'iifname', `${config.interfaceNamePrefix}*`);
  return detector ? { ...base, detector } : base;
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.');
}

/**
 * The node addresses accepting NodePorts (kube-proxy's nodePortAddresses.GetNodeIPs, with the
 * node's addresses standing in for its interfaces), or "all" when every local address does.
 * Unset means "primary" in nftables mode: the node's first address of this family.
 */
export function nodePortIPs(config: ProxyConfig, family: IPFamily): readonly string[] | 'all' {
  const nodeIPs = config.nodeIPs[family];
  const list = config.nodePortAddresses.length > 0 ? config.nodePortAddresses : ['primary'];
  const cidrs = [];
  for (const entry of list) {
    if (entry === 'primary') {
      if (nodeIPs[0]) cidrs.push(parseCIDRSloppy(`${nodeIPs[0]}/${family === 'IPv4' ? 32 : 128}`)!);
      continue;
    }
    const c = parseCIDRSloppy(entry);
    if (c && c.family === family) cidrs.push(c);
  }
  if (cidrs.length === 0 || cidrs.some((c) => c.prefix === 0)) return 'all';
  const out: string[] = [];
  for (const ip of nodeIPs) {
    const p = parseIPSloppy(ip);
    if (!p || isLoopback(p.text) || out.includes(p.text)) continue;
    if (cidrs.some((c) => cidrContains(c, p))) out.push(p.text);
  }
  return out;
}

/** The CIDRs of every ServiceCIDR object (by name), of this family, canonical. */
export function serviceCIDRsOf(objects: readonly ClusterObject[], family: IPFamily): string[] {
  const out: string[] = [];
  const list = objects
    .filter((o): o is ServiceCIDR => o.kind === 'ServiceCIDR')
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  for (const sc of list)
    for (const s of sc.spec?.cidrs ?? []) {
      const c = parseCIDRSloppy(s);
      if (c && c.family === family && !out.includes(c.text)) out.push(c.text);
    }
  return out;
}
