// The data-plane emulator: rule text (rendered by us or dumped from a node) in, a packet's fate out.
// It never imports a renderer, so what it reads is only ever text.
export { type Address, hostPort, parseAddress, splitHostPort } from './address.js';
export { type Clock, EmulatedClock } from './clock.js';
export {
  type Dataplane,
  expectedSplit,
  outcomeKey,
  outcomesOf,
  randomChooser,
  type SampleResult,
  sampleConnections,
} from './dataplane.js';
export { IptablesDataplane, type IptablesOptions } from './iptables/evaluate.js';
export { parseIptables } from './iptables/parse.js';
export type { IptablesRuleset } from './iptables/types.js';
export type { Outcome } from './outcomes.js';
export type { Chooser, Hook, Packet, Protocol, Step, Trace, Verdict } from './packet.js';
export { type Random, seededRandom } from './random.js';
export { chiSquareP } from './stats.js';
