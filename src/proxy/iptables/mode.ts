// The iptables proxy mode as the CLI, bench and serve see it.
import type { IPFamily } from '../../cluster/types.js';
import type { DiffRequest, DiffResult, ProxyMode, RulesRequest, RulesResult, SyncRendererOptions } from '../modes.js';
import { buildProxyState, type ProxyState } from '../state.js';
import { type ChangeSet, FULL_SYNC } from '../types.js';
import { partialSync, summarize } from './diff.js';
import { type IptablesOptions, iptablesOptions } from './options.js';
import { EMPTY_MEMO, type IptablesMemo, type Rendered, render } from './render.js';

function statsOf(r: Rendered): Record<string, number> {
  return { ...r.stats };
}

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

function renderRules(req: RulesRequest): RulesResult {
  const opt = iptablesOptions(req.config, req.family, req.profile);
  const state = buildProxyState(req.objects, req.family, req.config);
  const r = render(state, FULL_SYNC, EMPTY_MEMO, opt, { jumps: req.withJumps });
  return { text: req.format === 'json' ? asJson(r, req.family, req.profile) : r.payload, stats: statsOf(r) };
}

function renderDiff(req: DiffRequest): DiffResult {
  const opt = iptablesOptions(req.config, req.family, req.profile);
  const p = partialSync(req.from, req.to, req.family, req.config, opt);
  return {
    text: req.format === 'json' ? asJson(p.after, req.family, req.profile) : p.after.payload,
    summary: summarize(p),
    stats: statsOf(p.after),
  };
}

/** kube-proxy's default syncPeriod: in large-cluster mode stale chains are deleted at most this often. */
const SYNC_PERIOD_MS = 30_000;

/** A renderer that keeps its memo between syncs, as a running kube-proxy keeps its state. */
export function createIptablesSyncRenderer(options: SyncRendererOptions) {
  const opt: IptablesOptions = iptablesOptions(options.config, options.family, options.profile);
  let memo: IptablesMemo = EMPTY_MEMO;
  let lastCleanup = Number.NEGATIVE_INFINITY;
  return {
    sync(state: ProxyState, changes: ChangeSet) {
      const now = Date.now();
      const r = render(state, changes, memo, opt, { cleanupDue: now - lastCleanup > SYNC_PERIOD_MS });
      if (r.cleanedUp) lastCleanup = now;
      memo = r.memo;
      return { payload: r.payload, rules: r.stats.filterRules + r.stats.natRules };
    },
  };
}

/** Time iptables-restore loading a full payload into a fresh namespace; null without root or tools. */
async function measureKernelApply(payload: string): Promise<number | null> {
  const { isRoot, run } = await import('../../lab/exec.js');
  if (!isRoot()) return null;
  try {
    await run('sh', ['-c', 'command -v ip && command -v iptables-restore']);
  } catch {
    return null;
  }
  const { createNetns, deleteNetns, nextNetnsName } = await import('../../lab/netns.js');
  const { applyIptables } = await import('../../lab/apply-iptables.js');
  const ns = nextNetnsName('b');
  await createNetns(ns);
  try {
    return await applyIptables(ns, payload);
  } finally {
    await deleteNetns(ns);
  }
}

export const iptablesMode: ProxyMode = {
  renderRules,
  renderDiff,
  createSyncRenderer: createIptablesSyncRenderer,
  measureKernelApply,
};
