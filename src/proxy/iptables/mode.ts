// The iptables proxy mode as a syncer: the restore payload of one sync, its figures and a summary.
import type { IPFamily } from '../../cluster/types.js';
import type { ProxyMode, Syncer, SyncerOptions, SyncResult } from '../mode.js';
import type { ProxyState } from '../state.js';
import type { ChangeSet } from '../types.js';
import { iptablesOptions } from './options.js';
import { EMPTY_MEMO, type IptablesMemo, type Rendered, render } from './render.js';

/** kube-proxy's default syncPeriod: in large-cluster mode stale chains are deleted at most this often. */
export const SYNC_PERIOD_MS = 30_000;

/** The payload as JSON: per table, the chains it declares and its rule lines in order. */
function asJson(r: Rendered, family: IPFamily, profile: string): string {
  const tables: Record<string, { chains: string[]; rules: string[] }> = {};
  let current: { chains: string[]; rules: string[] } | undefined;
  for (const line of r.payload.split('\n')) {
    if (line.startsWith('*')) tables[line.slice(1)] = current = { chains: [], rules: [] };
    else if (line.startsWith(':')) current?.chains.push(line.slice(1, line.indexOf(' ')));
    else if (line.startsWith('-')) current?.rules.push(line);
  }
  return `${JSON.stringify({ mode: 'iptables', family, profile, tables, stats: r.stats }, null, 2)}\n`;
}

function summaryOf(r: Rendered, changes: ChangeSet): string[] {
  const list = (xs: readonly string[]) => (xs.length ? `: ${[...xs].sort().join(' ')}` : '');
  const services = changes.full ? [] : [...changes.services].sort();
  return [
    changes.full
      ? `full sync: ${r.stats.servicesRewritten} service(s) written`
      : `services rewritten (${services.length})${list(services)}`,
    `chains added (${r.added.length})${list(r.added)}`,
    `chains rewritten (${r.rewritten.length})${list(r.rewritten)}`,
    `chains deleted (${r.deleted.length})${list(r.deleted)}`,
    `rules in payload: filter ${r.stats.filterRules}, nat ${r.stats.natRules}; skipped nat rules of unchanged services: ${r.stats.skippedNatRules}`,
  ];
}

function createIptablesSyncer(options: SyncerOptions): Syncer<IptablesMemo> {
  let opt: ReturnType<typeof iptablesOptions> | undefined;
  let optConfig: ProxyState['config'] | undefined;
  return {
    initialMemo: EMPTY_MEMO,
    sync(state: ProxyState, changes: ChangeSet, memo: IptablesMemo, now: number): SyncResult<IptablesMemo> {
      // The options follow the node's configuration, which a config change replaces (a full sync).
      if (optConfig !== state.config) {
        opt = iptablesOptions(state.config, options.family, options.profile);
        optConfig = state.config;
      }
      const r = render(state, changes, memo, opt!, {
        jumps: options.withJumps === true,
        // Chain lists cost a little on a full sync of a large cluster; partial syncs report them.
        trackChains: !changes.full,
        cleanupDue: now - memo.lastCleanup > SYNC_PERIOD_MS,
        now,
      });
      const json = options.format === 'json' ? asJson(r, options.family, options.profile) : undefined;
      return {
        payloads: [{ kind: 'iptables', part: 'iptables', header: '# iptables-save', text: json ?? r.payload }],
        ...(json ? { json } : {}),
        stats: { ...r.stats, rules: r.stats.filterRules + r.stats.natRules },
        summary: summaryOf(r, changes),
        memo: r.memo,
      };
    },
  };
}

export const iptablesMode: ProxyMode<IptablesMemo> = {
  name: 'iptables',
  parts: ['iptables'],
  deferredCleanup: false,
  createSyncer: createIptablesSyncer,
};
