// One emulated node inside the agent: its own ProxyTracker (the node decides local endpoints,
// topology and its config), its mode's syncer and memo, and its own SyncRunner, so a slow node
// never holds back another's sync. The agent feeds every node the same events from one informer.

import type { WatchEvent } from '../cluster/store.js';
import type { ClusterObject, IPFamily } from '../cluster/types.js';
import { type ProxyConfigFlags, resolveProxyConfig } from '../proxy/config.js';
import type { Payload, ProxyMode, Syncer } from '../proxy/mode.js';
import { ProxyTracker } from '../proxy/state.js';
import type { AgentMetrics } from './metrics.js';
import { SyncRunner } from './sync-runner.js';

export interface SyncRecord {
  node: string;
  mode: string;
  full: boolean;
  services: number;
  durationMs: number;
  bytes: number;
  resourceVersion: number;
}

export interface NodeSyncerOptions {
  mode: ProxyMode;
  node: string;
  family: IPFamily;
  minSyncPeriodMs: number;
  syncPeriodMs: number;
  metrics: AgentMetrics;
  /** The store position the objects and events handed over so far have reached. */
  resourceVersion: () => number;
  onSync?: (record: SyncRecord, payloads: readonly Payload[]) => void;
}

export class NodeSyncer {
  private readonly syncer: Syncer<unknown>;
  private memo: unknown;
  private tracker: ProxyTracker | undefined;
  private readonly runner: SyncRunner;
  private readonly flags: ProxyConfigFlags;
  payloads: readonly Payload[] = [];
  /** When the oldest change not yet synced arrived (network-programming latency). */
  oldestPending: number | undefined;

  constructor(private readonly options: NodeSyncerOptions) {
    this.flags = { node: options.node };
    this.syncer = options.mode.createSyncer({ family: options.family, profile: 'default', format: 'text' });
    this.memo = this.syncer.initialMemo;
    this.runner = new SyncRunner({
      minSyncPeriodMs: options.minSyncPeriodMs,
      syncPeriodMs: options.syncPeriodMs,
      run: (full) => this.sync(full),
    });
  }

  get node(): string {
    return this.options.node;
  }

  /** The whole set (start, resync, or a node joining later): a fresh tracker, then a full sync. */
  reset(objects: Iterable<ClusterObject>): void {
    const all = [...objects];
    const t = new ProxyTracker(this.options.family, resolveProxyConfig(all, this.flags), { flags: this.flags });
    for (const o of all) t.upsert(o);
    this.tracker = t;
    this.changed();
  }

  apply(event: WatchEvent): void {
    if (!this.tracker) return;
    this.tracker.apply(event);
    this.changed();
  }

  private changed(): void {
    this.oldestPending ??= Date.now();
    this.runner.request();
  }

  private sync(full: boolean): void {
    const tracker = this.tracker;
    if (!tracker) return;
    const { metrics, mode } = this.options;
    if (full) tracker.requestFullSync();
    const start = performance.now();
    const { changes, state } = tracker.sync();
    const result = this.syncer.sync(state, changes, this.memo, Date.now());
    // No kernel here to fail: the memo is committed at once (an applier would commit after applying).
    this.memo = result.memo;
    this.payloads = result.payloads;
    const durationMs = performance.now() - start;
    metrics.syncDuration.observe([], durationMs / 1000);
    metrics.lastSyncSeconds = Date.now() / 1000;
    if (changes.full) metrics.fullSyncs++;
    else metrics.partialSyncs++;
    if (this.oldestPending !== undefined)
      metrics.networkProgramming.observe([], (Date.now() - this.oldestPending) / 1000);
    this.oldestPending = undefined;
    this.options.onSync?.(
      {
        node: this.options.node,
        mode: mode.name,
        full: changes.full,
        services: changes.services.size,
        durationMs: Math.round(durationMs * 1000) / 1000,
        bytes: this.payloads.reduce((n, p) => n + p.text.length, 0),
        resourceVersion: this.options.resourceVersion(),
      },
      this.payloads,
    );
  }

  stop(): void {
    this.runner.stop();
  }
}
