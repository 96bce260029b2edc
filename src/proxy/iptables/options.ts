// What the payload depends on besides the cluster: the node's configuration and what the host's
// iptables and kernel support. Two profiles: "default" renders as a real kube-proxy on a stock
// Debian 12 node would; "kube-proxy-test" as kube-proxy's own unit tests set up their fake proxier.
import type { IPFamily } from '../../cluster/types.js';
import type { ProxyConfig } from '../config.js';
import type { Profile } from '../mode.js';
import { iptablesNodePortIPs, localTrafficDetector, masqueradeMark } from '../node-config.js';

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

/** The -s / -i arguments of kube-proxy's local-traffic detector for this family, if any. */
function detectorArgs(config: ProxyConfig, family: IPFamily): { ifLocal?: string; ifNotLocal?: string } {
  const d = localTrafficDetector(config, family);
  if (!d) return {};
  const [flag, value] =
    d.kind === 'cidr' ? ['-s', d.cidr] : d.kind === 'interface' ? ['-i', d.name] : ['-i', `${d.prefix}+`];
  return { ifLocal: `${flag} ${value}`, ifNotLocal: `! ${flag} ${value}` };
}

export function iptablesOptions(config: ProxyConfig, family: IPFamily, profile: Profile): IptablesOptions {
  const test = profile === 'kube-proxy-test';
  const det = detectorArgs(config, family);
  const nodePorts = iptablesNodePortIPs(config, family);
  return {
    family,
    mark: masqueradeMark(config.iptablesMasqueradeBit, profile),
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
    nodePortIPs: nodePorts === 'all' ? undefined : nodePorts,
  };
}
