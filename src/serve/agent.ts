// The node agent's core: follow a ClusterStore (list-then-watch) once, keep the objects it saw, and
// hand every event to each emulated node's NodeSyncer (its own tracker, syncer and SyncRunner:
// partial syncs for changed Services, a full one periodically and after a resync). With `nodes:
// 'all'` the set of nodes follows the store's Node objects. The latest payloads are kept per node
// for the caller (to write or apply); every sync yields one record for a structured log line.
import { startInformer } from '../cluster/informer.js';
import type { ClusterStore } from '../cluster/store.js';
import { storeKey } from '../cluster/store.js';
import { type ClusterObject, type IPFamily, objectKey } from '../cluster/types.js';
import { NodeSelectionError, type StoreError } from '../errors.js';
import type { Payload, ProxyMode } from '../proxy/mode.js';
import { AgentMetrics } from './metrics.js';
import { NodeSyncer, type SyncRecord } from './node-syncer.js';

export type { SyncRecord } from './node-syncer.js';

export interface AgentOptions {
  mode: ProxyMode;
  /** One node, several, or every Node in the store (followed as Nodes come and go). */
  node?: string;
  nodes?: readonly string[] | 'all';
  family?: IPFamily;
  minSyncPeriodMs?: number;
  syncPeriodMs?: number;
  onSync?: (record: SyncRecord, payloads: readonly Payload[]) => void;
  onError?: (err: StoreError | Error) => void;
  /** The store went away or came back (syncs pause meanwhile: no events arrive). */
  onConnection?: (up: boolean, err?: unknown) => void;
  /** With `nodes: 'all'`: a node joined (its first sync follows) or left. */
  onNodes?: (added: readonly string[], removed: readonly string[]) => void;
}

export interface Agent {
  /** Aggregated over all nodes (kube-proxy's names have no node label: one process is one node). */
  readonly metrics: AgentMetrics;
  /** The payloads of the last sync of the first node (the only one, with `node`). */
  readonly payloads: readonly Payload[];
  /** The nodes synced now, sorted. */
  nodes(): string[];
  payloadsOf(node: string): readonly Payload[] | undefined;
  /** The store is followed without error and no node's change has waited long for its sync (kube-proxy's healthz). */
  healthy(): boolean;
  stop(): void;
}

const keyOf = (o: ClusterObject) => storeKey(o.kind, objectKey(o));

export async function startAgent(store: ClusterStore, options: AgentOptions): Promise<Agent> {
  const family = options.family ?? 'IPv4';
  const minSyncPeriodMs = options.minSyncPeriodMs ?? 1000;
  const syncPeriodMs = options.syncPeriodMs ?? 30_000;
  const wanted = options.nodes ?? (options.node !== undefined ? [options.node] : undefined);
  if (!wanted || (wanted !== 'all' && wanted.length === 0))
    throw new NodeSelectionError('no node to sync').about('node');
  const followAll = wanted === 'all';
  const metrics = new AgentMetrics();
  /** Everything the informer handed over, by store key: a node joining later starts from it. */
  const objects = new Map<string, ClusterObject>();
  const syncers = new Map<string, NodeSyncer>();
  let resourceVersion = 0;
  let failed = false;
  let connected = true;
  let stopped = false;

  const addNode = (node: string) => {
    const s = new NodeSyncer({
      mode: options.mode,
      node,
      family,
      minSyncPeriodMs,
      syncPeriodMs,
      metrics,
      resourceVersion: () => resourceVersion,
      onSync: options.onSync,
    });
    syncers.set(node, s);
    return s;
  };
  if (!followAll) for (const n of wanted) addNode(n);

  /** With `nodes: 'all'`: bring the syncers in line with the Node objects; new ones start from the whole set. */
  const followNodes = () => {
    if (!followAll || stopped) return;
    const names = new Set<string>();
    for (const o of objects.values()) if (o.kind === 'Node') names.add(o.metadata.name);
    const added: string[] = [];
    const removed: string[] = [];
    for (const [n, s] of syncers)
      if (!names.has(n)) {
        s.stop();
        syncers.delete(n);
        removed.push(n);
      }
    for (const n of [...names].sort())
      if (!syncers.has(n)) {
        addNode(n).reset(objects.values());
        added.push(n);
      }
    if (added.length || removed.length) options.onNodes?.(added, removed);
  };

  const informer = await startInformer(store, {
    onSync: (snapshot, reason) => {
      resourceVersion = snapshot.resourceVersion;
      if (reason === 'resync') metrics.resyncs++;
      objects.clear();
      for (const o of snapshot.objects) objects.set(keyOf(o), o);
      for (const s of syncers.values()) s.reset(objects.values());
      followNodes();
    },
    onEvent: (e) => {
      resourceVersion = e.resourceVersion;
      if (e.object.kind === 'Service') metrics.serviceChanges++;
      if (e.object.kind === 'EndpointSlice') metrics.endpointChanges++;
      if (e.type === 'DELETED') objects.delete(keyOf(e.object));
      else objects.set(keyOf(e.object), e.object);
      for (const s of syncers.values()) s.apply(e);
      if (e.object.kind === 'Node') followNodes();
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

  const first = () => syncers.values().next().value as NodeSyncer | undefined;
  return {
    metrics,
    get payloads() {
      return first()?.payloads ?? [];
    },
    nodes: () => [...syncers.keys()].sort(),
    payloadsOf: (node) => syncers.get(node)?.payloads,
    healthy: () => {
      if (failed || !connected) return false;
      const now = Date.now();
      for (const s of syncers.values())
        if (s.oldestPending !== undefined && now - s.oldestPending >= minSyncPeriodMs + 10_000) return false;
      return true;
    },
    stop() {
      stopped = true;
      for (const s of syncers.values()) s.stop();
      informer.stop();
    },
  };
}
