// What drift reports: per service port, problems in words with the rule lines behind them.
import type { Step } from '../dataplane/index.js';

export type ProblemKind =
  | 'endpoint-missing'
  | 'endpoint-extra'
  | 'probability'
  | 'masquerade'
  | 'verdict'
  | 'affinity'
  | 'affinity-timeout'
  | 'extra-chain';

export interface ProblemLine {
  /** "expected": the rules kube-proxy should have programmed (rendered); "actual": the dump. */
  readonly side: 'expected' | 'actual';
  readonly line: number;
  readonly text: string;
}

export interface Problem {
  readonly kind: ProblemKind;
  readonly expected: string;
  readonly actual: string;
  readonly lines: ProblemLine[];
}

export interface ServiceDrift {
  /** kube-proxy's ServicePortName: "ns/name:port" (or "ns/name" for an unnamed port). */
  readonly service: string;
  readonly problems: Problem[];
}

export interface UnknownChain {
  readonly chain: string;
  readonly table: string;
  readonly line: number;
  /** The service port or endpoint it seems to belong to (comment or hash), when known. */
  readonly label?: string;
}

export interface DriftReport {
  readonly drift: boolean;
  readonly services: ServiceDrift[];
  readonly unknownChains: UnknownChain[];
}

export function linesOf(side: 'expected' | 'actual', steps: readonly Step[]): ProblemLine[] {
  return steps.filter((s) => s.line > 0).map((s) => ({ side, line: s.line, text: s.text }));
}
