// The in-memory ClusterStore: the default for manifest files, and the one test double.
import { StoreError } from '../errors.js';
import type { ClusterStore, StoreSnapshot, Watch, WatchEvent, WatchOptions } from './store.js';
import { storeKey } from './store.js';
import type { ClusterKind, ClusterObject } from './types.js';
import { objectKey } from './types.js';

/** How many past events a watch may resume from. */
const HISTORY_LIMIT = 10_000;

export class MemoryClusterStore implements ClusterStore {
  private readonly objects = new Map<string, ClusterObject>();
  private readonly history: WatchEvent[] = [];
  private readonly watchers = new Set<(e: WatchEvent) => void>();
  private resourceVersion = 0;

  constructor(initial: readonly ClusterObject[] = []) {
    for (const o of initial) this.objects.set(storeKey(o.kind, objectKey(o)), o);
    if (initial.length > 0) this.resourceVersion = 1;
  }

  private emit(event: WatchEvent): void {
    this.history.push(event);
    if (this.history.length > HISTORY_LIMIT) this.history.splice(0, this.history.length - HISTORY_LIMIT);
    for (const w of this.watchers) w(event);
  }

  async upsert(objects: readonly ClusterObject[]): Promise<number> {
    if (objects.length === 0) return this.resourceVersion;
    const rv = ++this.resourceVersion;
    for (const o of objects) {
      const k = storeKey(o.kind, objectKey(o));
      const type = this.objects.has(k) ? 'MODIFIED' : 'ADDED';
      this.objects.set(k, o);
      this.emit({ type, object: o, resourceVersion: rv });
    }
    return rv;
  }

  async delete(kind: ClusterKind, key: string): Promise<number | undefined> {
    const k = storeKey(kind, key);
    const o = this.objects.get(k);
    if (!o) return undefined;
    this.objects.delete(k);
    const rv = ++this.resourceVersion;
    this.emit({ type: 'DELETED', object: o, resourceVersion: rv });
    return rv;
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
    if (since !== undefined) {
      const oldest = this.history[0]?.resourceVersion;
      if (since < this.resourceVersion && (oldest === undefined || since < oldest - 1)) {
        throw new StoreError(`resourceVersion ${since} is too old to watch from (oldest kept: ${oldest ?? 'none'})`);
      }
      for (const e of this.history) if (e.resourceVersion > since) onEvent(e);
    }
    this.watchers.add(onEvent);
    return { stop: () => this.watchers.delete(onEvent) };
  }

  async close(): Promise<void> {
    this.watchers.clear();
  }
}
