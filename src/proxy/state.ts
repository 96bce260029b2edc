// The proxy state of one IP family on one node, and the single change tracker every mode shares
// (kube-proxy's ServiceChangeTracker + EndpointsChangeTracker): events are folded per Service, the
// affected Services are re-derived at sync time, and only those whose derived ports or endpoints
// really differ are reported in the ChangeSet.

import { parseCIDRSloppy } from '../cluster/sloppy-ip.js';
import type { WatchEvent } from '../cluster/store.js';
import type {
  ClusterObject,
  EndpointSlice,
  IPFamily,
  KubeProxyConfiguration,
  Node,
  Service,
  ServiceCIDR,
} from '../cluster/types.js';
import { SERVICE_NAME_LABEL, ZONE_LABEL } from '../cluster/types.js';
import { type ProxyConfig, type ProxyConfigFlags, resolveProxyConfig } from './config.js';
import { endpointsByPort } from './endpoints.js';
import { PersistentMap } from './persistent-map.js';
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

/**
 * One family's service ports and endpoints at one sync, sorted by service port name. A snapshot:
 * later syncs of the tracker never change it.
 */
export interface ProxyState {
  readonly family: IPFamily;
  readonly config: ProxyConfig;
  readonly node: NodeTopology;
  /** This family's ServiceCIDRs (canonical, by ServiceCIDR object name). */
  readonly serviceCIDRs: readonly string[];
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
  private derived = PersistentMap.empty<string, DerivedService>();
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
  /** Endpoint choice per port object, for one node topology (a new topology starts a new cache). */
  private categorizedCache = new WeakMap<ServicePortInfo, CategorizedEndpoints>();
  private readonly serviceCIDRObjects = new Map<string, ServiceCIDR>();
  private serviceCIDRs: readonly string[] = [];
  private nodeObject: Node | undefined;
  private proxyConfigObject: KubeProxyConfiguration | undefined;
  private configDirty = false;
  private _config: ProxyConfig;
  private _node: NodeTopology;

  /**
   * `source`: follow the node's Node object and the KubeProxyConfiguration, re-resolving the
   * config with these flags when they change (a changed config is a full sync). Without it the
   * config is fixed and only the node's topology label is followed.
   */
  constructor(
    readonly family: IPFamily,
    config: ProxyConfig,
    private readonly source?: { flags: ProxyConfigFlags },
  ) {
    this._config = config;
    this._node = topologyOf(config);
  }

  get config(): ProxyConfig {
    return this._config;
  }

  get node(): NodeTopology {
    return this._node;
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
      this.nodeObject = obj;
      if (this.source) this.configDirty = true;
      else {
        // A topology-label change on our own node forces a full sync, as in kube-proxy.
        const zone = obj.metadata.labels?.[ZONE_LABEL] ?? '';
        if (zone !== this._node.zone) this.replaceConfig({ ...this._config, zone });
      }
    } else if (obj.kind === 'KubeProxyConfiguration') {
      this.proxyConfigObject = obj;
      if (this.source) this.configDirty = true;
    } else if (obj.kind === 'ServiceCIDR') {
      this.serviceCIDRObjects.set(obj.metadata.name, obj);
      this.refreshServiceCIDRs();
    }
  }

  /** A new node configuration: every Service is derived again and the next sync is a full one. */
  private replaceConfig(config: ProxyConfig): void {
    this._config = config;
    const node = topologyOf(config);
    if (
      node.zone !== this._node.zone ||
      node.nodeName !== this._node.nodeName ||
      node.preferSameNode !== this._node.preferSameNode
    ) {
      this._node = node;
      this.categorizedCache = new WeakMap();
    }
    this.needFullSync = true;
    this.sortedPorts = undefined;
    for (const k of this.services.keys()) this.pending.add(k);
    for (const k of this.derived.keys()) this.pending.add(k);
  }

  private refreshServiceCIDRs(): void {
    const names = [...this.serviceCIDRObjects.keys()].sort();
    const out: string[] = [];
    for (const n of names)
      for (const text of this.serviceCIDRObjects.get(n)!.spec?.cidrs ?? []) {
        const c = parseCIDRSloppy(text);
        if (c && c.family === this.family && !out.includes(c.text)) out.push(c.text);
      }
    if (out.join(',') === this.serviceCIDRs.join(',')) return;
    this.serviceCIDRs = out;
    // kube-proxy writes the service CIDRs with the fixed objects of a full sync.
    this.needFullSync = true;
  }

  /** Resolve the config again from the followed Node and KubeProxyConfiguration. */
  private refreshConfig(): void {
    this.configDirty = false;
    const objects: ClusterObject[] = [];
    if (this.nodeObject) objects.push(this.nodeObject);
    if (this.proxyConfigObject) objects.push(this.proxyConfigObject);
    const next = resolveProxyConfig(objects, { ...this.source!.flags, node: this._config.nodeName });
    if (JSON.stringify(next) !== JSON.stringify(this._config)) this.replaceConfig(next);
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
    } else if (obj.kind === 'Node' && obj.metadata.name === this.config.nodeName) {
      this.nodeObject = undefined;
      if (this.source) this.configDirty = true;
    } else if (obj.kind === 'KubeProxyConfiguration') {
      this.proxyConfigObject = undefined;
      if (this.source) this.configDirty = true;
    } else if (obj.kind === 'ServiceCIDR') {
      this.serviceCIDRObjects.delete(obj.metadata.name);
      this.refreshServiceCIDRs();
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
    if (this.configDirty) this.refreshConfig();
    const changed = new Set<string>();
    const derived = this.derived.edit();
    for (const key of this.pending) {
      const before = derived.get(key);
      const after = this.derive(key);
      if (before === undefined && after === undefined) continue;
      if (before && after && !this.sliceEdited.has(key) && fingerprint(before) === fingerprint(after)) continue;
      changed.add(key);
      for (const eps of before?.endpoints.values() ?? []) this.endpointTotal -= eps.length;
      for (const eps of after?.endpoints.values() ?? []) this.endpointTotal += eps.length;
      if (after) derived.set(key, after);
      else derived.delete(key);
      this.patchSortedPorts(before?.ports, after?.ports);
    }
    this.derived = derived.done();
    this.pending.clear();
    this.sliceEdited.clear();
    const full = this.needFullSync;
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
    // Copy on write: the list an earlier state holds stays as it was.
    const ports = this.sortedPorts.slice();
    for (const p of after!) {
      const i = this.portIndex.get(p.key);
      if (i === undefined) {
        this.sortedPorts = undefined;
        return;
      }
      ports[i] = p;
    }
    this.sortedPorts = ports;
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
    const node = this._node;
    const endpointsOf = (port: ServicePortInfo) => derived.get(port.service)?.endpoints.get(port.key) ?? NO_ENDPOINTS;
    return {
      family: this.family,
      config: this._config,
      node,
      serviceCIDRs: this.serviceCIDRs,
      ports,
      endpointCount: this.endpointTotal,
      endpointsOf,
      categorized(port) {
        let c = cache.get(port);
        if (!c) cache.set(port, (c = categorizeEndpoints(endpointsOf(port), port, node)));
        return c;
      },
      portsOfService: (service) => derived.get(service)?.ports ?? [],
    };
  }
}

function topologyOf(config: ProxyConfig): NodeTopology {
  return {
    nodeName: config.nodeName,
    zone: config.zone,
    preferSameNode: config.featureGates.PreferSameTrafficDistribution ?? true,
  };
}

/** Build the state of one family from a complete set of objects (a full sync). */
export function buildProxyState(objects: readonly ClusterObject[], family: IPFamily, config: ProxyConfig): ProxyState {
  const tracker = new ProxyTracker(family, config);
  for (const o of objects) tracker.upsert(o);
  return tracker.sync().state;
}
