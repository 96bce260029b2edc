// A small persistent map for memos: a shared base plus a copied delta, so a partial sync makes a
// new map in O(changes) (amortised) and the map it started from stays valid.
const GONE = Symbol('gone');

export class PMap<V> {
  private constructor(
    private readonly base: ReadonlyMap<string, V>,
    private readonly delta: ReadonlyMap<string, V | typeof GONE>,
  ) {}

  static of<V>(entries: Map<string, V>): PMap<V> {
    return new PMap(entries, new Map());
  }

  get(key: string): V | undefined {
    const d = this.delta.get(key);
    if (d === GONE) return undefined;
    return d !== undefined ? d : this.base.get(key);
  }

  /** A new map with `changes` applied (undefined deletes). */
  with(changes: ReadonlyMap<string, V | undefined>): PMap<V> {
    if (changes.size === 0) return this;
    const delta = new Map(this.delta);
    for (const [k, v] of changes) delta.set(k, v === undefined ? GONE : v);
    if (delta.size * 8 <= this.base.size || delta.size < 512) return new PMap(this.base, delta);
    const base = new Map(this.base);
    for (const [k, v] of delta) {
      if (v === GONE) base.delete(k);
      else base.set(k, v);
    }
    return new PMap(base, new Map());
  }

  *entries(): IterableIterator<[string, V]> {
    for (const [k, v] of this.delta) if (v !== GONE) yield [k, v];
    for (const [k, v] of this.base) if (!this.delta.has(k)) yield [k, v];
  }
}
