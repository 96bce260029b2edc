// The nftables proxy mode: kube-proxy's nftables proxier (the v1.35 line) as a pure renderer, with
// text (`nft -f`) and libnftables JSON (`nft -j -f`) encodings of the same transaction.
import type { ClusterObject, IPFamily } from '../../cluster/types.js';
import { UsageError } from '../../errors.js';
import type {
  DiffRequest,
  DiffResult,
  ProxyMode,
  RulesRequest,
  RulesResult,
  SyncRenderer,
  SyncRendererOptions,
} from '../modes.js';
import { buildProxyState, ProxyTracker } from '../state.js';
import { FULL_SYNC } from '../types.js';
import { type NftProfile, serviceCIDRsOf } from './proxier-config.js';
import { NftMemo, type NftRenderOptions, type NftSync, type NftSyncSummary, renderSync } from './render.js';
import { Transaction, toJSON, toText } from './transaction.js';

function profileOf(p: string): NftProfile {
  if (p === 'default' || p === 'kube-proxy-test') return p;
  throw new UsageError(`--profile: ${JSON.stringify(p)} must be default or kube-proxy-test`);
}

/** One payload for a sync: the stale-chain deletions (if any) followed by the main transaction. */
export function encodeSync(sync: Pick<NftSync, 'pre' | 'main'>, format: 'text' | 'json'): string {
  if (format === 'text') return toText(sync.pre) + toText(sync.main);
  if (sync.pre.size === 0) return toJSON(sync.main);
  const both = new Transaction(sync.main.family, sync.main.table);
  both.append(sync.pre);
  both.append(sync.main);
  return toJSON(both);
}

function stats(sync: NftSync): Record<string, number> {
  let chains = 0;
  let elements = 0;
  const { verbs, objects } = sync.main;
  for (let i = 0; i < objects.length; i++) {
    if (verbs[i] !== 'add') continue;
    if (objects[i]!.kind === 'chain') chains++;
    else if (objects[i]!.kind === 'element') elements++;
  }
  return {
    operations: sync.pre.size + sync.main.size,
    rules: sync.main.countRules(),
    chains,
    elements,
    noLocalEndpointsInternal: sync.summary.noLocalEndpointsInternal,
    noLocalEndpointsExternal: sync.summary.noLocalEndpointsExternal,
  };
}

function optionsFor(
  objects: readonly ClusterObject[],
  family: IPFamily,
  profile: string,
  format: string,
): NftRenderOptions {
  return {
    family,
    profile: profileOf(profile),
    json: format === 'json',
    serviceCIDRs: serviceCIDRsOf(objects, family),
  };
}

export function summaryLines(s: NftSyncSummary): string[] {
  const lines = [
    `${s.full ? 'full' : 'partial'} sync: ${s.services.length} service(s) written${s.services.length ? `: ${s.services.join(', ')}` : ''}`,
    ...(s.removed.length ? [`services removed: ${s.removed.join(', ')}`] : []),
    `chains added: ${s.chainsAddedCount}${s.chainsAdded.length ? ` (${s.chainsAdded.join(', ')})` : ''}`,
    `chains flushed and refilled: ${s.chainsRewritten}`,
    `stale chains flushed: ${s.staleFlushed.length}${s.staleFlushed.length ? ` (${s.staleFlushed.join(', ')})` : ''}`,
    `affinity sets deleted: ${s.affinitySetsDeleted.length}`,
    `elements added: ${s.elementsAdded}, deleted: ${s.elementsDeleted}`,
  ];
  return lines;
}

function keyOf(o: ClusterObject): string {
  return `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

export const nftablesMode: ProxyMode = {
  renderRules(req: RulesRequest): RulesResult {
    const opts = optionsFor(req.objects, req.family, req.profile, req.format);
    const state = buildProxyState(req.objects, req.family, req.config);
    const sync = renderSync(state, FULL_SYNC, new NftMemo(), opts);
    return { text: encodeSync(sync, req.format), stats: stats(sync) };
  },

  renderDiff(req: DiffRequest): DiffResult {
    const opts = optionsFor(req.to, req.family, req.profile, req.format);
    const tracker = new ProxyTracker(req.family, req.config);
    for (const o of req.from) tracker.upsert(o);
    const memo = new NftMemo();
    renderSync(tracker.sync().state, FULL_SYNC, memo, opts);
    const toKeys = new Set(req.to.map(keyOf));
    for (const o of req.from) if (!toKeys.has(keyOf(o))) tracker.delete(o);
    for (const o of req.to) tracker.upsert(o);
    const next = tracker.sync();
    const sync = renderSync(next.state, next.changes, memo, opts);
    // kube-proxy deletes the chains it flushed here in a later transaction (>= 1 s later, for
    // kernels before 6.2); we append those deletions so the payload leaves the final state.
    const later = new Transaction(sync.main.family);
    for (const c of memo.stale) later.delete({ kind: 'chain', name: c });
    memo.stale = new Set();
    let text: string;
    if (req.format === 'json') {
      const all = new Transaction(sync.main.family);
      all.append(sync.pre);
      all.append(sync.main);
      all.append(later);
      text = toJSON(all);
    } else {
      text = encodeSync(sync, 'text');
      if (later.size > 0) text += `# later transaction: delete the stale chains flushed above\n${toText(later)}`;
    }
    const summary = [...summaryLines(sync.summary), `stale chains deleted: ${later.size}`];
    return { text, summary, stats: { ...stats(sync), staleChainsDeleted: later.size } };
  },

  createSyncRenderer(options: SyncRendererOptions): SyncRenderer {
    const memo = new NftMemo();
    const opts: NftRenderOptions = {
      family: options.family,
      profile: profileOf(options.profile),
      json: options.format === 'json',
      serviceCIDRs: [],
    };
    return {
      sync(state, changes) {
        const sync = renderSync(state, changes, memo, opts);
        return { payload: encodeSync(sync, options.format), rules: sync.main.countRules() };
      },
    };
  },

  async measureKernelApply(payload: string): Promise<number | null> {
    const { timeNftApply } = await import('../../lab/nft-apply.js');
    return timeNftApply(payload);
  },
};
