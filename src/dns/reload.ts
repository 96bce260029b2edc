// Bring a store in line with a freshly loaded object set, as one atomic replace (one resourceVersion:
// a watcher never sees half an edit). Used by `dns serve --watch` after the edited manifests validated.
import type { ClusterStore } from '../cluster/store.js';
import { planReplace, storeKey } from '../cluster/store.js';
import type { ClusterObject } from '../cluster/types.js';
import { objectKey } from '../cluster/types.js';

export interface SyncResult {
  upserted: number;
  deleted: number;
}

export async function syncStore(store: ClusterStore, objects: readonly ClusterObject[]): Promise<SyncResult> {
  const keyOf = (o: ClusterObject) => storeKey(o.kind, objectKey(o));
  const current = new Map<string, ClusterObject>();
  for (const o of await store.list()) current.set(keyOf(o), o);
  // Counted for the log line only; the store plans the same change again, atomically.
  const plan = planReplace(current, objects, keyOf);
  await store.replace(objects);
  const deleted = plan.filter((e) => e.type === 'DELETED').length;
  return { upserted: plan.length - deleted, deleted };
}
