// Pods of a namespace indexed by label pair, so the EndpointSlice controller's selector match looks
// at the Pods carrying the selector's rarest pair instead of every Pod of the namespace (10k
// Services x 150k Pods would otherwise be 10^9 label checks).
import type { Pod } from '../cluster/types.js';

export class PodIndex {
  private readonly byNamespace = new Map<string, Pod[]>();
  private readonly byPair = new Map<string, Pod[]>();

  /** `pods` in the order slices list them (name order). */
  constructor(pods: readonly Pod[]) {
    for (const p of pods) {
      const ns = p.metadata.namespace ?? 'default';
      push(this.byNamespace, ns, p);
      for (const [k, v] of Object.entries(p.metadata.labels ?? {})) push(this.byPair, pairKey(ns, k, v), p);
    }
  }

  /** Pods that may match `selector` in `ns` (a superset; the caller still checks), in input order. */
  candidates(ns: string, selector: Readonly<Record<string, string>>): readonly Pod[] {
    let best: readonly Pod[] | undefined;
    for (const [k, v] of Object.entries(selector)) {
      const list = this.byPair.get(pairKey(ns, k, v)) ?? [];
      if (!best || list.length < best.length) best = list;
    }
    return best ?? this.byNamespace.get(ns) ?? [];
  }
}

function pairKey(ns: string, k: string, v: string): string {
  return `${ns}\u0000${k}\u0000${v}`;
}

function push(m: Map<string, Pod[]>, key: string, p: Pod): void {
  const list = m.get(key);
  if (list) list.push(p);
  else m.set(key, [p]);
}
