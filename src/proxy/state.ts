// The proxy state of one IP family on one node, and the single change tracker every mode shares
// (kube-proxy's ServiceChangeTracker + EndpointsChangeTracker): events are folded per Service, the
// affected Services are re-derived at sync time, and only those whose derived ports or endpoints
// really differ are reported in the ChangeSet.

import type { WatchEvent } from '../cluster/store.js';
import type { ClusterObject, EndpointSlice, IPFamily, Service } from '../cluster/types.js';
import { SERVICE_NAME_LABEL, ZONE_LABEL } from '../cluster/types.js';
import type { ProxyConfig } from './config.js';
import { endpointsByPort } from './endpoints.js';
import { compareServicePorts, hiddenFromKubeProxy, servicePortsOf } from './service-port.js';
import { type CategorizedEndpoints, categorizeEndpoints, type NodeTopology } from './topology.js';
import type { ChangeSet, Endpoint, ServicePortInfo } from './types.js';

const NO_ENDPOINTS: readonly Endpoint[] = [];

interface DerivedService {
  ports: ServicePortInfo[];
  endpoints: Map<string, Endpoint[]>;
  /** A stable text of ports + endpoints, to drop no-op changes; computed only when compared. */
  fingerprint?: string;
}

/** A read-only view of one family's service ports and endpoints, sorted by service port name. */
export interface ProxyState {
  readonly family: IPFamily;
  readonly config: ProxyConfig;
  readonly node: NodeTopology;
  /** Every service port, sorted by name then protocol. */
  readonly ports: readonly ServicePortInfo[];
  endpointsOf(port: ServicePortInfo): readonly Endpoint[];
  categorized(port: ServicePortInfo): CategorizedEndpoints;
  portsOfService(service: string): readonly ServicePortInfo[];
  /** Total endpoints over all service ports (kube-proxy's large-cluster threshold counts these). */
  readonly endpointCount: number;
}

function fingerprintOf(ports: ServicePortInfo[], endpoints: Map<string, Endpoint[]>): string {
  const eps: [string, unknown][] = [];
  for (const [k, list] of [...endpoints].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
    eps.push([k, list.map((e) => ({ ...e, zoneHints: [...e.zoneHints], nodeHints: [...e.nodeHints] }))]);
  return JSON.stringify([ports, eps]);
}

function fingerprint(d: DerivedService): string {
  d.fingerprint ??= fingerprintOf(d.ports, d.endpoints);
  return d.fingerprint;
}

export class ProxyTracker {
  private readonly services = new Map<string, Service>();
  /** slice key "ns/slice" -> slice */
  private readonly slices = new Map<string, EndpointSlice>();
  /** service key -> slice keys */
  private readonly slicesOfService = new Map<string, Set<string>>();
  private readonly derived = new Map<string, DerivedService>();
  private readonly pending = new Set<string>();
  /**
   * Services one of whose slices (of this family) was added, removed or changed in any field since
   * the last sync. kube-proxy's EndpointSliceCache compares whole slices (esDataChanged) and reports
   * such a Service as updated even when its endpoints come out the same, so its partial sync
   * rewrites that Service; ours must too.
   */
  private readonly sliceEdited = new Set<string>();
  private needFullSync = true;
  private sortedPorts: ServicePortInfo[] | undefined;
  private readonly portIndex = new Map<string, number>();
  private endpointTotal = 0;
  private readonly categorizedCache = new Map<string, CategorizedEndpoints>();
  readonly node: NodeTopology;

  constructor(
    readonly family: IPFamily,
    readonly config: ProxyConfig,
  ) {
    this.node = {
      nodeName: config.nodeName,
      zone: config.zone,
      preferSameNode: config.featureGates.PreferSameTrafficDistribution ?? true,
    };
  }

  /** Fold one object (added or modified) into the pending changes. */
  upsert(obj: ClusterObject): void {
    if (obj.kind === 'Service') {
      const key = `${obj.metadata.namespace ?? 'default'}/${obj.metadata.name}`;
      this.services.set(key, obj);
      this.pending.add(key);
    } else if (obj.kind === 'EndpointSlice') {
      this.upsertSlice(obj);
    } else if (obj.kind === 'Node' && obj.metadata.name === this.config.nodeName) {
      // A topology-label change on our own node forces a full sync, as in kube-proxy.
      const zone = obj.metadata.labels?.[ZONE_LABEL] ?? '';
      if (zone !== this.node.zone) {
        (this.node as { zone: string }).zone = zone;
        this.needFullSync = true;
        for (const k of this.services.keys()) this.pending.add(k);
      }
    }
  }

  delete(obj: ClusterObject): void {
    if (obj.kind === 'Service') {
      const key = `${obj.metadata.namespace ?? 'default'}/${obj.metadata.name}`;
      this.services.delete(key);
      this.pending.add(key);
    } else if (obj.kind === 'EndpointSlice') {
      const key = `${obj.metadata.namespace ?? 'default'}/${obj.metadata.name}`;
      const old = this.slices.get(key);
      if (old) this.removeSlice(key, old);
    }
  }

  apply(event: WatchEvent): void {
    if (event.type === 'DELETED') this.delete(event.object);
    else this.upsert(event.object);
  }

  /** Force the next sync to be a full one (periodic full sync). */
  requestFullSync(): void {
    this.needFullSync = true;
  }

  private serviceOfSlice(slice: EndpointSlice): string | undefined {
    const svc = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc) return undefined;
    if (hiddenFromKubeProxy(slice.metadata.labels)) return undefined;
    return `${slice.metadata.namespace ?? 'default'}/${svc}`;
  }

  private upsertSlice(slice: EndpointSlice): void {
    const key = `${slice.metadata.namespace ?? 'default'}/${slice.metadata.name}`;
    const old = this.slices.get(key);
    const svc = this.serviceOfSlice(slice);
    if (old && svc && old.addressType === slice.addressType && JSON.stringify(old) === JSON.stringify(slice)) return;
    if (old) this.removeSlice(key, old);
    if (!svc) return;
    if (slice.addressType === this.family) this.sliceEdited.add(svc);
    this.slices.set(key, slice);
    let set = this.slicesOfService.get(svc);
    if (!set) this.slicesOfService.set(svc, (set = new Set()));
    set.add(key);
    this.pending.add(svc);
  }

  private removeSlice(key: string, slice: EndpointSlice): void {
    this.slices.delete(key);
    const svc = this.serviceOfSlice(slice);
    if (!svc) return;
    this.slicesOfService.get(svc)?.delete(key);
    this.pending.add(svc);
    if (slice.addressType === this.family) this.sliceEdited.add(svc);
  }

  private derive(serviceKey: string): DerivedService | undefined {
    const svc = this.services.get(serviceKey);
    if (!svc) return undefined;
    const ports = servicePortsOf(svc, this.family);
    if (ports.length === 0) return undefined;
    const slices: EndpointSlice[] = [];
    for (const k of this.slicesOfService.get(serviceKey) ?? []) slices.push(this.slices.get(k)!);
    const byPort = endpointsByPort(slices, this.family, {
      nodeName: this.config.nodeName,
      nodeHints: this.node.preferSameNode,
    });
    const endpoints = new Map<string, Endpoint[]>();
    for (const p of ports) {
      const eps = byPort.get(`${p.portName}/${p.protocol}`);
      if (eps) endpoints.set(p.key, eps);
    }
    return { ports, endpoints };
  }

  /** Apply pending changes; returns the Services whose rules may differ, and the new state. */
  sync(): { changes: ChangeSet; state: ProxyState } {
    const changed = new Set<string>();
    for (const key of this.pending) {
      const before = this.derived.get(key);
      const after = this.derive(key);
      if (before === undefined && after === undefined) continue;
      if (before && after && !this.sliceEdited.has(key) && fingerprint(before) === fingerprint(after)) continue;
      changed.add(key);
      for (const p of before?.ports ?? []) this.categorizedCache.delete(p.key);
      for (const p of after?.ports ?? []) this.categorizedCache.delete(p.key);
      for (const eps of before?.endpoints.values() ?? []) this.endpointTotal -= eps.length;
      for (const eps of after?.endpoints.values() ?? []) this.endpointTotal += eps.length;
      if (after) this.derived.set(key, after);
      else this.derived.delete(key);
      this.patchSortedPorts(before?.ports, after?.ports);
    }
    this.pending.clear();
    this.sliceEdited.clear();
    const full = this.needFullSync;
    if (full) this.categorizedCache.clear();
    this.needFullSync = false;
    return { changes: { full, services: changed }, state: this.view() };
  }

  /** Keep the sorted port list without a re-sort when a Service's port keys did not change. */
  private patchSortedPorts(before: ServicePortInfo[] | undefined, after: ServicePortInfo[] | undefined): void {
    if (!this.sortedPorts) return;
    const sameKeys =
      before && after && before.length === after.length && before.every((p, i) => p.key === after[i]!.key);
    if (!sameKeys) {
      this.sortedPorts = undefined;
      return;
    }
    for (const p of after!) {
      const i = this.portIndex.get(p.key);
      if (i === undefined) {
        this.sortedPorts = undefined;
        return;
      }
      this.sortedPorts[i] = p;
    }
  }

  private view(): ProxyState {
    if (!this.sortedPorts) {
      const all: ServicePortInfo[] = [];
      for (const d of this.derived.values()) all.push(...d.ports);
      this.sortedPorts = all.sort(compareServicePorts);
      this.portIndex.clear();
      this.sortedPorts.forEach((p, i) => this.portIndex.set(p.key, i));
    }
    const ports = this.sortedPorts;
    const derived = this.derived;
    const cache = this.categorizedCache;
    const node = this.node;
    const endpointsOf = (port: ServicePortInfo) => derived.get(port.service)?.endpoints.get(port.key) ?? NO_ENDPOINTS;
    return {
      family: this.family,
      config: this.config,
      node,
      ports,
      endpointCount: this.endpointTotal,
      endpointsOf,
      categorized(port) {
        let c = cache.get(port.key);
        if (!c) cache.set(port.key, (c = categorizeEndpoints(endpointsOf(port), port, node)));
        return c;
      },
      portsOfService: (service) => derived.get(service)?.ports ?? [],
    };
  }
}

/** Build the state of one family from a complete set of objects (a full sync). */
export function buildProxyState(objects: readonly ClusterObject[], family: IPFamily, config: ProxyConfig): ProxyState {
  const tracker = new ProxyTracker(family, config);
  for (const o of objects) tracker.upsert(o);
  return tracker.sync().state;
}
