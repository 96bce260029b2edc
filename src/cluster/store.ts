// The cluster state every component reads: an object store with resourceVersions and watch events,
// shaped after the Kubernetes API so the memory and Redis stores implement one interface.
import type { ResourceVersionGoneError, StoreError } from '../errors.js';
import type { ClusterKind, ClusterObject } from './types.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  type: WatchEventType;
  object: ClusterObject;
  /** The store's resourceVersion after this event; every event of one batch carries the same one. */
  resourceVersion: number;
}

export interface StoreSnapshot {
  resourceVersion: number;
  objects: ClusterObject[];
}

export interface WatchOptions {
  /**
   * Deliver the events after this resourceVersion first (default: only new events). When the store
   * no longer keeps them, watch() rejects with ResourceVersionGoneError.
   */
  sinceResourceVersion?: number;
  /**
   * The watch ended on its own and delivers nothing more: it fell so far behind that its position
   * was trimmed (ResourceVersionGoneError: re-list), or the store failed for good.
   */
  onClose?: (err: ResourceVersionGoneError | StoreError) => void;
  /**
   * A network store lost its connection (`up` false, with why) or got it back: the watch keeps
   * going and resumes where it was, but a consumer may want to say it is stale meanwhile.
   */
  onConnection?: (up: boolean, err?: unknown) => void;
}

export interface Watch {
  stop(): void;
}

export interface ClusterStore {
  /** Insert or replace objects as one atomic change (one resourceVersion); returns it. */
  upsert(objects: readonly ClusterObject[]): Promise<number>;
  /**
   * Make the stored set exactly `objects`, as one atomic change: ADDED for new objects, MODIFIED for
   * changed ones, DELETED for the rest, all under one resourceVersion. Unchanged objects get no event;
   * when nothing changes the resourceVersion stays. Returns the (new) resourceVersion.
   */
  replace(objects: readonly ClusterObject[]): Promise<number>;
  /** Delete one object; returns the new resourceVersion, or undefined when it did not exist. */
  delete(kind: ClusterKind, key: string): Promise<number | undefined>;
  get(kind: ClusterKind, key: string): Promise<ClusterObject | undefined>;
  list(kind?: ClusterKind): Promise<ClusterObject[]>;
  /** Every object and the resourceVersion they were read at, consistently (no change half seen). */
  snapshot(): Promise<StoreSnapshot>;
  watch(onEvent: (event: WatchEvent) => void, options?: WatchOptions): Promise<Watch>;
  close(): Promise<void>;
}

/** Store key of an object: "Kind/namespace/name" or "Kind/name". */
export function storeKey(kind: string, key: string): string {
  return `${kind}/${key}`;
}

export interface PlannedEvent {
  type: WatchEventType;
  object: ClusterObject;
}

/**
 * The events that turn `current` (store key -> object) into exactly `next`: one pure plan shared by
 * every store's replace(), so they agree on what counts as a change (deep JSON equality) and on the
 * order (deletions first, then additions and modifications in the order given).
 */
export function planReplace(
  current: ReadonlyMap<string, ClusterObject>,
  next: readonly ClusterObject[],
  keyOf: (o: ClusterObject) => string,
): PlannedEvent[] {
  const wanted = new Map<string, ClusterObject>();
  for (const o of next) wanted.set(keyOf(o), o);
  const events: PlannedEvent[] = [];
  for (const [k, o] of current) if (!wanted.has(k)) events.push({ type: 'DELETED', object: o });
  for (const [k, o] of wanted) {
    const old = current.get(k);
    if (!old) events.push({ type: 'ADDED', object: o });
    else if (JSON.stringify(old) !== JSON.stringify(o)) events.push({ type: 'MODIFIED', object: o });
  }
  return events;
}
