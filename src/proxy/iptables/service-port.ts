// The rules of one service port, in exactly the order kube-proxy's syncProxyRules writes them.
// The output is split into the parts a partial sync treats differently: filter rules and the
// nat KUBE-SERVICES/KUBE-NODEPORTS rules are written on every sync; the per-service chains
// (SVC/SVL/EXT/FW/SEP lines and rules) only when the service changed.
import type { CategorizedEndpoints } from '../topology.js';
import { sourceRangesOf, trafficPlanOf } from '../traffic-plan.js';
import type { Endpoint, ServicePortInfo } from '../types.js';
import { asciiBytes, type ByteWriter } from './byte-writer.js';
import { flat } from './flatten.js';
import { type ChainName, chainNamesOf, endpointChainOf, endpointChainsOf } from './names.js';
import type { IptablesOptions } from './options.js';
import { probabilityBytes } from './probability.js';

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

// Fixed pieces of the per-endpoint rules, pre-encoded.
const A = asciiBytes('-A ');
const RECENT = asciiBytes(' -m recent --name ');
const STATISTIC = asciiBytes(' -m statistic --mode random --probability ');
const JUMP = asciiBytes(' -j ');
const SOURCE = asciiBytes(' -s ');
const MASQ_THEN_A = asciiBytes(' -j KUBE-MARK-MASQ\n-A ');
const SET = asciiBytes(' --set');
const DECLARED = asciiBytes(' - [0:0]\n');
const NL = 10;
const QUOTE = 34;
const COLON = 58;

/** Writes the jump rules from `chain` to the endpoint chains; returns how many. */
function writeEndpointJumps(
  w: ByteWriter,
  chain: ChainName,
  port: ServicePortInfo,
  endpoints: readonly Endpoint[],
  seps: readonly ChainName[],
  large: boolean,
): number {
  const commentHead = large ? '' : ` -m comment --comment "${port.name} -> `;
  const head = chain.bytes;
  let lines = 0;
  if (port.sessionAffinity === 'ClientIP') {
    const check = ` --rcheck --seconds ${port.stickyMaxAgeSeconds} --reap -j `;
    for (let i = 0; i < endpoints.length; i++) {
      const sep = seps[i]!.bytes;
      w.bytes(A);
      w.bytes(head);
      if (!large) {
        w.ascii(commentHead);
        w.ascii(endpoints[i]!.endpoint);
        w.byte(QUOTE);
      }
      w.bytes(RECENT);
      w.bytes(sep);
      w.ascii(check);
      w.bytes(sep);
      w.byte(NL);
      lines++;
    }
  }
  const n = endpoints.length;
  for (let i = 0; i < n; i++) {
    w.bytes(A);
    w.bytes(head);
    if (!large) {
      w.ascii(commentHead);
      w.ascii(endpoints[i]!.endpoint);
      w.byte(QUOTE);
    }
    if (i < n - 1) {
      w.bytes(STATISTIC);
      w.bytes(probabilityBytes(n - i));
    }
    w.bytes(JUMP);
    w.bytes(seps[i]!.bytes);
    w.byte(NL);
    lines++;
  }
  return lines;
}

/** Where a port's nat rule text goes, in emission order, and its chain declaration lines. */
export interface NatSink {
  readonly rules: ByteWriter;
  readonly chains: ByteWriter;
}

/**
 * One service port's rules. The filter rules and the nat KUBE-SERVICES/KUBE-NODEPORTS rules come
 * back as strings, kept between syncs; the nat rules in emission order (those, then the per-service
 * chain rules) are written to `nat.rules`, and the declaration lines of the chains it uses to
 * `nat.chains`.
 */
export function writeServicePort(
  port: ServicePortInfo,
  cat: CategorizedEndpoints,
  opt: IptablesOptions,
  large: boolean,
  nat: NatSink,
): PortOutput {
  const names = chainNamesOf(port);
  const S = port.name;
  const p = port.protocol.toLowerCase();
  const proto = `-m ${p} -p ${p}`;
  const dport = `--dport ${port.port}`;
  const plan = trafficPlanOf(port, cat);
  const hasEndpoints = plan.hasEndpoints;

  const clusterChain = names.svc.name;
  const localChain = names.svl.name;
  const usesClusterChain = plan.usesClusterPolicy;
  const usesLocalChain = plan.usesLocalPolicy;
  const internalChain = plan.internalPolicy === 'local' ? localChain : clusterChain;
  const hasInternal = plan.hasInternalEndpoints;
  const externalPolicyChain = plan.externalPolicy === 'local' ? localChain : clusterChain;
  const hasExternal = plan.hasExternalEndpoints;
  const extChain = names.ext.name;
  const usesExt = plan.usesExternalChain;
  // Unlike nftables, the iptables proxier writes the firewall only when there are endpoints.
  const usesFw = hasEndpoints && plan.hasSourceRanges;
  const lbChain = usesFw ? names.fw.name : extChain;

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
      filter += `-A KUBE-PROXY-FIREWALL -m comment --comment "${S} traffic not accepted by ${names.fw.name}" ${proto} -d ${lbip} ${dport} -j DROP\n`;
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
  // Every chain this port uses, in declaration order: sized up front (one array per port).
  const chains: string[] = new Array(
    (usesExt ? 1 : 0) + (usesFw ? 1 : 0) + (usesClusterChain ? 1 : 0) + (usesLocalChain ? 1 : 0) + cat.reachable.length,
  );
  let declared = 0;
  const decl = nat.chains;
  const declare = (chain: ChainName) => {
    chains[declared++] = chain.name;
    decl.byte(COLON);
    decl.bytes(chain.bytes);
    decl.bytes(DECLARED);
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
    declare(names.ext);
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
    const head = `-A ${names.fw.name} -m comment --comment "${S} loadbalancer IP"`;
    const ranges = sourceRangesOf(port, opt.nodeIP);
    for (const cidr of ranges.cidrs) {
      rules += `${head} -s ${cidr} -j ${extChain}\n`;
      ruleLines++;
    }
    if (ranges.allowsNode) {
      for (const lbip of port.loadBalancerVIPs) {
        rules += `${head} -s ${lbip} -j ${extChain}\n`;
        ruleLines++;
      }
    }
    rules += `-A ${names.fw.name} -m comment --comment "other traffic to ${S} will be dropped by KUBE-PROXY-FIREWALL"\n`;
    ruleLines++;
  }
  // 10-11. The policy chains.
  const top = flat(natTop);
  const w = nat.rules;
  w.ascii(top);
  w.ascii(rules);
  const reachableSeps = endpointChainsOf(names, port, cat.reachable);
  // The endpoint lists are often the very same array as `reachable`: reuse its chain names.
  const sepsOf = (list: readonly Endpoint[]) =>
    list === cat.reachable ? reachableSeps : list.map((ep) => endpointChainOf(names, port, ep));
  if (usesClusterChain) {
    declare(names.svc);
    ruleLines += writeEndpointJumps(w, names.svc, port, cat.cluster, sepsOf(cat.cluster), large);
  }
  if (usesLocalChain) {
    declare(names.svl);
    ruleLines += writeEndpointJumps(w, names.svl, port, cat.local, sepsOf(cat.local), large);
  }
  // 12. One chain per reachable endpoint: hairpin masquerade, then DNAT.
  const sepComment = large ? '' : ` ${comment(S)}`;
  const affinity = port.sessionAffinity === 'ClientIP';
  const dnat = asciiBytes(` ${proto} -j DNAT --to-destination `);
  for (let i = 0; i < cat.reachable.length; i++) {
    const ep = cat.reachable[i]!;
    const sep = reachableSeps[i]!;
    declare(sep);
    w.bytes(A);
    w.bytes(sep.bytes);
    if (!large) w.ascii(sepComment);
    w.bytes(SOURCE);
    w.ascii(ep.ip);
    w.bytes(MASQ_THEN_A);
    w.bytes(sep.bytes);
    if (!large) w.ascii(sepComment);
    if (affinity) {
      w.bytes(RECENT);
      w.bytes(sep.bytes);
      w.bytes(SET);
    }
    w.bytes(dnat);
    w.ascii(ep.endpoint);
    w.byte(NL);
    ruleLines += 2;
  }

  return {
    port,
    large,
    filter: flat(filter),
    filterLines,
    natTop: top,
    natTopLines,
    natChainRuleLines: ruleLines,
    chains,
    noLocalInternal: plan.noLocalInternal ? 1 : 0,
    noLocalExternal: plan.noLocalExternal ? 1 : 0,
  };
}
