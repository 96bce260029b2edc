// The proxy commands written once over the mode seam: the full sync a node starts with, and the
// partial sync a change between two cluster states makes (what `rules` and `diff` print). Pure:
// objects in, sync results out; the clock is the caller's.
import type { ClusterObject, IPFamily } from '../cluster/types.js';
import { type ProxyConfigFlags, resolveProxyConfig, selectNodeName } from './config.js';
import type { Payload, ProxyMode, SyncerOptions, SyncResult } from './mode.js';
import { ProxyTracker } from './state.js';
import { FULL_SYNC } from './types.js';

/** A tracker for one family that has taken in `objects` and follows the node's config with `flags`. */
export function trackerFor(objects: readonly ClusterObject[], family: IPFamily, flags: ProxyConfigFlags): ProxyTracker {
  const config = resolveProxyConfig(objects, flags);
  const tracker = new ProxyTracker(family, config, { flags });
  for (const o of objects) tracker.upsert(o);
  return tracker;
}

/** The first sync of a node holding `objects`. */
export function renderFullSync<M>(
  mode: ProxyMode<M>,
  objects: readonly ClusterObject[],
  flags: ProxyConfigFlags,
  options: SyncerOptions,
  now = 0,
): SyncResult<M> {
  const syncer = mode.createSyncer(options);
  const { state } = trackerFor(objects, options.family, flags).sync();
  return syncer.sync(state, FULL_SYNC, syncer.initialMemo, now);
}

export interface ReplayedDiff<M> {
  /** The full sync of the old state: what the kernel holds before. */
  before: SyncResult<M>;
  /** The sync the change makes. */
  after: SyncResult<M>;
  /** For modes with deferred cleanup: the next (empty) sync, which finishes the change. */
  later: SyncResult<M> | undefined;
  /** The Services the tracker reported changed. */
  changedServices: string[];
}

function identity(o: ClusterObject): string {
  return `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

/**
 * A node that synced `from` fully, then saw the store change to `to`: the old objects missing from
 * `to` are deleted, the others upserted, through the shared tracker, and one sync follows at once
 * (so a large-cluster cleanup is not due yet), as kube-proxy would after its informers caught up.
 */
export function replayDiff<M>(
  mode: ProxyMode<M>,
  from: readonly ClusterObject[],
  to: readonly ClusterObject[],
  flags: ProxyConfigFlags,
  options: SyncerOptions,
  now = 0,
): ReplayedDiff<M> {
  // The node is chosen once, from the new state; both states are rendered for it.
  const node = selectNodeName(to, flags.node);
  const nodeFlags = { ...flags, node };
  const syncer = mode.createSyncer(options);
  const tracker = trackerFor(from, options.family, nodeFlags);
  const first = tracker.sync();
  const before = syncer.sync(first.state, first.changes, syncer.initialMemo, now);
  const kept = new Set(to.map(identity));
  for (const o of from) if (!kept.has(identity(o))) tracker.delete(o);
  for (const o of to) tracker.upsert(o);
  const next = tracker.sync();
  const after = syncer.sync(next.state, next.changes, before.memo, now);
  let later: SyncResult<M> | undefined;
  if (mode.deferredCleanup) {
    const idle = tracker.sync();
    later = syncer.sync(idle.state, idle.changes, after.memo, now);
  }
  return { before, after, later, changedServices: [...next.changes.services].sort() };
}

/**
 * What `diff` prints of a replayed change: the change's payloads, each joined with the same part of
 * the later sync for modes that finish a change one sync later, and the summary lines.
 */
export function diffPayloads<M>(
  mode: ProxyMode<M>,
  d: ReplayedDiff<M>,
  format: 'text' | 'json',
): { payloads: Payload[]; summary: string[] } {
  const summary = [...d.after.summary];
  const later = d.later;
  if (!later) return { payloads: [...d.after.payloads], summary };
  const payloads = d.after.payloads.map((p) => {
    const next = later.payloads.find((x) => x.part === p.part);
    if (!next) return p;
    return mode.joinLater ? mode.joinLater(p, next, format) : { ...p, text: p.text + next.text };
  });
  summary.push(`stale chains deleted: ${later.stats.staleChainsDeleted ?? 0}`);
  return { payloads, summary };
}
