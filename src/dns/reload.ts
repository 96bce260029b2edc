// Bring a store in line with a freshly loaded object set: upsert what is new or changed, delete
// what is gone. Used by `dns serve --watch` after the edited manifests validated.
import type { ClusterStore } from '../cluster/store.js';
import type { ClusterObject } from '../cluster/types.js';
import { objectKey } from '../cluster/types.js';

export interface SyncResult {
  upserted: number;
  deleted: number;
}

export async function syncStore(store: ClusterStore, objects: readonly ClusterObject[]): Promise<SyncResult> {
  const current = new Map<string, ClusterObject>();
  for (const o of await store.list()) current.set(`${o.kind}/${objectKey(o)}`, o);
  const changed: ClusterObject[] = [];
  const seen = new Set<string>();
  for (const o of objects) {
    const k = `${o.kind}/${objectKey(o)}`;
    seen.add(k);
    const old = current.get(k);
    if (!old || JSON.stringify(old) !== JSON.stringify(o)) changed.push(o);
  }
  await store.upsert(changed);
  let deleted = 0;
  for (const [k, o] of current) {
    if (seen.has(k)) continue;
    await store.delete(o.kind, objectKey(o));
    deleted++;
  }
  return { upserted: changed.length, deleted };
}
