// One nftables sync, as kube-proxy's syncProxyRules does it, but pure: the previous sync's memo
// (chains, affinity sets and map elements each Service left) replaces listing the kernel. A full
// sync rewrites the fixed objects and every service; a partial sync only the changed Services'
// chains, plus the element differences. Stale chains are flushed now and deleted at the start of
// the next sync (kube-proxy waits >= 1 s; kernels before 6.2 need that delay).
import type { IPFamily } from '../../cluster/types.js';
import { PersistentMap } from '../persistent-map.js';
import { compareServicePorts } from '../service-port.js';
import type { ProxyState } from '../state.js';
import type { ChangeSet, Endpoint, ServicePortInfo } from '../types.js';
import { writeSetup } from './base-chains.js';
import { type ElementState, ElementStore } from './elements.js';
import { cachedNamesOf } from './names.js';
import { type NftProfile, nodePortIPs, ruleContext } from './proxier-config.js';
import {
  type PortSink,
  STORE_CONTAINERS,
  STORE_ORDER,
  type StoreName,
  type Stores,
  writeServicePort,
} from './service-port.js';
import { Transaction } from './transaction.js';

export interface NftRenderOptions {
  family: IPFamily;
  profile: NftProfile;
  json: boolean;
  /** This family's ServiceCIDRs (from ServiceCIDR objects). */
  serviceCIDRs: readonly string[];
}

interface ServiceRecord {
  /** Per-service chains it declared (each once: names embed port and endpoint). */
  chains: string[];
  affinitySets: string[];
  /** Elements it ensured, flat: store name, storage key, store name, storage key ... */
  elements: string[];
  /** Per ensured element (parallel to the pairs above): its value and comment, to restore a shared key. */
  values: (string | undefined)[];
  /** Its ports that have endpoints but none local for Local internal / external traffic. */
  noLocalInternal: number;
  noLocalExternal: number;
}

/**
 * What one sync leaves for the next (kube-proxy keeps the same in memory or reads it back). Never
 * changed once returned: a sync builds a new memo sharing what it did not touch.
 */
export interface NftMemo {
  readonly synced: boolean;
  readonly stores: Readonly<Record<StoreName, ElementState>>;
  readonly services: PersistentMap<string, ServiceRecord>;
  /** Chains flushed by the last sync, deleted at the start of the next. */
  readonly stale: readonly string[];
  /** Running totals over every Service's record (kube-proxy recounts all services each sync). */
  readonly noLocalInternal: number;
  readonly noLocalExternal: number;
}

function emptyStores(): Record<StoreName, ElementState> {
  const s = {} as Record<StoreName, ElementState>;
  for (const n of STORE_ORDER) s[n] = PersistentMap.empty();
  return s;
}

export const EMPTY_NFT_MEMO: NftMemo = {
  synced: false,
  stores: emptyStores(),
  services: PersistentMap.empty(),
  stale: [],
  noLocalInternal: 0,
  noLocalExternal: 0,
};

export interface NftSyncSummary {
  full: boolean;
  services: string[];
  /** Services that had rules and have none now. */
  removed: string[];
  /** Chains declared for the first time (names listed on partial syncs only). */
  chainsAddedCount: number;
  chainsAdded: string[];
  chainsRewritten: number;
  staleFlushed: string[];
  staleDeleted: string[];
  affinitySetsDeleted: string[];
  elementsAdded: number;
  elementsDeleted: number;
  /** kube-proxy's sync_proxy_rules_no_local_endpoints_total{traffic_policy="internal"|"external"}
   * after this sync: service ports with endpoints, but no local ones for a Local policy. */
  noLocalEndpointsInternal: number;
  noLocalEndpointsExternal: number;
}

export interface NftSync {
  /** Deletes stale chains of earlier syncs (kube-proxy runs these as their own transaction). */
  pre: Transaction;
  main: Transaction;
  summary: NftSyncSummary;
  /** What the next sync starts from; the memo passed in is unchanged. */
  memo: NftMemo;
}

export function renderSync(state: ProxyState, changes: ChangeSet, memo: NftMemo, opts: NftRenderOptions): NftSync {
  const family = opts.family === 'IPv4' ? 'ip' : 'ip6';
  const ctx = ruleContext(state.config, opts.family, opts.profile, opts.json);
  const pre = new Transaction(family);
  const tx = new Transaction(family);
  const full = changes.full || !memo.synced;
  const summary: NftSyncSummary = {
    full,
    services: [],
    removed: [],
    chainsAddedCount: 0,
    chainsAdded: [],
    chainsRewritten: 0,
    staleFlushed: [],
    staleDeleted: [...memo.stale],
    affinitySetsDeleted: [],
    elementsAdded: 0,
    elementsDeleted: 0,
    noLocalEndpointsInternal: 0,
    noLocalEndpointsExternal: 0,
  };
  for (const c of memo.stale) pre.delete({ kind: 'chain', name: c });
  const stale = new Set<string>();
  const stores = {} as Stores;
  for (const n of STORE_ORDER)
    stores[n] = new ElementStore(STORE_CONTAINERS[n][0], STORE_CONTAINERS[n][1], memo.stores[n], full);
  const services = memo.services.edit();
  let noLocalInternal = memo.noLocalInternal;
  let noLocalExternal = memo.noLocalExternal;

  if (full) {
    writeSetup(tx, ctx, {
      firstSync: !memo.synced,
      serviceCIDRs: opts.serviceCIDRs,
      nodePortIPs: nodePortIPs(state.config, opts.family),
      addrType: family === 'ip' ? 'ipv4_addr' : 'ipv6_addr',
    });
  }

  // Which ports to write, in our deterministic order.
  let ports: readonly ServicePortInfo[];
  const touched = new Set<string>();
  if (full) {
    ports = state.ports;
    for (const p of ports) touched.add(p.service);
    for (const s of memo.services.keys()) touched.add(s);
  } else {
    const list: ServicePortInfo[] = [];
    for (const s of changes.services) {
      touched.add(s);
      list.push(...state.portsOfService(s));
    }
    ports = list.sort(compareServicePorts);
  }

  const ensured = new Set<string>();
  const records = new Map<string, ServiceRecord>();
  let current!: ServiceRecord;
  const sink: PortSink = {
    tx,
    ctx,
    masqueradeAll: state.config.masqueradeAll,
    nodeIP: state.config.nodeIPs[opts.family][0],
    ensureChain(name) {
      current.chains.push(name);
      const c = { kind: 'chain', name } as const;
      tx.add(c);
      tx.flush(c);
    },
    ensureElem(store, key, value, comment) {
      const k = stores[store].ensure(tx, key, value, comment);
      current.elements.push(store, k);
      current.values.push(value, comment);
      if (!full) ensured.add(`${store}\u0000${k}`);
    },
    activeAffinitySet(name) {
      current.affinitySets.push(name);
    },
    noLocalEndpoints(internal, external) {
      if (internal) current.noLocalInternal++;
      if (external) current.noLocalExternal++;
    },
    addAffinitySet(name, timeout) {
      // nft 1.0.6 cannot write the "dynamic" flag in JSON, and the kernel adds it once an update
      // rule uses the set; re-adding the set without it then fails (EEXIST). In JSON we therefore
      // declare only sets that do not exist yet: re-adding an existing one changes nothing anyway.
      if (opts.json && previousSets?.has(name)) return;
      tx.add({ kind: 'set', name, type: addrType, flags: ['dynamic', 'timeout'], timeout });
    },
  };
  const addrType = family === 'ip' ? 'ipv4_addr' : 'ipv6_addr';
  let previousSets: Set<string> | undefined;

  for (const port of ports) {
    let rec = records.get(port.service);
    if (!rec) {
      records.set(
        port.service,
        (rec = { chains: [], affinitySets: [], elements: [], values: [], noLocalInternal: 0, noLocalExternal: 0 }),
      );
      const before = opts.json ? memo.services.get(port.service)?.affinitySets : undefined;
      previousSets = before?.length ? new Set(before) : undefined;
    }
    current = rec;
    // Names are hashed once per service port and endpoint and kept on the port (see names.ts).
    const cached = cachedNamesOf(port);
    writeServicePort(sink, port, state.categorized(port), cached.port, (ep: Endpoint) => cached.endpoint(ep));
  }

  // Stale chains and affinity sets, element leftovers: per touched Service, old record vs new.
  const removals: [StoreName, string][] = [];
  const shared: [StoreName, string][] = [];
  for (const s of touched) {
    const before = memo.services.get(s);
    const after = records.get(s);
    const beforeChains = before ? new Set(before.chains) : undefined;
    for (const c of after?.chains ?? []) {
      if (beforeChains?.has(c)) summary.chainsRewritten++;
      else {
        summary.chainsAddedCount++;
        if (!full) summary.chainsAdded.push(c);
      }
    }
    if (before) {
      noLocalInternal -= before.noLocalInternal;
      noLocalExternal -= before.noLocalExternal;
      const afterChains = new Set(after?.chains);
      for (const c of before.chains)
        if (!afterChains.has(c)) {
          tx.flush({ kind: 'chain', name: c });
          stale.add(c);
          summary.staleFlushed.push(c);
        }
      const afterSets = new Set(after?.affinitySets);
      for (const a of before.affinitySets)
        if (!afterSets.has(a)) {
          tx.delete({ kind: 'set', name: a });
          summary.affinitySetsDeleted.push(a);
        }
      if (!full)
        for (let i = 0; i < before.elements.length; i += 2) {
          const store = before.elements[i] as StoreName;
          const k = before.elements[i + 1]!;
          // Another Service may hold the same key (two Services on one external IP and port):
          // the element stays while any record lists it.
          if (stores[store].release(k) === 0 && !ensured.has(`${store}\u0000${k}`)) removals.push([store, k]);
          else if (!ensured.has(`${store}\u0000${k}`)) shared.push([store, k]);
        }
    }
    if (after) {
      noLocalInternal += after.noLocalInternal;
      noLocalExternal += after.noLocalExternal;
      services.set(s, after);
      summary.services.push(s);
    } else if (before) {
      services.delete(s);
      summary.removed.push(s);
    }
  }
  if (full) for (const n of STORE_ORDER) stores[n].cleanupLeftovers(tx);
  else {
    for (const n of STORE_ORDER) for (const [store, k] of removals) if (store === n) stores[n].remove(tx, k);
    // A shared key a changed Service let go of keeps the value of a Service that still holds it.
    const now = services.done();
    for (const [store, k] of shared) restoreFromOwner(now, stores[store], store, k, tx);
  }

  for (const n of STORE_ORDER) {
    summary.elementsAdded += stores[n].added;
    summary.elementsDeleted += stores[n].deleted;
  }
  summary.noLocalEndpointsInternal = noLocalInternal;
  summary.noLocalEndpointsExternal = noLocalExternal;
  const storeStates = {} as Record<StoreName, ElementState>;
  for (const n of STORE_ORDER) storeStates[n] = stores[n].done();
  const next: NftMemo = {
    synced: true,
    stores: storeStates,
    services: services.done(),
    stale: [...stale],
    noLocalInternal,
    noLocalExternal,
  };
  return { pre, main: tx, summary, memo: next };
}

/** Find a Service whose record still lists the element and write its value (rare: shared keys). */
function restoreFromOwner(
  services: PersistentMap<string, ServiceRecord>,
  elements: ElementStore,
  store: StoreName,
  k: string,
  tx: Transaction,
): void {
  for (const rec of services.values()) {
    for (let i = 0; i < rec.elements.length; i += 2) {
      if (rec.elements[i] === store && rec.elements[i + 1] === k) {
        elements.restore(tx, k, rec.values[i], rec.values[i + 1]);
        return;
      }
    }
  }
}
