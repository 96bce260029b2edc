// The cluster state every component reads: an object store with resourceVersions and watch events,
// shaped after the Kubernetes API so a Redis-backed store can implement the same interface.
import type { ClusterKind, ClusterObject } from './types.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  type: WatchEventType;
  object: ClusterObject;
  /** The store's resourceVersion after this event. */
  resourceVersion: number;
}

export interface StoreSnapshot {
  resourceVersion: number;
  objects: ClusterObject[];
}

export interface WatchOptions {
  /** Deliver events after this resourceVersion first (default: only new events). */
  sinceResourceVersion?: number;
}

export interface Watch {
  stop(): void;
}

export interface ClusterStore {
  /** Insert or replace objects as one atomic change; returns the new resourceVersion. */
  upsert(objects: readonly ClusterObject[]): Promise<number>;
  /** Delete one object; returns the new resourceVersion, or undefined when it did not exist. */
  delete(kind: ClusterKind, key: string): Promise<number | undefined>;
  get(kind: ClusterKind, key: string): Promise<ClusterObject | undefined>;
  list(kind?: ClusterKind): Promise<ClusterObject[]>;
  snapshot(): Promise<StoreSnapshot>;
  watch(onEvent: (event: WatchEvent) => void, options?: WatchOptions): Promise<Watch>;
  close(): Promise<void>;
}

/** Store key of an object: "Kind/namespace/name" or "Kind/name". */
export function storeKey(kind: string, key: string): string {
  return `${kind}/${key}`;
}
