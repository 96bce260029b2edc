// What one Service contributes to the IPVS proxier's state: its virtual servers, set members,
// kube-ipvs0 addresses and KUBE-IPVS-OUT-FILTER rules.

import { parseIPSloppy } from '../../cluster/sloppy-ip.js';
import type { ProxyState } from '../state.js';
import type { ServicePortInfo } from '../types.js';
import { allowsNode, membersOf } from './ipsets.js';
import type { Contribution, VirtualServer } from './model.js';
import { EMPTY_CONTRIBUTION } from './model.js';
import type { IpvsOptions } from './options.js';
import { virtualServersOf } from './virtual-servers.js';

/**
 * kube-ipvs0 gets every ClusterIP, and every externalIP / LB VIP that is not already an address of
 * another interface of the node (syncService's shouldBind).
 */
function addressesOf(port: ServicePortInfo, nodeAddresses: ReadonlySet<string>): string[] {
  const out = [port.clusterIP];
  for (const ip of [...port.externalIPs, ...port.loadBalancerVIPs]) if (!nodeAddresses.has(ip)) out.push(ip);
  return out;
}

function noNodeAccessOf(port: ServicePortInfo, opts: IpvsOptions): string[] {
  if (port.loadBalancerSourceRanges.length === 0) return [];
  const nodeIP = opts.nodeIP ? parseIPSloppy(opts.nodeIP) : undefined;
  if (allowsNode(port, nodeIP)) return [];
  const proto = port.protocol.toLowerCase();
  return port.loadBalancerVIPs.map(
    (ip) => `-A KUBE-IPVS-OUT-FILTER -s ${ip} -m ipvs --vaddr ${ip} --vproto ${proto} --vport ${port.port} -j DROP`,
  );
}

export function contributionOf(
  state: ProxyState,
  ports: readonly ServicePortInfo[],
  opts: IpvsOptions,
  nodeAddresses: ReadonlySet<string>,
): Contribution {
  if (ports.length === 0) return EMPTY_CONTRIBUTION;
  const virtualServers: VirtualServer[] = [];
  const members: [string, string][] = [];
  const addresses: string[] = [];
  const noNodeAccess: string[] = [];
  for (const port of ports) {
    virtualServers.push(...virtualServersOf(state, port, opts));
    members.push(...membersOf(state, port, opts));
    addresses.push(...addressesOf(port, nodeAddresses));
    noNodeAccess.push(...noNodeAccessOf(port, opts));
  }
  return { virtualServers, members, addresses, noNodeAccess };
}
