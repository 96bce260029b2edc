// The ipsets of upstream's ipsetInfo (pkg/proxy/ipvs/proxier.go, ipset.go): names, types, the
// comments its iptables rules carry, and the members each service port adds, spelled as
// `ipset save` prints them.
import { cidrContains, parseCIDRSloppy, parseIPSloppy } from '../../cluster/sloppy-ip.js';
import type { IPFamily } from '../../cluster/types.js';
import type { ProxyState } from '../state.js';
import type { ServicePortInfo } from '../types.js';
import type { IpvsOptions } from './options.js';

export type SetType = 'hash:ip' | 'hash:ip,port' | 'hash:ip,port,ip' | 'hash:ip,port,net' | 'bitmap:port';

export interface SetInfo {
  readonly name: string;
  readonly type: SetType;
  readonly comment: string;
}

/** In upstream's ipsetInfo order (the order kube-proxy creates them). */
export const SET_INFO: readonly SetInfo[] = [
  {
    name: 'KUBE-LOOP-BACK',
    type: 'hash:ip,port,ip',
    comment: 'Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose',
  },
  {
    name: 'KUBE-CLUSTER-IP',
    type: 'hash:ip,port',
    comment: 'Kubernetes service cluster ip + port for masquerade purpose',
  },
  {
    name: 'KUBE-EXTERNAL-IP',
    type: 'hash:ip,port',
    comment: 'Kubernetes service external ip + port for masquerade and filter purpose',
  },
  {
    name: 'KUBE-EXTERNAL-IP-LOCAL',
    type: 'hash:ip,port',
    comment: 'Kubernetes service external ip + port with externalTrafficPolicy=local',
  },
  { name: 'KUBE-LOAD-BALANCER', type: 'hash:ip,port', comment: 'Kubernetes service lb portal' },
  {
    name: 'KUBE-LOAD-BALANCER-FW',
    type: 'hash:ip,port',
    comment: 'Kubernetes service load balancer ip + port for load balancer with sourceRange',
  },
  {
    name: 'KUBE-LOAD-BALANCER-LOCAL',
    type: 'hash:ip,port',
    comment: 'Kubernetes service load balancer ip + port with externalTrafficPolicy=local',
  },
  {
    name: 'KUBE-LOAD-BALANCER-SOURCE-IP',
    type: 'hash:ip,port,ip',
    comment: 'Kubernetes service load balancer ip + port + source IP for packet filter purpose',
  },
  {
    name: 'KUBE-LOAD-BALANCER-SOURCE-CIDR',
    type: 'hash:ip,port,net',
    comment: 'Kubernetes service load balancer ip + port + source cidr for packet filter purpose',
  },
  { name: 'KUBE-NODE-PORT-TCP', type: 'bitmap:port', comment: 'Kubernetes nodeport TCP port for masquerade purpose' },
  {
    name: 'KUBE-NODE-PORT-LOCAL-TCP',
    type: 'bitmap:port',
    comment: 'Kubernetes nodeport TCP port with externalTrafficPolicy=local',
  },
  { name: 'KUBE-NODE-PORT-UDP', type: 'bitmap:port', comment: 'Kubernetes nodeport UDP port for masquerade purpose' },
  {
    name: 'KUBE-NODE-PORT-LOCAL-UDP',
    type: 'bitmap:port',
    comment: 'Kubernetes nodeport UDP port with externalTrafficPolicy=local',
  },
  {
    name: 'KUBE-NODE-PORT-SCTP-HASH',
    type: 'hash:ip,port',
    comment: "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'",
  },
  {
    name: 'KUBE-NODE-PORT-LOCAL-SCTP-HASH',
    type: 'hash:ip,port',
    comment: "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'",
  },
  { name: 'KUBE-HEALTH-CHECK-NODE-PORT', type: 'bitmap:port', comment: 'Kubernetes health check node port' },
  { name: 'KUBE-IPVS-IPS', type: 'hash:ip', comment: 'Addresses on the ipvs interface' },
];

/** NewIPSet: IPv6 sets replace the leading KUBE- with KUBE-6-, cut to ipset's 31 characters. */
export function setName(name: string, family: IPFamily): string {
  return family === 'IPv6' ? `KUBE-6-${name.slice(5)}`.slice(0, 31) : name;
}

/** The members one service port adds, as [set, member] pairs (KUBE-IPVS-IPS comes from the addresses). */
export function membersOf(state: ProxyState, port: ServicePortInfo, opts: IpvsOptions): [string, string][] {
  const out: [string, string][] = [];
  const proto = port.protocol.toLowerCase();
  const pp = `${proto}:${port.port}`;
  for (const e of state.endpointsOf(port))
    if (e.isLocal && e.ip && e.port) out.push(['KUBE-LOOP-BACK', `${e.ip},${proto}:${e.port},${e.ip}`]);
  out.push(['KUBE-CLUSTER-IP', `${port.clusterIP},${pp}`]);
  for (const ip of port.externalIPs)
    out.push([port.externalPolicyLocal ? 'KUBE-EXTERNAL-IP-LOCAL' : 'KUBE-EXTERNAL-IP', `${ip},${pp}`]);
  const nodeIP = opts.nodeIP ? parseIPSloppy(opts.nodeIP) : undefined;
  for (const ip of port.loadBalancerVIPs) {
    const entry = `${ip},${pp}`;
    out.push(['KUBE-LOAD-BALANCER', entry]);
    if (port.externalPolicyLocal) out.push(['KUBE-LOAD-BALANCER-LOCAL', entry]);
    if (port.loadBalancerSourceRanges.length === 0) continue;
    out.push(['KUBE-LOAD-BALANCER-FW', entry]);
    for (const r of port.loadBalancerSourceRanges) {
      const cidr = parseCIDRSloppy(r);
      if (!cidr) continue;
      out.push(['KUBE-LOAD-BALANCER-SOURCE-CIDR', `${entry},${cidrMember(cidr.text)}`]);
    }
    if (allowsNode(port, nodeIP)) out.push(['KUBE-LOAD-BALANCER-SOURCE-IP', `${entry},${ip}`]);
  }
  if (port.nodePort !== 0 && opts.nodePortIPs.length > 0) {
    const local = port.externalPolicyLocal;
    if (port.protocol === 'SCTP') {
      for (const ip of opts.nodePortIPs) {
        out.push(['KUBE-NODE-PORT-SCTP-HASH', `${ip},sctp:${port.nodePort}`]);
        if (local) out.push(['KUBE-NODE-PORT-LOCAL-SCTP-HASH', `${ip},sctp:${port.nodePort}`]);
      }
    } else {
      out.push([`KUBE-NODE-PORT-${port.protocol}`, String(port.nodePort)]);
      if (local) out.push([`KUBE-NODE-PORT-LOCAL-${port.protocol}`, String(port.nodePort)]);
    }
  }
  if (port.healthCheckNodePort !== 0) out.push(['KUBE-HEALTH-CHECK-NODE-PORT', String(port.healthCheckNodePort)]);
  return out;
}

/** ipset prints a host-length net without its prefix. */
function cidrMember(text: string): string {
  return text.endsWith('/32') || text.endsWith('/128') ? text.slice(0, text.lastIndexOf('/')) : text;
}

export function allowsNode(port: ServicePortInfo, nodeIP: ReturnType<typeof parseIPSloppy>): boolean {
  if (!nodeIP) return false;
  return port.loadBalancerSourceRanges.some((r) => {
    const c = parseCIDRSloppy(r);
    return !!c && cidrContains(c, nodeIP);
  });
}
