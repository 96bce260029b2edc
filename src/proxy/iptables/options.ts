// What the payload depends on besides the cluster: the node's configuration and what the host's
// iptables and kernel support. Two profiles: "default" renders as a real kube-proxy on a stock
// Debian 12 node would; "kube-proxy-test" as kube-proxy's own unit tests set up their fake proxier.
import { parseCIDRSloppy } from '../../cluster/sloppy-ip.js';
import type { IPFamily } from '../../cluster/types.js';
import { UsageError } from '../../errors.js';
import type { ProxyConfig } from '../config.js';

export interface IptablesOptions {
  family: IPFamily;
  /** The masquerade mark as written in rules ("0x00004000", or "0x4000" in the test profile). */
  mark: string;
  /** MASQUERADE --random-fully (iptables >= 1.6.2 with kernel support). */
  randomFully: boolean;
  /** nfacct counter ct_state_invalid_dropped_pkts exists (kube-proxy creates it when it can). */
  nfacctInvalid: boolean;
  /** nfacct counter localhost_nps_accepted_pkts exists. */
  nfacctLocalhost: boolean;
  /** `-s <cidr>` / `! -s <cidr>` style args, or undefined when no local-traffic detector is configured. */
  ifLocal: string | undefined;
  ifNotLocal: string | undefined;
  masqueradeAll: boolean;
  localhostNodePorts: boolean;
  conntrackTCPBeLiberal: boolean;
  /** The node's primary IP of this family (used by the LB source-range "allow from node" rules). */
  nodeIP: string | undefined;
  /** undefined = every local address accepts NodePorts; else the node IPs that do. */
  nodePortIPs: readonly string[] | undefined;
}

export const PROFILES = ['default', 'kube-proxy-test'] as const;
export type Profile = (typeof PROFILES)[number];

/** Go's fmt "%#08x": the digits are zero-padded to 8, then "0x" is prefixed. */
export function formatMark(bit: number, profile: Profile): string {
  const hex = (2 ** bit).toString(16);
  return profile === 'kube-proxy-test' ? `0x${hex}` : `0x${hex.padStart(8, '0')}`;
}

function localDetector(config: ProxyConfig, family: IPFamily): { ifLocal?: string; ifNotLocal?: string } {
  switch (config.detectLocalMode) {
    case 'ClusterCIDR': {
      // kube-proxy uses the first cluster CIDR of the family.
      const cidr = config.clusterCIDRs[family][0];
      return cidr ? { ifLocal: `-s ${cidr}`, ifNotLocal: `! -s ${cidr}` } : {};
    }
    case 'NodeCIDR': {
      const cidr = config.nodePodCIDRs[family][0];
      return cidr ? { ifLocal: `-s ${cidr}`, ifNotLocal: `! -s ${cidr}` } : {};
    }
    case 'BridgeInterface':
      return config.bridgeInterface
        ? { ifLocal: `-i ${config.bridgeInterface}`, ifNotLocal: `! -i ${config.bridgeInterface}` }
        : {};
    case 'InterfaceNamePrefix':
      return config.interfaceNamePrefix
        ? { ifLocal: `-i ${config.interfaceNamePrefix}+`, ifNotLocal: `! -i ${config.interfaceNamePrefix}+` }
        : {};
    default:
      return {};
  }
}

/**
 * The node IPs accepting NodePorts, from nodePortAddresses applied to the Node's addresses, or
 * undefined when they match everything (unset, no CIDR of this family, or a 0.0.0.0/0-style CIDR).
 */
export function nodePortIPsOf(config: ProxyConfig, family: IPFamily): readonly string[] | undefined {
  const nodeIPs = config.nodeIPs[family];
  const cidrs = [];
  let primary = false;
  for (const a of config.nodePortAddresses) {
    if (a === 'primary') {
      primary = true;
      continue;
    }
    const c = parseCIDRSloppy(a);
    if (!c) throw new UsageError(`nodePortAddresses: ${JSON.stringify(a)} is not a CIDR`);
    if (c.family !== family) continue;
    if (c.prefix === 0) return undefined;
    cidrs.push(c);
  }
  if (!primary && cidrs.length === 0) return undefined;
  // The loopback interface holds 127.0.0.1 (IPv4) / ::1 on every node.
  const candidates = [...nodeIPs, family === 'IPv4' ? '127.0.0.1' : '::1'];
  const out: string[] = [];
  for (const ip of candidates) {
    const inCidr = cidrs.some((c) => cidrContainsText(c.text, ip));
    const isPrimary = primary && ip === nodeIPs[0];
    if ((inCidr || isPrimary) && !out.includes(ip)) out.push(ip);
  }
  return out;
}

function cidrContainsText(cidr: string, ip: string): boolean {
  const c = parseCIDRSloppy(cidr);
  const a = parseCIDRSloppy(`${ip}/${c?.prefix ?? 0}`);
  return !!c && !!a && a.family === c.family && a.text === c.text;
}

export function iptablesOptions(config: ProxyConfig, family: IPFamily, profile: string): IptablesOptions {
  if (!(PROFILES as readonly string[]).includes(profile))
    throw new UsageError(`--profile: ${JSON.stringify(profile)} must be one of ${PROFILES.join(', ')}`);
  const p = profile as Profile;
  const test = p === 'kube-proxy-test';
  const det = localDetector(config, family);
  return {
    family,
    mark: formatMark(config.iptablesMasqueradeBit, p),
    // Debian 12's iptables 1.8.9 and kernel support --random-fully; upstream's test fake does not.
    randomFully: !test,
    // kube-proxy creates nfacct counters over netlink; a stock netns without them refuses the match
    // (RULE_APPEND ... No such file or directory), so the default profile leaves them out.
    nfacctInvalid: test,
    nfacctLocalhost: test,
    ifLocal: det.ifLocal,
    ifNotLocal: det.ifNotLocal,
    masqueradeAll: config.masqueradeAll,
    localhostNodePorts: config.localhostNodePorts,
    conntrackTCPBeLiberal: config.conntrackTCPBeLiberal,
    nodeIP: config.nodeIPs[family][0],
    nodePortIPs: nodePortIPsOf(config, family),
  };
}
