// kube-proxy puts its jumps from the built-in chains (PREROUTING -> KUBE-SERVICES ...) in place with
// `iptables -I`, outside the restore payload (upstream iptables/proxier.go iptablesJumpChains and
// iptablesKubeletJumpChains), in the order a clean node shows them (each is prepended). A payload of ours therefore lacks them; when a text does not declare
// a built-in chain at all, these rules stand in for it, each marked implicit in the trace. A dump
// from a real node declares its built-in chains, and then only its own rules count.
import { parseRuleOptions } from './parse-rule.js';
import { tokenize } from './tokenize.js';
import type { Rule } from './types.js';

const NEW = '-m conntrack --ctstate NEW';
const JUMPS: readonly [table: string, from: string, to: string, comment: string, extra: string][] = [
  ['filter', 'INPUT', 'KUBE-FIREWALL', '', ''],
  ['filter', 'INPUT', 'KUBE-PROXY-FIREWALL', 'kubernetes load balancer firewall', NEW],
  ['filter', 'INPUT', 'KUBE-NODEPORTS', 'kubernetes health check service ports', ''],
  ['filter', 'INPUT', 'KUBE-EXTERNAL-SERVICES', 'kubernetes externally-visible service portals', NEW],
  ['filter', 'FORWARD', 'KUBE-PROXY-FIREWALL', 'kubernetes load balancer firewall', NEW],
  ['filter', 'FORWARD', 'KUBE-FORWARD', 'kubernetes forwarding rules', ''],
  ['filter', 'FORWARD', 'KUBE-SERVICES', 'kubernetes service portals', NEW],
  ['filter', 'FORWARD', 'KUBE-EXTERNAL-SERVICES', 'kubernetes externally-visible service portals', NEW],
  ['filter', 'OUTPUT', 'KUBE-FIREWALL', '', ''],
  ['filter', 'OUTPUT', 'KUBE-PROXY-FIREWALL', 'kubernetes load balancer firewall', NEW],
  ['filter', 'OUTPUT', 'KUBE-SERVICES', 'kubernetes service portals', NEW],
  ['nat', 'PREROUTING', 'KUBE-SERVICES', 'kubernetes service portals', ''],
  ['nat', 'OUTPUT', 'KUBE-SERVICES', 'kubernetes service portals', ''],
  ['nat', 'POSTROUTING', 'KUBE-POSTROUTING', 'kubernetes postrouting rules', ''],
];

/**
 * The IPVS proxier's iptablesJumpChain (pkg/proxy/ipvs/proxier.go), each prepended with
 * EnsureRule(Prepend), so a built-in chain shows them in reverse list order.
 */
const IPVS_JUMPS: readonly [table: string, from: string, to: string, comment: string, extra: string][] = [
  ['filter', 'INPUT', 'KUBE-IPVS-FILTER', 'kubernetes ipvs access filter', ''],
  ['filter', 'INPUT', 'KUBE-PROXY-FIREWALL', 'kube-proxy firewall rules', ''],
  ['filter', 'INPUT', 'KUBE-NODE-PORT', 'kubernetes health check rules', ''],
  ['filter', 'FORWARD', 'KUBE-PROXY-FIREWALL', 'kube-proxy firewall rules', ''],
  ['filter', 'FORWARD', 'KUBE-FORWARD', 'kubernetes forwarding rules', ''],
  ['filter', 'OUTPUT', 'KUBE-IPVS-OUT-FILTER', 'kubernetes ipvs access filter', ''],
  ['nat', 'PREROUTING', 'KUBE-SERVICES', 'kubernetes service portals', ''],
  ['nat', 'OUTPUT', 'KUBE-SERVICES', 'kubernetes service portals', ''],
  ['nat', 'POSTROUTING', 'KUBE-POSTROUTING', 'kubernetes postrouting rules', ''],
];

export type JumpSet = 'iptables' | 'ipvs';

/** The implicit rules of `table`'s built-in `chain`, limited to targets the text declares. */
export function implicitRules(
  table: string,
  chain: string,
  declared: (name: string) => boolean,
  jumps: JumpSet = 'iptables',
): Rule[] {
  const out: Rule[] = [];
  for (const [t, from, to, comment, extra] of jumps === 'ipvs' ? IPVS_JUMPS : JUMPS) {
    if (t !== table || from !== chain || !declared(to)) continue;
    const text = `-A ${from}${extra ? ` ${extra}` : ''}${comment ? ` -m comment --comment "${comment}"` : ''} -j ${to}`;
    const parsed = parseRuleOptions(tokenize(text).slice(2));
    out.push({ line: 0, text: `${text}  (implicit: kube-proxy adds it outside the payload)`, ...parsed });
  }
  return out;
}

/** kube-proxy's jump rules as restore text per table ("-A INPUT ..."), for loading into a test kernel. */
export function kubeProxyJumpRules(
  table: string,
  declared: (name: string) => boolean,
  jumps: JumpSet = 'iptables',
): string[] {
  return (jumps === 'ipvs' ? IPVS_JUMPS : JUMPS)
    .filter(([t, , to]) => t === table && declared(to))
    .map(
      ([, from, to, comment, extra]) =>
        `-A ${from}${extra ? ` ${extra}` : ''}${comment ? ` -m comment --comment "${comment}"` : ''} -j ${to}`,
    );
}
