// The parsed form of iptables rules: each match and target kube-proxy has ever written, as data.
import type { Cidr } from '../address.js';

export interface PortRange {
  readonly from: number;
  readonly to: number;
}

export type Match =
  | { kind: 'source'; negated: boolean; cidr: Cidr }
  | { kind: 'destination'; negated: boolean; cidr: Cidr }
  | { kind: 'protocol'; negated: boolean; protocol: string }
  | { kind: 'in-interface'; negated: boolean; name: string }
  | { kind: 'out-interface'; negated: boolean; name: string }
  | { kind: 'dport'; negated: boolean; range: PortRange }
  | { kind: 'sport'; negated: boolean; range: PortRange }
  | { kind: 'addrtype'; negated: boolean; which: 'src' | 'dst'; type: 'LOCAL' }
  | { kind: 'mark'; negated: boolean; value: number; mask: number }
  | { kind: 'ctstate'; negated: boolean; states: readonly string[] }
  | { kind: 'random'; probability: number }
  | { kind: 'nth'; every: number; packet: number }
  | { kind: 'recent'; op: 'rcheck' | 'set' | 'update'; name: string; seconds?: number; reap: boolean; rdest: boolean }
  | { kind: 'set'; negated: boolean; name: string; dirs: readonly ('src' | 'dst')[] }
  /** Bridged traffic is not modelled: a packet never arrived through a bridge port. */
  | { kind: 'physdev'; negated: boolean; option: 'is-in' | 'is-bridged' }
  /** xt_ipvs: the packet belongs to an IPVS connection (with that virtual address, protocol, port). */
  | { kind: 'ipvs'; negated: boolean; vaddr?: Cidr; vproto?: string; vport?: number }
  | { kind: 'ignored'; note: string };

export type Target =
  | { kind: 'jump'; chain: string }
  | { kind: 'goto'; chain: string }
  | { kind: 'ACCEPT' | 'DROP' | 'RETURN' }
  | { kind: 'REJECT'; with?: string }
  | { kind: 'DNAT'; host?: string; port?: number }
  | { kind: 'SNAT'; host: string; port?: number }
  | { kind: 'MASQUERADE'; randomFully: boolean }
  | { kind: 'MARK'; op: 'set-xmark' | 'or' | 'xor' | 'and'; value: number; mask: number }
  | { kind: 'none' };

export interface Rule {
  readonly line: number;
  readonly text: string;
  readonly matches: readonly Match[];
  readonly target: Target;
}

export interface Chain {
  readonly name: string;
  /** Built-in chains have a policy (ACCEPT / DROP); user chains return to their caller. */
  policy: 'ACCEPT' | 'DROP' | undefined;
  /** The line that declared the chain (0 when only implied). */
  readonly line: number;
  rules: Rule[];
}

export interface Table {
  readonly name: string;
  readonly chains: Map<string, Chain>;
}

export interface IptablesRuleset {
  readonly tables: Map<string, Table>;
  /** The text's lines, for error context at evaluation time. */
  readonly lineCount: number;
}

export const BUILTIN_CHAINS: Record<string, readonly string[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};
