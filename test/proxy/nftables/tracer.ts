// Upstream's nftables packet tracer (helpers_test.go tracePacket) answered by src/dataplane over the
// replayed table's dump (the text knftables' Fake.Dump() prints): every numgen branch is followed,
// so the output lists all endpoints. A packet from one of the node's addresses is traced from the
// output hook, any other from prerouting.
import { type Hook, outcomesOf } from '../../../src/dataplane/index.js';
import { NftablesDataplane } from '../../../src/dataplane/nftables/evaluate.js';
import { parseNftText } from '../../../src/dataplane/nftables/parse-text.js';
import type { NftModel } from './nft-model.js';

export interface TraceResult {
  output: string;
  masq: boolean;
  matches: string[];
}

/** Where a new connection from src to dst:dport ends: endpoints ("a, b"), "DROP", "REJECT" or "". */
export function tracePacket(
  model: NftModel,
  src: string,
  proto: string,
  dst: string,
  dport: number,
  nodeIPs: readonly string[],
): TraceResult {
  const dp = new NftablesDataplane(parseNftText(model.dump()), { localAddresses: nodeIPs });
  const local = new Set(['127.0.0.1', '::1', ...nodeIPs]);
  const hook: Hook = local.has(src) ? 'output' : 'prerouting';
  const outcomes = outcomesOf(dp, { proto: proto as 'tcp', src, sport: 40000, dst, dport, hook });
  const endpoints: string[] = [];
  const verdicts = new Set<string>();
  let masq = false;
  const matches: string[] = [];
  for (const { trace } of outcomes) {
    if (trace.endpoint && !endpoints.includes(trace.endpoint)) endpoints.push(trace.endpoint);
    if (trace.verdict === 'DROP' || trace.verdict === 'REJECT') verdicts.add(trace.verdict);
    masq ||= trace.masquerade;
    matches.push(
      ...trace.path.map((s) => `${s.chain} #${s.rule}: ${s.text}`),
      `=> ${trace.verdict} ${trace.endpoint ?? ''}`,
    );
  }
  return { output: [...endpoints, ...verdicts].join(', '), masq, matches };
}
