// The nftables proxy mode: kube-proxy's nftables proxier (the v1.35 line) as a pure syncer, with
// text (`nft -f`) and libnftables JSON (`nft -j -f`) encodings of the same transaction.
import type { Payload, ProxyMode, Syncer, SyncerOptions, SyncResult } from '../mode.js';
import type { ProxyState } from '../state.js';
import type { ChangeSet } from '../types.js';
import { EMPTY_NFT_MEMO, type NftMemo, type NftSync, type NftSyncSummary, renderSync } from './render.js';
import { Transaction, toJSON, toText } from './transaction.js';

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
    staleChainsDeleted: sync.pre.size,
    noLocalEndpointsInternal: sync.summary.noLocalEndpointsInternal,
    noLocalEndpointsExternal: sync.summary.noLocalEndpointsExternal,
  };
}

export function summaryLines(s: NftSyncSummary): string[] {
  return [
    `${s.full ? 'full' : 'partial'} sync: ${s.services.length} service(s) written${s.services.length ? `: ${s.services.join(', ')}` : ''}`,
    ...(s.removed.length ? [`services removed: ${s.removed.join(', ')}`] : []),
    `chains added: ${s.chainsAddedCount}${s.chainsAdded.length ? ` (${s.chainsAdded.join(', ')})` : ''}`,
    `chains flushed and refilled: ${s.chainsRewritten}`,
    `stale chains flushed: ${s.staleFlushed.length}${s.staleFlushed.length ? ` (${s.staleFlushed.join(', ')})` : ''}`,
    ...(s.staleDeleted.length ? [`stale chains deleted: ${s.staleDeleted.length}`] : []),
    `affinity sets deleted: ${s.affinitySetsDeleted.length}`,
    `elements added: ${s.elementsAdded}, deleted: ${s.elementsDeleted}`,
  ];
}

function createNftablesSyncer(options: SyncerOptions): Syncer<NftMemo> {
  const json = options.format === 'json';
  return {
    initialMemo: EMPTY_NFT_MEMO,
    sync(state: ProxyState, changes: ChangeSet, memo: NftMemo): SyncResult<NftMemo> {
      const sync = renderSync(state, changes, memo, {
        family: options.family,
        profile: options.profile,
        json,
        serviceCIDRs: state.serviceCIDRs,
      });
      const text = encodeSync(sync, options.format);
      return {
        payloads: [{ kind: 'nft', part: 'nft', header: `# nft${json ? ' -j' : ''} -f -`, text }],
        ...(json ? { json: text } : {}),
        stats: stats(sync),
        summary: summaryLines(sync.summary),
        memo: sync.memo,
      };
    },
  };
}

/** The stale-chain deletions of the next sync after this one's transaction, still loadable as one. */
function joinLater(now: Payload, later: Payload, format: 'text' | 'json'): Payload {
  if (format === 'text') {
    const tail = later.text ? `# later transaction: delete the stale chains flushed above\n${later.text}` : '';
    return { ...now, text: now.text + tail };
  }
  // toJSON writes one command a line between a fixed head and tail: join the command lines.
  const commands = (doc: string) =>
    doc
      .slice(doc.indexOf('[') + 1, doc.lastIndexOf(']'))
      .split(',\n')
      .map((l) => l.trim())
      .filter(Boolean);
  return { ...now, text: `{"nftables": [\n${[...commands(now.text), ...commands(later.text)].join(',\n')}\n]}\n` };
}

export const nftablesMode: ProxyMode<NftMemo> = {
  name: 'nftables',
  parts: ['nft'],
  deferredCleanup: true,
  createSyncer: createNftablesSyncer,
  joinLater,
};
