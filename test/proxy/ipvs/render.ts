// Test helper: render a fixture through the IPVS syncer (full sync, and a full-then-partial pair).
import { loadManifests } from '../../../src/cluster/load.js';
import type { ClusterObject, IPFamily } from '../../../src/cluster/types.js';
import { resolveProxyConfig } from '../../../src/proxy/config.js';
import type { IpvsMemo } from '../../../src/proxy/ipvs/memo.js';
import { ipvsMode } from '../../../src/proxy/ipvs/mode.js';
import type { Profile, SyncResult } from '../../../src/proxy/mode.js';
import { buildProxyState, ProxyTracker } from '../../../src/proxy/state.js';

export interface RenderOptions {
  family?: IPFamily;
  profile?: Profile;
  scheduler?: string;
  format?: 'text' | 'json';
  node?: string;
}

export async function objectsOf(paths: readonly string[]): Promise<ClusterObject[]> {
  const r = await loadManifests(paths);
  return r.objects;
}

function syncer(o: RenderOptions) {
  return ipvsMode.createSyncer({
    family: o.family ?? 'IPv4',
    profile: o.profile ?? 'default',
    format: o.format ?? 'text',
    scheduler: o.scheduler,
  });
}

export function renderFull(objects: readonly ClusterObject[], o: RenderOptions = {}): SyncResult<IpvsMemo> {
  const family = o.family ?? 'IPv4';
  const config = resolveProxyConfig(objects, { node: o.node });
  const state = buildProxyState(objects, family, config);
  const s = syncer(o);
  return s.sync(state, { full: true, services: new Set() }, s.initialMemo, 0);
}

/** Full sync of `from`, then the tracker's changes to `to` as one partial sync. */
export function renderPartial(
  from: readonly ClusterObject[],
  to: readonly ClusterObject[],
  o: RenderOptions = {},
): { full: SyncResult<IpvsMemo>; partial: SyncResult<IpvsMemo> } {
  const family = o.family ?? 'IPv4';
  const config = resolveProxyConfig(from, { node: o.node });
  const tracker = new ProxyTracker(family, config);
  for (const obj of from) tracker.upsert(obj);
  const s = syncer(o);
  const first = tracker.sync();
  const full = s.sync(first.state, first.changes, s.initialMemo, 0);
  const key = (x: ClusterObject) => `${x.kind}/${x.metadata?.namespace ?? ''}/${x.metadata?.name}`;
  const next = new Set(to.map(key));
  for (const obj of from) if (!next.has(key(obj))) tracker.delete(obj);
  for (const obj of to) tracker.upsert(obj);
  const second = tracker.sync();
  const partial = s.sync(second.state, second.changes, full.memo, 1);
  return { full, partial };
}

export function part(r: SyncResult<IpvsMemo>, name: string): string {
  return r.payloads.find((p) => p.part === name)?.text ?? '';
}
