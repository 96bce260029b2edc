// Upstream's iptables packet tracer (proxier_test.go tracePacket) answered by src/dataplane: every
// branch of each `-m statistic` choice is followed (so all endpoints are listed, in rule order),
// over our payload with kube-proxy's implicit jumps from the built-in chains. A packet from one of
// the node's addresses is traced from the output hook, any other from prerouting.
import { type Hook, IptablesDataplane, outcomesOf, parseIptables } from '../../../src/dataplane/index.js';
import type { IptablesRuleset } from '../../../src/dataplane/iptables/types.js';

export interface TraceResult {
  /** Endpoints ("ip:port, ip:port"), or ACCEPT / DROP / REJECT, or "" (no rule decided). */
  output: string;
  masq: boolean;
  /** The rules that matched, in order (for failure messages). */
  matches: string[];
}

export type ParsedPayload = IptablesRuleset;

export const parsePayload = (text: string): ParsedPayload => parseIptables(text);

export function tracePacket(
  payload: ParsedPayload,
  source: string,
  protocol: string,
  destination: string,
  dport: number,
  nodeIPs: readonly string[],
): TraceResult {
  const local = new Set(['127.0.0.1', '::1', ...nodeIPs]);
  const dp = new IptablesDataplane(payload, { localAddresses: nodeIPs });
  const hook: Hook = local.has(source) ? 'output' : 'prerouting';
  const outcomes = outcomesOf(dp, {
    proto: protocol as 'tcp',
    src: source,
    sport: 40000,
    dst: destination,
    dport,
    hook,
  });
  const endpoints: string[] = [];
  const verdicts = new Set<string>();
  let masq = false;
  const matches: string[] = [];
  for (const { trace } of outcomes) {
    if (trace.endpoint && !endpoints.includes(trace.endpoint)) endpoints.push(trace.endpoint);
    if (trace.verdict === 'DROP' || trace.verdict === 'REJECT') verdicts.add(trace.verdict);
    if (trace.verdict === 'ACCEPT' && trace.path.some((s) => s.rule !== 'policy' && s.text.endsWith('-j ACCEPT')))
      verdicts.add('ACCEPT');
    masq ||= trace.masquerade;
    matches.push(
      ...trace.path.map((s) => `${s.table} ${s.chain} #${s.rule}: ${s.text}`),
      `=> ${trace.verdict} ${trace.endpoint ?? ''}`,
    );
  }
  return { output: [...endpoints, ...verdicts].join(', '), masq, matches };
}
