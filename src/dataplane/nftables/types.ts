// The parsed form of an nftables ruleset: tables, base chains with hook and priority, sets and
// maps with their elements, and rules as lists of statements kube-proxy writes.
export type Selector =
  | 'ip saddr'
  | 'ip daddr'
  | 'ip6 saddr'
  | 'ip6 daddr'
  | 'meta l4proto'
  | 'th dport'
  | 'th sport'
  | 'tcp dport'
  | 'udp dport'
  | 'sctp dport'
  | 'ct state'
  | 'fib saddr type'
  | 'fib daddr type'
  | 'meta mark'
  | 'iifname'
  | 'oifname'
  | 'meta nfproto';

export type Value =
  | { kind: 'literal'; text: string }
  | { kind: 'set-ref'; name: string }
  | { kind: 'anon-set'; items: readonly string[] };

export type Verdict =
  | { kind: 'jump' | 'goto'; chain: string }
  | { kind: 'accept' | 'drop' | 'reject' | 'return' | 'continue' };

export type Statement =
  | { kind: 'match'; selector: Selector; mask?: number; negated: boolean; value: Value }
  | { kind: 'vmap'; keys: readonly Selector[]; map: { name: string } | { entries: ReadonlyMap<string, Verdict> } }
  | { kind: 'lookup'; keys: readonly Selector[]; set: string; negated: boolean }
  | { kind: 'numgen-vmap'; mod: number; entries: ReadonlyMap<string, Verdict> }
  | { kind: 'verdict'; verdict: Verdict }
  | { kind: 'dnat'; host: string; port?: number }
  | { kind: 'masquerade' }
  | { kind: 'mark-set'; op: 'or' | 'xor' | 'and' | 'set'; value: number }
  | { kind: 'update-set'; set: string; key: readonly Selector[] }
  | { kind: 'counter' };

export interface NftRule {
  readonly line: number;
  readonly text: string;
  readonly statements: readonly Statement[];
}

export interface NftChain {
  readonly table: string;
  readonly name: string;
  base?: { type: string; hook: string; priority: number; policy: 'accept' | 'drop' };
  rules: NftRule[];
  line: number;
}

export interface NftElement {
  /** Key parts, canonical text (addresses, protocol names, port numbers), CIDRs for intervals. */
  readonly key: readonly string[];
  readonly verdict?: Verdict;
  /** Seconds on the emulated clock after which the element is gone (dynamic sets). */
  expires?: number;
}

export interface NftSet {
  readonly table: string;
  readonly name: string;
  readonly isMap: boolean;
  /** Seconds, for timeout sets. */
  timeout?: number;
  elements: Map<string, NftElement>;
  /** Interval / CIDR elements, matched one by one. */
  intervals: NftElement[];
}

export interface NftTable {
  readonly family: string;
  readonly name: string;
  readonly chains: Map<string, NftChain>;
  readonly sets: Map<string, NftSet>;
}

export interface NftRuleset {
  /** Keyed "family name". */
  readonly tables: Map<string, NftTable>;
}
