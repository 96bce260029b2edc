// One check target's two answers side by side: what the emulator predicts for a new connection
// from the lab's client (every branch with its probability, affinity, masquerading) and what the
// kernel did with N real connections. Outcomes are named as the probe names them: the endpoint
// that answered ("ip:port"), REFUSED (a reset or an ICMP unreachable) or TIMEOUT (no answer).
import { chiSquareP } from '../../dataplane/stats.js';

export interface Prediction {
  /** Probe outcome -> probability, for one new connection. */
  readonly split: ReadonlyMap<string, number>;
  /** Repeated connections from one client all reach one endpoint (ClientIP affinity). */
  readonly sticky: boolean;
  /** Whether answered connections are masqueraded; "mixed" when branches differ. */
  readonly masquerade: boolean | 'mixed';
}

export interface Observation {
  /** Probe outcome -> connections. */
  readonly counts: ReadonlyMap<string, number>;
  /** Answered connections whose endpoint saw another source than the client's. */
  readonly masqueraded: number;
  /** Answered connections whose endpoint saw the client's own address. */
  readonly kept: number;
}

export interface Comparison {
  readonly agree: boolean;
  /** p of the kernel's counts against the predicted split (1 with a single outcome). */
  readonly chiSquareP: number;
  /** Why they disagree, one sentence each (empty when they agree). */
  readonly problems: readonly string[];
}

/** Below this p the kernel's split is taken to differ from the emulator's. */
export const MIN_P = 0.001;

export function isAnswer(outcome: string): boolean {
  return outcome !== 'REFUSED' && outcome !== 'TIMEOUT' && !outcome.startsWith('ERROR:') && outcome !== 'EMPTY';
}

export function compare(predicted: Prediction, observed: Observation): Comparison {
  const problems: string[] = [];
  const possible = [...predicted.split].filter(([, p]) => p > 0).map(([k]) => k);
  const unexpected = [...observed.counts.keys()].filter((k) => !possible.includes(k));
  if (unexpected.length > 0)
    problems.push(`the kernel gave ${unexpected.join(', ')}, which the emulator never predicts`);
  let p = 1;
  if (predicted.sticky) {
    // Affinity: one endpoint for every connection, one of those the emulator can pick.
    if (observed.counts.size !== 1)
      problems.push(`affinity: the emulator keeps one endpoint, the kernel used ${observed.counts.size}`);
  } else {
    p = chiSquareP(observed.counts, predicted.split);
    if (unexpected.length === 0 && p < MIN_P)
      problems.push(`the kernel's split differs from the predicted one (chi-square p = ${p.toPrecision(3)})`);
  }
  const answered = observed.masqueraded + observed.kept;
  if (answered > 0 && predicted.masquerade !== 'mixed') {
    const want = predicted.masquerade;
    const wrong = want ? observed.kept : observed.masqueraded;
    if (wrong > 0)
      problems.push(
        `masquerade: the emulator says ${want ? 'masqueraded' : 'source kept'}, the kernel ${want ? 'kept the source' : 'masqueraded'} on ${wrong} of ${answered}`,
      );
  }
  return { agree: problems.length === 0, chiSquareP: p, problems };
}
