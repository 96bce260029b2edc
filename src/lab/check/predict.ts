// The emulator's side of a lab check: one target's new connection from the lab's client traced
// over the same rule text the kernel holds, named the way the probe names what it sees.

import { hostPort } from '../../dataplane/address.js';
import { type Dataplane, outcomesOf, randomChooser, seededRandom } from '../../dataplane/index.js';
import type { Packet, Trace } from '../../dataplane/packet.js';
import { isAnswer, type Prediction } from './compare.js';

export interface PredictContext {
  /** Addresses the node holds: an ACCEPTed packet to one is answered by the node itself. */
  readonly local: ReadonlySet<string>;
  /** "ip:port" the lab serves (every endpoint, node-IP ones included). */
  readonly served: ReadonlySet<string>;
}

/** What the probe would see for a connection the emulator gives this trace. */
export function probeOutcome(t: Trace, p: Packet, ctx: PredictContext): string {
  if (t.verdict === 'DNAT') return t.endpoint!;
  if (t.verdict === 'REJECT') return 'REFUSED';
  if (t.verdict === 'DROP') return 'TIMEOUT';
  // Accepted untranslated: routed to the node's own socket (answered, or refused when nothing
  // listens there), or on into the lab's dead-end default route.
  const here = hostPort(p.dst, p.dport);
  if (!ctx.local.has(p.dst)) return 'TIMEOUT';
  return ctx.served.has(here) ? here : 'REFUSED';
}

/**
 * `fresh()` must give a dataplane with no state (conntrack, affinity): `connections` connections
 * are run through it to see whether repeated connections from one client stick to one endpoint.
 */
export function predict(fresh: () => Dataplane, packet: Packet, connections: number, ctx: PredictContext): Prediction {
  const split = new Map<string, number>();
  const masq = new Set<boolean>();
  for (const o of outcomesOf(fresh(), packet)) {
    const k = probeOutcome(o.trace, packet, ctx);
    split.set(k, (split.get(k) ?? 0) + o.probability);
    if (isAnswer(k) && o.probability > 0) masq.add(o.trace.masquerade);
  }
  const answers = [...split.keys()].filter(isAnswer);
  let sticky = false;
  if (answers.length > 1) {
    const dp = fresh();
    const chooser = randomChooser(seededRandom(1));
    const reached = new Set<string>();
    for (let i = 0; i < connections; i++)
      reached.add(probeOutcome(dp.trace({ ...packet, sport: packet.sport + i }, chooser, true, false), packet, ctx));
    sticky = reached.size === 1;
  }
  return { split, sticky, masquerade: masq.size === 1 ? [...masq][0]! : masq.size === 0 ? false : 'mixed' };
}
