// A partial sync between two cluster states: the full sync of the old state is rendered first
// (that is what the kernel holds), then the old objects are replaced by the new ones through the
// shared change tracker, and the Services it reports changed are rewritten, as kube-proxy does.
import type { ClusterObject, IPFamily } from '../../cluster/types.js';
import type { ProxyConfig } from '../config.js';
import { ProxyTracker } from '../state.js';
import type { IptablesOptions } from './options.js';
import { EMPTY_MEMO, type Rendered, render } from './render.js';

function identity(o: ClusterObject): string {
  return `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

export interface PartialSync {
  before: Rendered;
  after: Rendered;
  changedServices: string[];
}

export function partialSync(
  from: readonly ClusterObject[],
  to: readonly ClusterObject[],
  family: IPFamily,
  config: ProxyConfig,
  opt: IptablesOptions,
): PartialSync {
  const tracker = new ProxyTracker(family, config);
  for (const o of from) tracker.upsert(o);
  const first = tracker.sync();
  const before = render(first.state, { full: true, services: new Set() }, EMPTY_MEMO, opt, { trackChains: true });
  const kept = new Set(to.map(identity));
  for (const o of from) if (!kept.has(identity(o))) tracker.delete(o);
  for (const o of to) tracker.upsert(o);
  const next = tracker.sync();
  // A node topology change would force a full sync in kube-proxy; the tracker reports it. The
  // second sync follows the first at once, so a large-cluster cleanup is not due yet.
  const after = render(next.state, next.changes, before.memo, opt, { trackChains: true, cleanupDue: false });
  return { before, after, changedServices: [...next.changes.services].sort() };
}

export function summarize(p: PartialSync): string[] {
  const list = (xs: readonly string[]) => (xs.length ? `: ${[...xs].sort().join(' ')}` : '');
  return [
    `services rewritten (${p.changedServices.length})${list(p.changedServices)}`,
    `chains added (${p.after.added.length})${list(p.after.added)}`,
    `chains rewritten (${p.after.rewritten.length})${list(p.after.rewritten)}`,
    `chains deleted (${p.after.deleted.length})${list(p.after.deleted)}`,
    `rules in payload: filter ${p.after.stats.filterRules}, nat ${p.after.stats.natRules}; skipped nat rules of unchanged services: ${p.after.stats.skippedNatRules}`,
  ];
}
