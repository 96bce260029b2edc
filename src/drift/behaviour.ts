// What one rule set does with one probe connection: every way it can go (endpoint or verdict) with
// its probability, whether it is masqueraded, and the rule lines on the way. Worked out by the
// data-plane evaluators over the rule text, so two rule sets are compared by what they do.
import { type Dataplane, outcomeKey, outcomesOf, type Packet, type Step } from '../dataplane/index.js';

export interface Way {
  /** "ip:port" for a DNAT, else the verdict (REJECT, DROP, ACCEPT). */
  readonly key: string;
  readonly isEndpoint: boolean;
  probability: number;
  masquerade: boolean;
  readonly steps: Step[];
}

export interface Behaviour {
  readonly ways: Map<string, Way>;
  /** Chains the connection passed through (to find chains no connection reaches). */
  readonly chains: Set<string>;
  /** Some rule on the way keeps affinity state (recent lists, nft affinity sets). */
  readonly mentionsAffinity: boolean;
}

export const AFFINITY_TEXT = /\s--(?:set|rcheck|update)\b|\s-m recent\b|@affinity|update @/;

/** Rules of the service's own chains, and rules elsewhere that name its address or port. */
function aboutService(s: Step, packet: Packet): boolean {
  return (
    /^KUBE-(?:SVC|SVL|EXT|FW|SEP|XLB)-|^(?:service|local|external|endpoint|firewall)-/.test(s.chain) ||
    s.text.includes(packet.dst) ||
    s.text.includes(`dport ${packet.dport} `)
  );
}

export function observe(dp: Dataplane, packet: Packet): Behaviour {
  const ways = new Map<string, Way>();
  const chains = new Set<string>();
  let mentionsAffinity = false;
  for (const o of outcomesOf(dp, packet)) {
    const key = outcomeKey(o.trace);
    let way = ways.get(key);
    if (!way) {
      way = { key, isEndpoint: o.trace.endpoint !== null, probability: 0, masquerade: false, steps: [] };
      ways.set(key, way);
    }
    way.probability += o.probability;
    way.masquerade ||= o.trace.masquerade;
    for (const s of o.trace.path) {
      chains.add(s.chain);
      if (s.line > 0 && aboutService(s, packet) && !way.steps.some((x) => x.line === s.line)) way.steps.push(s);
      if (!mentionsAffinity && AFFINITY_TEXT.test(s.text)) mentionsAffinity = true;
    }
  }
  return { ways, chains, mentionsAffinity };
}
