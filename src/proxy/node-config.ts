// What every mode takes from the node's configuration, resolved once: the masquerade mark as
// kube-proxy writes it, the local-traffic detector and the addresses that accept NodePorts.
import { cidrContains, parseCIDRSloppy, parseIPSloppy } from '../cluster/sloppy-ip.js';
import type { IPFamily } from '../cluster/types.js';
import { ProxyConfigError } from '../errors.js';
import type { ProxyConfig } from './config.js';
import type { Profile } from './mode.js';

/** Go's "%#08x" of 1<<bit as kube-proxy writes it ("0x00004000"); upstream's unit tests use "0x4000". */
export function masqueradeMark(bit: number, profile: Profile): string {
  const hex = (2 ** bit).toString(16);
  return profile === 'kube-proxy-test' ? `0x${hex}` : `0x${hex.padStart(8, '0')}`;
}

/** How kube-proxy tells pod traffic from the rest on this node (detectLocalMode), or none. */
export type LocalTrafficDetector =
  | { readonly kind: 'cidr'; readonly cidr: string }
  | { readonly kind: 'interface'; readonly name: string }
  | { readonly kind: 'interface-prefix'; readonly prefix: string };

export function localTrafficDetector(config: ProxyConfig, family: IPFamily): LocalTrafficDetector | undefined {
  switch (config.detectLocalMode) {
    case 'ClusterCIDR': {
      // kube-proxy uses the first cluster CIDR of the family.
      const cidr = config.clusterCIDRs[family][0];
      return cidr ? { kind: 'cidr', cidr } : undefined;
    }
    case 'NodeCIDR': {
      const cidr = config.nodePodCIDRs[family][0];
      return cidr ? { kind: 'cidr', cidr } : undefined;
    }
    case 'BridgeInterface':
      return config.bridgeInterface ? { kind: 'interface', name: config.bridgeInterface } : undefined;
    case 'InterfaceNamePrefix':
      return config.interfaceNamePrefix ? { kind: 'interface-prefix', prefix: config.interfaceNamePrefix } : undefined;
    default:
      return undefined;
  }
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.');
}

/** nodePortAddresses of this family: the CIDRs, whether "primary" is listed, or every address. */
function nodePortMatchers(entries: readonly string[], family: IPFamily) {
  const cidrs = [];
  let primary = false;
  for (const a of entries) {
    if (a === 'primary') {
      primary = true;
      continue;
    }
    const c = parseCIDRSloppy(a);
    if (!c) throw new ProxyConfigError(`nodePortAddresses: ${JSON.stringify(a)} is not a CIDR`);
    if (c.family !== family) continue;
    if (c.prefix === 0) return 'all' as const;
    cidrs.push(c);
  }
  return { cidrs, primary };
}

/**
 * iptables mode: the node IPs accepting NodePorts, or "all" when every local address does (unset,
 * no CIDR of this family, or a /0). The node's addresses stand in for its interfaces, and the
 * loopback interface holds 127.0.0.1 / ::1 on every node.
 */
export function iptablesNodePortIPs(config: ProxyConfig, family: IPFamily): readonly string[] | 'all' {
  const m = nodePortMatchers(config.nodePortAddresses, family);
  if (m === 'all' || (!m.primary && m.cidrs.length === 0)) return 'all';
  const nodeIPs = config.nodeIPs[family];
  const out: string[] = [];
  for (const ip of [...nodeIPs, family === 'IPv4' ? '127.0.0.1' : '::1']) {
    const p = parseIPSloppy(ip);
    const inCidr = !!p && m.cidrs.some((c) => cidrContains(c, p));
    if ((inCidr || (m.primary && ip === nodeIPs[0])) && !out.includes(ip)) out.push(ip);
  }
  return out;
}

/**
 * nftables mode: the same, but unset means "primary" (the node's first address of this family),
 * loopback never accepts NodePorts, and "primary" without an address of the family matches all.
 */
export function nftablesNodePortIPs(config: ProxyConfig, family: IPFamily): readonly string[] | 'all' {
  const entries = config.nodePortAddresses.length > 0 ? config.nodePortAddresses : ['primary'];
  const m = nodePortMatchers(entries, family);
  const nodeIPs = config.nodeIPs[family];
  if (m === 'all') return 'all';
  const primary = m.primary && nodeIPs[0] ? parseIPSloppy(nodeIPs[0]) : undefined;
  if (m.cidrs.length === 0 && !primary) return 'all';
  const out: string[] = [];
  for (const ip of nodeIPs) {
    const p = parseIPSloppy(ip);
    if (!p || isLoopback(p.text) || out.includes(p.text)) continue;
    if (m.cidrs.some((c) => cidrContains(c, p)) || p.text === primary?.text) out.push(p.text);
  }
  return out;
}
