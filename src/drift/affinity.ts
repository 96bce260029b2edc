// ClientIP affinity by what it does: a first connection is committed (the rule set records the
// client), then a second one from the same client, `delay` seconds later on the emulated clock, is
// enumerated: with affinity in force every way leads to the first connection's endpoint.
import { type Dataplane, type EmulatedClock, outcomesOf, type Packet } from '../dataplane/index.js';

const FIRST_BRANCH = { chance: () => true, pick: () => 0 };

/** undefined when the first connection reaches no endpoint (nothing to stick to). */
export function sticksAfter(
  dp: Dataplane,
  clock: EmulatedClock,
  packet: Packet,
  src: string,
  delay: number,
): boolean | undefined {
  dp.flushConntrack();
  const first = dp.trace({ ...packet, src, sport: 41000 }, FIRST_BRANCH, true, false);
  if (first.endpoint === null) return undefined;
  clock.advance(delay);
  const again = outcomesOf(dp, { ...packet, src, sport: 41001 });
  dp.flushConntrack();
  return again.every((o) => o.trace.endpoint === first.endpoint);
}

/** Whether the connection can go to more than one endpoint at all (else stickiness cannot show). */
export function hasChoice(dp: Dataplane, packet: Packet): boolean {
  const endpoints = new Set(outcomesOf(dp, packet).map((o) => o.trace.endpoint));
  return endpoints.size > 1;
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
): number {
  let lo = 0;
  let hi = max;
  if (sticksAfter(dp, clock, packet, nextSrc(), hi)) return hi;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (sticksAfter(dp, clock, packet, nextSrc(), mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
