// What every mode's evaluator takes and returns: one packet of a connection, and its fate.
export type Protocol = 'tcp' | 'udp' | 'sctp';
export type Hook = 'prerouting' | 'output';

export interface Packet {
  readonly proto: Protocol;
  readonly src: string;
  readonly sport: number;
  readonly dst: string;
  readonly dport: number;
  /** prerouting: from a pod or from outside; output: from a process on the node. */
  readonly hook: Hook;
  /** The interface it came in on (prerouting), when rules look at -i / iifname. */
  readonly inIface?: string;
}

export type Verdict = 'DNAT' | 'ACCEPT' | 'DROP' | 'REJECT';

/** One rule (or policy) that decided something on the way. `line` is 0 for implicit rules. */
export interface Step {
  readonly table: string;
  readonly chain: string;
  /** 1-based position in its chain, or "policy". */
  readonly rule: number | 'policy';
  readonly line: number;
  readonly text: string;
}

export interface Trace {
  readonly verdict: Verdict;
  /** The DNAT destination ("ip:port"), or null. */
  readonly endpoint: string | null;
  readonly masquerade: boolean;
  readonly path: readonly Step[];
  /** Things the evaluator noticed but does not model (an nfacct counter, a missing interface). */
  readonly notes: readonly string[];
  /** True when conntrack already knew the flow and reused its translation. */
  readonly established: boolean;
  /** Rules the kernel would have evaluated one by one. */
  readonly rulesVisited: number;
}

/** A choice the evaluator leaves to chance (statistic, numgen). Returns the branch taken. */
export interface Chooser {
  /** True with probability p. */
  chance(p: number): boolean;
  /** An integer in [0, n). */
  pick(n: number): number;
}

export function connKey(p: Packet): string {
  return `${p.proto} ${p.src}:${p.sport} ${p.dst}:${p.dport}`;
}
