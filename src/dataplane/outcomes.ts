// Every way a new connection can go, with its probability: the evaluator is run once per branch of
// each random choice it meets (statistic, numgen), depth first. This is what lists all endpoints of
// a Service and gives the expected split that sampled connections are compared with.
import type { Chooser, Trace } from './packet.js';

export interface Outcome {
  readonly trace: Trace;
  readonly probability: number;
}

/** Runs `run` once per branch; throws past `limit` outcomes (a ruleset that branches without end). */
export function enumerateOutcomes(run: (chooser: Chooser) => Trace, limit = 100_000): Outcome[] {
  const out: Outcome[] = [];
  const stack: number[][] = [[]];
  while (stack.length > 0) {
    const prefix = stack.pop()!;
    const taken: number[] = [];
    let probability = 1;
    // Branch weights at each decision point, so the prefix's probability is known on replay.
    const decide = (weights: readonly number[]): number => {
      const i = taken.length;
      let b: number;
      if (i < prefix.length) b = prefix[i]!;
      else {
        b = weights.findIndex((w) => w > 0);
        for (let k = weights.length - 1; k > b; k--) if (weights[k]! > 0) stack.push([...taken, k]);
      }
      taken.push(b);
      probability *= weights[b]!;
      return b;
    };
    const chooser: Chooser = {
      chance: (p) => decide([p, 1 - p]) === 0,
      pick: (n) => decide(Array.from({ length: n }, () => 1 / n)),
    };
    out.push({ trace: run(chooser), probability });
    if (out.length > limit) throw new Error(`more than ${limit} outcomes`);
  }
  return out;
}
