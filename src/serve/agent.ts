// The node agent's core: follow a ClusterStore (list-then-watch), fold every event into the shared
// ProxyTracker, and let a SyncRunner decide when the mode's syncer renders (partial syncs for changed
// Services, a full one periodically and after a resync). The latest payloads are kept for the caller
// (to write or apply); every sync yields one record for a structured log line.
import { startInformer } from '../cluster/informer.js';
import type { ClusterStore } from '../cluster/store.js';
import type { ClusterObject, IPFamily } from '../cluster/types.js';
import type { StoreError } from '../errors.js';
import { type ProxyConfigFlags, resolveProxyConfig } from '../proxy/config.js';
import type { Payload, ProxyMode, Syncer } from '../proxy/mode.js';
import { ProxyTracker } from '../proxy/state.js';
import { AgentMetrics } from './metrics.js';
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

export interface AgentOptions {
  mode: ProxyMode;
  node: string;
  family?: IPFamily;
  minSyncPeriodMs?: number;
  syncPeriodMs?: number;
  onSync?: (record: SyncRecord, payloads: readonly Payload[]) => void;
  onError?: (err: StoreError | Error) => void;
  /** The store went away or came back (syncs pause meanwhile: no events arrive). */
  onConnection?: (up: boolean, err?: unknown) => void;
}

export interface Agent {
  readonly metrics: AgentMetrics;
  /** The payloads of the last sync. */
  readonly payloads: readonly Payload[];
  /** The store is followed without error and no change has waited long for its sync (kube-proxy's healthz). */
  healthy(): boolean;
  stop(): void;
}

export async function startAgent(store: ClusterStore, options: AgentOptions): Promise<Agent> {
  const family = options.family ?? 'IPv4';
  const flags: ProxyConfigFlags = { node: options.node };
  const metrics = new AgentMetrics();
  const syncer: Syncer<unknown> = options.mode.createSyncer({ family, profile: 'default', format: 'text' });
  let memo = syncer.initialMemo;
  let tracker: ProxyTracker | undefined;
  let payloads: readonly Payload[] = [];
  let resourceVersion = 0;
  let failed = false;
  let connected = true;
  /** When the oldest change not yet synced arrived (network-programming latency). */
  let oldestPending: number | undefined;

  const fresh = (objects: readonly ClusterObject[]) => {
    const t = new ProxyTracker(family, resolveProxyConfig(objects, flags), { flags });
    for (const o of objects) t.upsert(o);
    return t;
  };

  const sync = (full: boolean) => {
    if (!tracker) return;
    if (full) tracker.requestFullSync();
    const start = performance.now();
    const { changes, state } = tracker.sync();
    const result = syncer.sync(state, changes, memo, Date.now());
    // No kernel here to fail: the memo is committed at once (an applier would commit after applying).
    memo = result.memo;
    payloads = result.payloads;
    const durationMs = performance.now() - start;
    metrics.syncDuration.observe([], durationMs / 1000);
    metrics.lastSyncSeconds = Date.now() / 1000;
    if (changes.full) metrics.fullSyncs++;
    else metrics.partialSyncs++;
    if (oldestPending !== undefined) metrics.networkProgramming.observe([], (Date.now() - oldestPending) / 1000);
    oldestPending = undefined;
    options.onSync?.(
      {
        node: options.node,
        mode: options.mode.name,
        full: changes.full,
        services: changes.services.size,
        durationMs: Math.round(durationMs * 1000) / 1000,
        bytes: payloads.reduce((n, p) => n + p.text.length, 0),
        resourceVersion,
      },
      payloads,
    );
  };

  const runner = new SyncRunner({
    minSyncPeriodMs: options.minSyncPeriodMs ?? 1000,
    syncPeriodMs: options.syncPeriodMs ?? 30_000,
    run: sync,
  });

  const informer = await startInformer(store, {
    onSync: (snapshot, reason) => {
      resourceVersion = snapshot.resourceVersion;
      if (reason === 'resync') metrics.resyncs++;
      tracker = fresh(snapshot.objects);
      oldestPending ??= Date.now();
      runner.request();
    },
    onEvent: (e) => {
      resourceVersion = e.resourceVersion;
      if (e.object.kind === 'Service') metrics.serviceChanges++;
      if (e.object.kind === 'EndpointSlice') metrics.endpointChanges++;
      tracker!.apply(e);
      oldestPending ??= Date.now();
      runner.request();
    },
    onError: (err) => {
      failed = true;
      options.onError?.(err);
    },
    onConnection: (up, err) => {
      connected = up;
      options.onConnection?.(up, err);
    },
  });

  return {
    metrics,
    get payloads() {
      return payloads;
    },
    healthy: () =>
      !failed &&
      connected &&
      (oldestPending === undefined || Date.now() - oldestPending < (options.minSyncPeriodMs ?? 1000) + 10_000),
    stop() {
      runner.stop();
      informer.stop();
    },
  };
}
