// The kernel walks a chain rule by rule; KUBE-SERVICES has one rule per service port, so a trace
// over 10k Services would too. Rules that match one exact destination, protocol and port (and
// nothing with a side effect) are indexed by that key; the others stay in order. A lookup yields
// the rule numbers the walk could match, in chain order, and the walk still reports how many rules
// the kernel would have looked at.
import type { Chain, Rule } from './types.js';

export interface ChainIndex {
  /** Positions of rules that can match a packet with this key, ascending. */
  candidates(dst: string, proto: string, dport: number): readonly number[];
}

const MIN_RULES = 16;

/** "dst proto port" for a rule with all three; "* proto port" for one without a destination (KUBE-NODEPORTS). */
function keyOf(r: Rule): string | undefined {
  let dst: string | undefined;
  let proto: string | undefined;
  let port: number | undefined;
  for (const m of r.matches) {
    if (m.kind === 'random' || m.kind === 'nth' || m.kind === 'recent') return undefined;
    if (m.kind === 'destination' && !m.negated && m.cidr.prefix === (m.cidr.v6 ? 128 : 32))
      dst = m.cidr.text.replace(/\/\d+$/, ''); // "-d 10.0.0.1" and iptables-save's "-d 10.0.0.1/32" alike
    else if (m.kind === 'protocol' && !m.negated) proto = m.protocol;
    else if (m.kind === 'dport' && !m.negated && m.range.from === m.range.to) port = m.range.from;
  }
  if (proto === undefined || port === undefined) return undefined;
  if (dst !== undefined) return `${dst} ${proto} ${port}`;
  // Any other destination match (a CIDR, a negation) keeps the rule in order with the rest.
  return r.matches.some((m) => m.kind === 'destination') ? undefined : `* ${proto} ${port}`;
}

export function indexChain(chain: Chain): ChainIndex | undefined {
  if (chain.rules.length < MIN_RULES) return undefined;
  const keyed = new Map<string, number[]>();
  const rest: number[] = [];
  chain.rules.forEach((r, i) => {
    const k = keyOf(r);
    if (k === undefined) rest.push(i);
    else {
      const list = keyed.get(k);
      if (list) list.push(i);
      else keyed.set(k, [i]);
    }
  });
  const merged = new Map<string, number[]>();
  return {
    candidates(dst, proto, dport) {
      const k = `${dst} ${proto} ${dport}`;
      const hit = keyed.get(k);
      const any = keyed.get(`* ${proto} ${dport}`);
      if (!hit && !any) return rest;
      let m = merged.get(k);
      if (!m) {
        m = [...(hit ?? []), ...(any ?? []), ...rest].sort((a, b) => a - b);
        merged.set(k, m);
      }
      return m;
    },
  };
}
