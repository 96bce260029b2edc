// The rules of one service port, in exactly the order kube-proxy's syncProxyRules writes them.
// The output is split into the parts a partial sync treats differently: filter rules and the
// nat KUBE-SERVICES/KUBE-NODEPORTS rules are written on every sync; the per-service chains
// (SVC/SVL/EXT/FW/SEP lines and rules) only when the service changed.
import { cidrContains, parseCIDRSloppy, parseIPSloppy } from '../../cluster/sloppy-ip.js';
import type { CategorizedEndpoints } from '../topology.js';
import type { Endpoint, ServicePortInfo } from '../types.js';
import { flat } from './flatten.js';
import { chainNamesOf, endpointChainOf } from './names.js';
import type { IptablesOptions } from './options.js';
import { computeProbability } from './probability.js';

export interface PortOutput {
  readonly port: ServicePortInfo;
  /** Large-cluster mode when written (it drops comments in SVC/SVL/SEP rules). */
  readonly large: boolean;
  readonly filter: string;
  readonly filterLines: number;
  readonly natTop: string;
  readonly natTopLines: number;
  /** Rules of the per-service chains (their text goes to the `nat` sink when asked for). */
  readonly natChainRuleLines: number;
  /** Every nat chain this port uses, in declaration order. */
  readonly chains: readonly string[];
  /** 1 when the port has endpoints but none for internal (resp. external) Local traffic, else 0. */
  readonly noLocalInternal: number;
  readonly noLocalExternal: number;
}

/** A comment as kube-proxy writes it: quoted when it holds a space, bare otherwise. */
function comment(text: string): string {
  return text.includes(' ') ? `-m comment --comment "${text}"` : `-m comment --comment ${text}`;
}

/** Appends the pieces of the jump rules from `chain` to the endpoint chains (into `out`). */
function writeEndpointJumps(
  out: string[],
  chain: string,
  port: ServicePortInfo,
  endpoints: readonly Endpoint[],
  seps: readonly string[],
  large: boolean,
): number {
  // Reused strings are flattened once: a join walks a concatenation tree every time it meets it.
  const head = flat(`-A ${chain}`);
  const commentHead = large ? '' : flat(` -m comment --comment "${port.name} -> `);
  let lines = 0;
  if (port.sessionAffinity === 'ClientIP') {
    const check = flat(` --rcheck --seconds ${port.stickyMaxAgeSeconds} --reap -j `);
    for (let i = 0; i < endpoints.length; i++) {
      const ep = endpoints[i]!;
      const sep = seps[i]!;
      out.push(head);
      if (!large) out.push(commentHead, ep.endpoint, '"');
      out.push(' -m recent --name ', sep, check, sep, '\n');
      lines++;
    }
  }
  const n = endpoints.length;
  for (let i = 0; i < n; i++) {
    const ep = endpoints[i]!;
    out.push(head);
    if (!large) out.push(commentHead, ep.endpoint, '"');
    if (i < n - 1) out.push(' -m statistic --mode random --probability ', computeProbability(n - i));
    out.push(' -j ', seps[i]!, '\n');
    lines++;
  }
  return lines;
}

/**
 * One service port's rules. The filter rules and the nat KUBE-SERVICES/KUBE-NODEPORTS rules come
 * back as strings, kept between syncs; the nat rules in emission order (those, then the per-service
 * chain rules) are appended as pieces to `nat`, which the caller joins for a block of ports at once:
 * big strings are allocated outside the young generation, so they are not copied by every
 * scavenge on the way to the old one.
 */
export function writeServicePort(
  port: ServicePortInfo,
  cat: CategorizedEndpoints,
  opt: IptablesOptions,
  large: boolean,
  nat: string[],
): PortOutput {
  const names = chainNamesOf(port);
  const S = port.name;
  const p = port.protocol.toLowerCase();
  const proto = `-m ${p} -p ${p}`;
  const dport = `--dport ${port.port}`;
  const hasEndpoints = cat.hasAny;

  const clusterChain = names.svc;
  const localChain = names.svl;
  const usesClusterChain = cat.cluster.length > 0 && port.usesClusterEndpoints;
  const usesLocalChain = cat.local.length > 0 && port.usesLocalEndpoints;

  let internalChain = clusterChain;
  let hasInternal = hasEndpoints;
  if (port.internalPolicyLocal) {
    internalChain = localChain;
    if (cat.local.length === 0) hasInternal = false;
  }
  let externalPolicyChain = clusterChain;
  let hasExternal = hasEndpoints;
  if (port.externalPolicyLocal) {
    externalPolicyChain = localChain;
    if (cat.local.length === 0) hasExternal = false;
  }
  const extChain = names.ext;
  const usesExt = hasEndpoints && port.externallyAccessible;
  const usesFw = hasEndpoints && port.loadBalancerVIPs.length > 0 && port.loadBalancerSourceRanges.length > 0;
  const lbChain = usesFw ? names.fw : extChain;

  let internalTarget = '';
  let internalComment = '';
  let externalTarget = '';
  let externalComment = '';
  if (!hasEndpoints) {
    internalTarget = externalTarget = 'REJECT';
    internalComment = externalComment = `"${S} has no endpoints"`;
  } else {
    if (!hasInternal) {
      internalTarget = 'DROP';
      internalComment = `"${S} has no local endpoints"`;
    }
    if (!hasExternal) {
      externalTarget = 'DROP';
      externalComment = `"${S} has no local endpoints"`;
    }
  }

  let filter = '';
  let filterLines = 0;
  let natTop = '';
  let natTopLines = 0;
  const cip = port.clusterIP;

  // 1. The cluster IP.
  if (hasInternal) {
    natTop += `-A KUBE-SERVICES -m comment --comment "${S} cluster IP" ${proto} -d ${cip} ${dport} -j ${internalChain}\n`;
    natTopLines++;
  } else {
    filter += `-A KUBE-SERVICES -m comment --comment ${internalComment} ${proto} -d ${cip} ${dport} -j ${internalTarget}\n`;
    filterLines++;
  }
  // 2. External IPs.
  for (const eip of port.externalIPs) {
    if (hasEndpoints) {
      natTop += `-A KUBE-SERVICES -m comment --comment "${S} external IP" ${proto} -d ${eip} ${dport} -j ${extChain}\n`;
      natTopLines++;
    }
    if (!hasExternal) {
      filter += `-A KUBE-EXTERNAL-SERVICES -m comment --comment ${externalComment} ${proto} -d ${eip} ${dport} -j ${externalTarget}\n`;
      filterLines++;
    }
  }
  // 3. Load-balancer IPs.
  for (const lbip of port.loadBalancerVIPs) {
    if (hasEndpoints) {
      natTop += `-A KUBE-SERVICES -m comment --comment "${S} loadbalancer IP" ${proto} -d ${lbip} ${dport} -j ${lbChain}\n`;
      natTopLines++;
    }
    if (usesFw) {
      filter += `-A KUBE-PROXY-FIREWALL -m comment --comment "${S} traffic not accepted by ${names.fw}" ${proto} -d ${lbip} ${dport} -j DROP\n`;
      filterLines++;
    }
  }
  if (!hasExternal) {
    for (const lbip of port.loadBalancerVIPs) {
      filter += `-A KUBE-EXTERNAL-SERVICES -m comment --comment ${externalComment} ${proto} -d ${lbip} ${dport} -j ${externalTarget}\n`;
      filterLines++;
    }
  }
  // 4. The node port.
  if (port.nodePort !== 0) {
    if (hasEndpoints) {
      if (opt.localhostNodePorts && opt.family === 'IPv4' && opt.nfacctLocalhost) {
        natTop += `-A KUBE-NODEPORTS ${comment(S)} ${proto} -d 127.0.0.0/8 --dport ${port.nodePort} -m nfacct --nfacct-name localhost_nps_accepted_pkts -j ${extChain}\n`;
        natTopLines++;
      }
      natTop += `-A KUBE-NODEPORTS ${comment(S)} ${proto} --dport ${port.nodePort} -j ${extChain}\n`;
      natTopLines++;
    }
    if (!hasExternal) {
      filter += `-A KUBE-EXTERNAL-SERVICES -m comment --comment ${externalComment} -m addrtype --dst-type LOCAL ${proto} --dport ${port.nodePort} -j ${externalTarget}\n`;
      filterLines++;
    }
  }
  // 5. The health-check node port, whatever the endpoints.
  if (port.healthCheckNodePort !== 0) {
    filter += `-A KUBE-NODEPORTS -m comment --comment "${S} health check node port" -m tcp -p tcp --dport ${port.healthCheckNodePort} -j ACCEPT\n`;
    filterLines++;
  }

  // From here on: the per-service chains, which a partial sync leaves out for unchanged services.
  let rules = '';
  let ruleLines = 0;
  const chains: string[] = [];
  const declare = (chain: string) => {
    chains.push(chain);
  };

  // 7. Masquerade off-cluster traffic to the cluster IP.
  if (hasInternal) {
    const args = `-m comment --comment "${S} cluster IP" ${proto} -d ${cip} ${dport}`;
    if (opt.masqueradeAll) {
      rules += `-A ${internalChain} ${args} -j KUBE-MARK-MASQ\n`;
      ruleLines++;
    } else if (opt.ifNotLocal) {
      rules += `-A ${internalChain} ${args} ${opt.ifNotLocal} -j KUBE-MARK-MASQ\n`;
      ruleLines++;
    }
  }
  // 8. The EXT chain: special cases, then the external policy chain.
  if (usesExt) {
    declare(extChain);
    if (!port.externalPolicyLocal) {
      rules += `-A ${extChain} -m comment --comment "masquerade traffic for ${S} external destinations" -j KUBE-MARK-MASQ\n`;
      ruleLines++;
    } else {
      if (opt.ifLocal) {
        rules += `-A ${extChain} -m comment --comment "pod traffic for ${S} external destinations" ${opt.ifLocal} -j ${clusterChain}\n`;
        ruleLines++;
      }
      rules += `-A ${extChain} -m comment --comment "masquerade LOCAL traffic for ${S} external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ\n`;
      rules += `-A ${extChain} -m comment --comment "route LOCAL traffic for ${S} external destinations" -m addrtype --src-type LOCAL -j ${clusterChain}\n`;
      ruleLines += 2;
    }
    if (hasExternal) {
      rules += `-A ${extChain} -j ${externalPolicyChain}\n`;
      ruleLines++;
    }
  }
  // 9. The firewall chain for loadBalancerSourceRanges.
  if (usesFw) {
    declare(names.fw);
    const head = `-A ${names.fw} -m comment --comment "${S} loadbalancer IP"`;
    let allowFromNode = false;
    for (const range of port.loadBalancerSourceRanges) {
      // Go's ParseCIDR clears host bits: 203.0.113.5/25 is written 203.0.113.0/25.
      const cidr = parseCIDRSloppy(range)?.text ?? range;
      rules += `${head} -s ${cidr} -j ${extChain}\n`;
      ruleLines++;
      if (opt.nodeIP && cidrHolds(cidr, opt.nodeIP)) allowFromNode = true;
    }
    if (allowFromNode) {
      for (const lbip of port.loadBalancerVIPs) {
        rules += `${head} -s ${lbip} -j ${extChain}\n`;
        ruleLines++;
      }
    }
    rules += `-A ${names.fw} -m comment --comment "other traffic to ${S} will be dropped by KUBE-PROXY-FIREWALL"\n`;
    ruleLines++;
  }
  // 10-11. The policy chains.
  // The bulk of the output (per-endpoint rules) is appended as pieces.
  const flatTop = flat(natTop);
  const pieces = nat;
  pieces.push(flatTop, flat(rules));
  const reachableSeps = cat.reachable.map((ep) => endpointChainOf(port, ep));
  // The endpoint lists are often the very same array as `reachable`: reuse its chain names.
  const sepsOf = (list: readonly Endpoint[]) =>
    list === cat.reachable ? reachableSeps : list.map((ep) => endpointChainOf(port, ep));
  if (usesClusterChain) {
    declare(clusterChain);
    ruleLines += writeEndpointJumps(pieces, clusterChain, port, cat.cluster, sepsOf(cat.cluster), large);
  }
  if (usesLocalChain) {
    declare(localChain);
    ruleLines += writeEndpointJumps(pieces, localChain, port, cat.local, sepsOf(cat.local), large);
  }
  // 12. One chain per reachable endpoint: hairpin masquerade, then DNAT.
  const sepComment = large ? '' : flat(` ${comment(S)}`);
  const affinity = port.sessionAffinity === 'ClientIP';
  const dnat = flat(` ${proto} -j DNAT --to-destination `);
  for (let i = 0; i < cat.reachable.length; i++) {
    const ep = cat.reachable[i]!;
    const sep = reachableSeps[i]!;
    declare(sep);
    pieces.push('-A ', sep, sepComment, ' -s ', ep.ip, ' -j KUBE-MARK-MASQ\n-A ', sep, sepComment);
    if (affinity) pieces.push(' -m recent --name ', sep, ' --set');
    pieces.push(dnat, ep.endpoint, '\n');
    ruleLines += 2;
  }

  return {
    port,
    large,
    filter: flat(filter),
    filterLines,
    natTop: flatTop,
    natTopLines,
    natChainRuleLines: ruleLines,
    chains,
    noLocalInternal: hasEndpoints && !hasInternal ? 1 : 0,
    noLocalExternal: hasEndpoints && !hasExternal ? 1 : 0,
  };
}

function cidrHolds(cidr: string, ip: string): boolean {
  const c = parseCIDRSloppy(cidr);
  const a = parseIPSloppy(ip);
  return !!c && !!a && cidrContains(c, a);
}
