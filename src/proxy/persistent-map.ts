// A map whose versions never change: each edit makes a new version that shares everything it did
// not touch. Memos of consecutive syncs are such versions, so a sync never spoils the memo it
// started from (a failed kernel apply is retried from the old one) and a partial sync still costs
// only what it changes. Versions are layers over a base Map; a deep stack of layers is folded
// into a new base, so reads stay a few lookups.

const GONE: unique symbol = Symbol('gone');
type Slot<V> = V | typeof GONE;

/** Layers read through before a new version is folded into a fresh base. */
const MAX_DEPTH = 12;

export class PersistentMap<K, V> {
  private flat: Map<K, V> | undefined;

  private constructor(
    private readonly own: ReadonlyMap<K, Slot<V>>,
    private readonly parent: PersistentMap<K, V> | undefined,
    private readonly depth: number,
    readonly size: number,
  ) {}

  static empty<K, V>(): PersistentMap<K, V> {
    return new PersistentMap<K, V>(new Map(), undefined, 0, 0);
  }

  /** A version holding exactly these entries (the map is taken over: do not change it after). */
  static of<K, V>(entries: Map<K, V>): PersistentMap<K, V> {
    return new PersistentMap<K, V>(entries, undefined, 0, entries.size);
  }

  get(key: K): V | undefined {
    for (let m: PersistentMap<K, V> | undefined = this; m; m = m.parent) {
      const v = m.own.get(key);
      if (v !== undefined) return v === GONE ? undefined : v;
    }
    return undefined;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  /** Every entry, as one Map (computed once per version; callers must not change it). */
  toMap(): ReadonlyMap<K, V> {
    if (this.flat) return this.flat;
    if (!this.parent) {
      // A base holds no tombstones.
      this.flat = this.own as Map<K, V>;
      return this.flat;
    }
    // One copy of the nearest flattened ancestor, then the layers above it in order (copying at
    // every layer would cost the map's size once per layer).
    const layers: PersistentMap<K, V>[] = [];
    let m: PersistentMap<K, V> = this;
    while (m.flat === undefined && m.parent) {
      layers.push(m);
      m = m.parent;
    }
    const out = new Map(m.toMap());
    for (let i = layers.length - 1; i >= 0; i--)
      for (const [k, v] of layers[i]!.own) {
        if (v === GONE) out.delete(k);
        else out.set(k, v);
      }
    this.flat = out;
    return out;
  }

  keys(): IterableIterator<K> {
    return this.toMap().keys();
  }

  values(): IterableIterator<V> {
    return this.toMap().values();
  }

  entries(): IterableIterator<[K, V]> {
    return this.toMap().entries();
  }

  /** Start a new version from this one; nothing here changes. */
  edit(): PersistentMapEditor<K, V> {
    return new PersistentMapEditor(this);
  }

  /** @internal used by the editor */
  static derive<K, V>(base: PersistentMap<K, V>, changes: Map<K, Slot<V>>, size: number): PersistentMap<K, V> {
    if (changes.size === 0) return base;
    const layered = new PersistentMap<K, V>(changes, base, base.depth + 1, size);
    if (layered.depth <= MAX_DEPTH && changes.size * 4 < base.size) return layered;
    return PersistentMap.of(new Map(layered.toMap()));
  }
}

/** The changes of one version in the making: reads see them, the source version does not. */
export class PersistentMapEditor<K, V> {
  private readonly changes = new Map<K, Slot<V>>();
  private count: number;

  constructor(private readonly source: PersistentMap<K, V>) {
    this.count = source.size;
  }

  get(key: K): V | undefined {
    const v = this.changes.get(key);
    if (v !== undefined) return v === GONE ? undefined : v;
    return this.source.get(key);
  }

  set(key: K, value: V): void {
    if (this.get(key) === undefined) this.count++;
    this.changes.set(key, value);
  }

  delete(key: K): void {
    if (this.get(key) === undefined) return;
    this.count--;
    this.changes.set(key, GONE);
  }

  get size(): number {
    return this.count;
  }

  done(): PersistentMap<K, V> {
    return PersistentMap.derive(this.source, this.changes, this.count);
  }
}
