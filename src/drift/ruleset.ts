// One side of a drift check: rule text parsed once, loaded into an evaluator on its own emulated
// clock, and the per-service chains it declares (to find the ones no connection reaches).

import { type Dataplane, EmulatedClock, IptablesDataplane, parseIptables } from '../dataplane/index.js';
import { NftablesDataplane } from '../dataplane/nftables/evaluate.js';
import { parseNftJson } from '../dataplane/nftables/parse-json.js';
import { parseNftText } from '../dataplane/nftables/parse-text.js';
import { RuleParseError } from '../errors.js';

export type DriftMode = 'iptables' | 'nftables';

export interface DeclaredChain {
  readonly chain: string;
  readonly table: string;
  readonly line: number;
  /** Rule texts of the chain (for the comments that name a service). */
  readonly rules: readonly { line: number; text: string }[];
}

export interface LoadedRules {
  readonly dp: Dataplane;
  readonly clock: EmulatedClock;
  readonly chains: readonly DeclaredChain[];
  /** recent --seconds T still matches after exactly T s; an nftables timeout of T has expired. */
  readonly stickyAtTimeout: boolean;
}

/** kube-proxy's per-service iptables chains, current (SVC, SVL, EXT, FW, SEP) and older (XLB). */
export const IPTABLES_SERVICE_CHAIN = /^KUBE-(?:SVC|SVL|EXT|FW|SEP|XLB)-/;
/** kube-proxy's per-service nftables chains (readable names). */
export const NFT_SERVICE_CHAIN = /^(?:service|local|external|endpoint|firewall)-[A-Z2-7]{8}-/;

function notADump(problem: string): RuleParseError {
  return new RuleParseError(1, 1, problem, '');
}

export function loadRules(mode: DriftMode, text: string, localAddresses: readonly string[]): LoadedRules {
  const clock = new EmulatedClock(1_000_000);
  const chains: DeclaredChain[] = [];
  if (mode === 'iptables') {
    const parsed = parseIptables(text);
    if (parsed.tables.size === 0) throw notADump('not an iptables-save dump: no table (*nat, *filter) in it');
    for (const t of parsed.tables.values())
      for (const c of t.chains.values())
        if (IPTABLES_SERVICE_CHAIN.test(c.name))
          chains.push({ chain: c.name, table: t.name, line: c.line, rules: c.rules });
    return { dp: new IptablesDataplane(parsed, { localAddresses, clock }), clock, chains, stickyAtTimeout: true };
  }
  const json = text.trimStart().startsWith('{');
  const parsed = json ? parseNftJson(text) : parseNftText(text);
  if (parsed.tables.size === 0) throw notADump('not an nftables ruleset: no table in it');
  for (const t of parsed.tables.values())
    for (const c of t.chains.values())
      if (NFT_SERVICE_CHAIN.test(c.name))
        chains.push({ chain: c.name, table: `${t.family} ${t.name}`, line: c.line, rules: c.rules });
  return { dp: new NftablesDataplane(parsed, { localAddresses, clock }), clock, chains, stickyAtTimeout: false };
}
