// What both modes' evaluators offer, and the runs built on them: one connection with a seeded
// choice, every branch with its probability, or N sampled connections against that expectation.
import type { Clock } from './clock.js';
import { enumerateOutcomes, type Outcome } from './outcomes.js';
import type { Chooser, Packet, Trace } from './packet.js';
import { type Random, seededRandom } from './random.js';
import { chiSquareP } from './stats.js';

export interface Dataplane {
  /**
   * One packet; with `commit`, state changes as in the kernel (conntrack, affinity, counters).
   * With `record` false the path is left empty (sampling many connections needs only the outcome).
   */
  trace(packet: Packet, chooser: Chooser, commit?: boolean, record?: boolean): Trace;
  flushConntrack(): void;
  /**
   * Where many new connections like `packet` go, when that is not the branches of random choices
   * (a scheduler with memory, like IPVS's); otherwise the branches give it.
   */
  expectedSplit?(packet: Packet): Map<string, number>;
}

export function randomChooser(random: Random): Chooser {
  return { chance: (p) => random() < p, pick: (n) => Math.floor(random() * n) };
}

/** Every way a new connection like `packet` can go, without changing any state. */
export function outcomesOf(dp: Dataplane, packet: Packet): Outcome[] {
  return enumerateOutcomes((chooser) => dp.trace(packet, chooser, false));
}

/** The key a connection is counted under: its endpoint, or its verdict when not DNATed. */
export function outcomeKey(t: Trace): string {
  return t.endpoint ?? t.verdict;
}

export function expectedSplit(outcomes: readonly Outcome[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of outcomes) out.set(outcomeKey(o.trace), (out.get(outcomeKey(o.trace)) ?? 0) + o.probability);
  return out;
}

export interface SampleResult {
  counts: Map<string, number>;
  expected: Map<string, number>;
  chiSquareP: number;
  first: Trace;
  /** Rules the kernel would have walked, summed over the connections. */
  rulesVisited: number;
}

/**
 * `count` new connections from `packet.src`, source ports counting up from packet.sport (wrapping
 * within 1024..65535), with choices from a generator seeded by `seed`. Affinity state carries from
 * one connection to the next, as it would on a node.
 */
export function sampleConnections(
  dp: Dataplane,
  packet: Packet,
  count: number,
  seed: number,
  recordAll = false,
): SampleResult {
  const expected = dp.expectedSplit ? dp.expectedSplit(packet) : expectedSplit(outcomesOf(dp, packet));
  const chooser = randomChooser(seededRandom(seed));
  const counts = new Map<string, number>();
  let first: Trace | undefined;
  let rulesVisited = 0;
  for (let i = 0; i < count; i++) {
    const sport = 1024 + ((packet.sport - 1024 + i + 64512) % 64512);
    const t = dp.trace({ ...packet, sport }, chooser, true, recordAll || i === 0);
    first ??= t;
    rulesVisited += t.rulesVisited;
    const k = outcomeKey(t);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  if (!first) first = dp.trace(packet, chooser, false);
  return { counts, expected, chiSquareP: chiSquareP(counts, expected), first, rulesVisited };
}

/** What loading rule text into a dataplane needs: the node's LOCAL addresses and a clock. */
export interface LoadOptions {
  localAddresses: readonly string[];
  clock?: Clock;
}
