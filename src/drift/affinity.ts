// ClientIP affinity by what it does: a first connection is committed (the rule set records the
// client), then a second one from the same client, `delay` seconds later on the emulated clock, is
// enumerated: with affinity in force every way leads to the first connection's endpoint.
import { type Chooser, type Dataplane, type EmulatedClock, outcomesOf, type Packet } from '../dataplane/index.js';

/**
 * A chooser that takes the k-th random branch: the k-th `statistic` rule's chance (later ones are
 * never asked), or numgen's k-th element. So the first connection can be sent to each endpoint.
 */
export function branch(k: number): Chooser {
  let calls = 0;
  return { chance: () => calls++ === k, pick: (n) => k % n };
}

/** undefined when the first connection reaches no endpoint (nothing to stick to). */
export function sticksAfter(
  dp: Dataplane,
  clock: EmulatedClock,
  packet: Packet,
  src: string,
  delay: number,
  k = 0,
): boolean | undefined {
  dp.flushConntrack();
  const first = dp.trace({ ...packet, src, sport: 41000 }, branch(k), true, false);
  if (first.endpoint === null) return undefined;
  clock.advance(delay);
  const again = outcomesOf(dp, { ...packet, src, sport: 41001 });
  dp.flushConntrack();
  return again.every((o) => o.trace.endpoint === first.endpoint);
}

/** How many endpoints the connection can go to (with fewer than two, stickiness cannot show). */
export function endpointCount(dp: Dataplane, packet: Packet): number {
  return new Set(outcomesOf(dp, packet).flatMap((o) => (o.trace.endpoint === null ? [] : [o.trace.endpoint]))).size;
}

/**
 * The longest delay (seconds, up to `max`) after which a client still sticks: the affinity timeout
 * the rule set really has. `nextSrc` gives a fresh client per try, so no try sees another's state.
 */
export function affinityTimeout(
  dp: Dataplane,
  clock: EmulatedClock,
  packet: Packet,
  nextSrc: () => string,
  max: number,
  k = 0,
): number {
  let lo = 0;
  let hi = max;
  if (sticksAfter(dp, clock, packet, nextSrc(), hi, k)) return hi;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (sticksAfter(dp, clock, packet, nextSrc(), mid, k)) lo = mid;
    else hi = mid;
  }
  return lo;
}
