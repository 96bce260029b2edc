// The in-memory ClusterStore: the default for manifest files, and the one test double.
import { ResourceVersionGoneError } from '../errors.js';
import type { ClusterStore, StoreSnapshot, Watch, WatchEvent, WatchEventType, WatchOptions } from './store.js';
import { planReplace, storeKey } from './store.js';
import type { ClusterKind, ClusterObject } from './types.js';
import { objectKey } from './types.js';

/** How many past events a watch may resume from, unless the constructor says otherwise. */
const HISTORY_LIMIT = 10_000;

const keyOf = (o: ClusterObject) => storeKey(o.kind, objectKey(o));

export interface MemoryStoreOptions {
  /** Past events kept for watches that resume from a resourceVersion. */
  historyLimit?: number;
}

export class MemoryClusterStore implements ClusterStore {
  private readonly objects = new Map<string, ClusterObject>();
  private readonly history: WatchEvent[] = [];
  private readonly watchers = new Set<(e: WatchEvent) => void>();
  private readonly historyLimit: number;
  private resourceVersion = 0;

  constructor(initial: readonly ClusterObject[] = [], options: MemoryStoreOptions = {}) {
    this.historyLimit = options.historyLimit ?? HISTORY_LIMIT;
    for (const o of initial) this.objects.set(keyOf(o), o);
    if (initial.length > 0) this.resourceVersion = 1;
  }

  /** Apply a batch under one new resourceVersion; watchers see it only once it is complete. */
  private commit(batch: readonly { type: WatchEventType; object: ClusterObject }[]): number {
    if (batch.length === 0) return this.resourceVersion;
    const rv = ++this.resourceVersion;
    const events = batch.map((e) => ({ ...e, resourceVersion: rv }));
    for (const e of events) {
      if (e.type === 'DELETED') this.objects.delete(keyOf(e.object));
      else this.objects.set(keyOf(e.object), e.object);
    }
    this.history.push(...events);
    if (this.history.length > this.historyLimit) {
      // Trim whole batches only, so the oldest resourceVersion kept is complete.
      let cut = this.history.length - this.historyLimit;
      const lastCut = this.history[cut - 1]!.resourceVersion;
      while (cut < this.history.length && this.history[cut]!.resourceVersion === lastCut) cut++;
      this.history.splice(0, cut);
    }
    for (const e of events) for (const w of this.watchers) w(e);
    return rv;
  }

  async upsert(objects: readonly ClusterObject[]): Promise<number> {
    // Within one batch a later object with the same key wins, and the first one decides the type.
    const seen = new Set<string>();
    const batch = objects.map((object) => {
      const k = keyOf(object);
      const type: WatchEventType = this.objects.has(k) || seen.has(k) ? 'MODIFIED' : 'ADDED';
      seen.add(k);
      return { type, object };
    });
    return this.commit(batch);
  }

  async replace(objects: readonly ClusterObject[]): Promise<number> {
    return this.commit(planReplace(this.objects, objects, keyOf));
  }

  async delete(kind: ClusterKind, key: string): Promise<number | undefined> {
    const o = this.objects.get(storeKey(kind, key));
    if (!o) return undefined;
    return this.commit([{ type: 'DELETED', object: o }]);
  }

  async get(kind: ClusterKind, key: string): Promise<ClusterObject | undefined> {
    return this.objects.get(storeKey(kind, key));
  }

  async list(kind?: ClusterKind): Promise<ClusterObject[]> {
    const all = [...this.objects.values()];
    return kind ? all.filter((o) => o.kind === kind) : all;
  }

  async snapshot(): Promise<StoreSnapshot> {
    return { resourceVersion: this.resourceVersion, objects: [...this.objects.values()] };
  }

  async watch(onEvent: (event: WatchEvent) => void, options: WatchOptions = {}): Promise<Watch> {
    const since = options.sinceResourceVersion;
    if (since !== undefined && since < this.resourceVersion) {
      // The history must still hold the first event after `since`.
      const oldest = this.history[0]?.resourceVersion;
      if (oldest === undefined || since < oldest - 1) throw new ResourceVersionGoneError(since, oldest);
      for (const e of this.history) if (e.resourceVersion > since) onEvent(e);
    }
    this.watchers.add(onEvent);
    return { stop: () => this.watchers.delete(onEvent) };
  }

  async close(): Promise<void> {
    this.watchers.clear();
  }
}
