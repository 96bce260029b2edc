// The zone's view of the cluster: slim Services, EndpointSlices and Pods (like CoreDNS's
// object/*.go), indexed by name and by IP (for PTR). Built once from a snapshot, then kept current
// one watch event at a time: a change touches only the entries of the object that changed.
import { parseIPSloppy } from '../cluster/sloppy-ip.js';
import type { WatchEvent } from '../cluster/store.js';
import type { ClusterObject, EndpointSlice, Pod, Service } from '../cluster/types.js';
import { SERVICE_NAME_LABEL } from '../cluster/types.js';

export interface PortEntry {
  name: string;
  protocol: string;
  /** -1 is CoreDNS's sentinel for "no port": it makes names exist but is never an SRV target. */
  port: number;
}

/** What CoreDNS stores for an object without ports (object/service.go, object/endpoint.go). */
const NO_PORTS: readonly PortEntry[] = [{ name: '', protocol: '', port: -1 }];

export interface ServiceEntry {
  namespace: string;
  name: string;
  kind: 'cluster' | 'headless' | 'external' | 'external-ip';
  /** Canonical cluster IPs, in spec order (dual stack: both families). */
  clusterIPs: string[];
  /** ExternalName target without its trailing dot. */
  externalName: string;
  ports: PortEntry[];
  /** spec.publishNotReadyAddresses: not-ready endpoints are published too. */
  publishNotReady: boolean;
}

export interface EndpointEntry {
  addresses: string[];
  hostname: string | undefined;
  /** The targeted pod's name (targetRef), kept when it fits a label, for `endpoint_pod_names`. */
  podName: string | undefined;
  /** Topology zone, lower case (CoreDNS's `zonal` names). */
  zone: string | undefined;
  ready: boolean;
}

export interface SliceEntry {
  key: string;
  serviceKey: string;
  endpoints: EndpointEntry[];
  ports: PortEntry[];
}

interface PodEntry {
  namespace: string;
  ip: string | undefined;
  terminating: boolean;
}

function canonical(ip: string): string | undefined {
  return parseIPSloppy(ip.trim())?.text;
}

function toService(s: Service): ServiceEntry {
  const spec = s.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  let kind: ServiceEntry['kind'] = 'cluster';
  let externalName = '';
  if (type === 'ExternalName') {
    externalName = (spec.externalName ?? '').replace(/\.$/, '');
    kind = parseIPSloppy(externalName) ? 'external-ip' : 'external';
  } else if (spec.clusterIP === 'None' || spec.clusterIPs?.[0] === 'None') kind = 'headless';
  const ips = spec.clusterIPs && spec.clusterIPs.length > 0 ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  const clusterIPs =
    kind === 'cluster' ? ips.map((ip) => canonical(ip)).filter((ip): ip is string => ip !== undefined) : [];
  return {
    namespace: s.metadata.namespace ?? 'default',
    name: s.metadata.name,
    kind,
    clusterIPs,
    externalName,
    ports:
      spec.ports && spec.ports.length > 0
        ? spec.ports.map((p) => ({ name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port }))
        : [...NO_PORTS],
    publishNotReady: spec.publishNotReadyAddresses === true,
  };
}

function toSlice(key: string, e: EndpointSlice): SliceEntry | undefined {
  const svc = e.metadata.labels?.[SERVICE_NAME_LABEL];
  if (!svc || e.addressType === 'FQDN') return undefined;
  const endpoints: EndpointEntry[] = [];
  for (const ep of e.endpoints ?? []) {
    const addresses = (ep.addresses ?? []).map(canonical).filter((a): a is string => a !== undefined);
    if (addresses.length === 0) continue;
    // EndpointSlice semantics: a missing/null ready condition means ready.
    const podName = ep.targetRef?.name;
    endpoints.push({
      addresses,
      hostname: ep.hostname || undefined,
      podName: podName && podName.length < 64 ? podName : undefined,
      zone: ep.zone?.toLowerCase(),
      ready: ep.conditions?.ready !== false,
    });
  }
  // A port without a number, or a slice without ports, is CoreDNS's sentinel -1.
  const ports: PortEntry[] =
    e.ports && e.ports.length > 0
      ? e.ports.map((p) => ({
          name: p.name ?? '',
          protocol: p.protocol ?? 'TCP',
          port: typeof p.port === 'number' ? p.port : -1,
        }))
      : [...NO_PORTS];
  return { key, serviceKey: `${e.metadata.namespace ?? 'default'}/${svc}`, endpoints, ports };
}

function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}

function removeFrom<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) m.delete(k);
}

function bump(m: Map<string, number>, k: string, by: number): void {
  const n = (m.get(k) ?? 0) + by;
  if (n <= 0) m.delete(k);
  else m.set(k, n);
}

export class ZoneIndex {
  private readonly services = new Map<string, ServiceEntry>();
  private readonly slices = new Map<string, SliceEntry>();
  private readonly slicesByService = new Map<string, Set<SliceEntry>>();
  private readonly byClusterIP = new Map<string, Set<string>>();
  private readonly byEndpointIP = new Map<string, Set<SliceEntry>>();
  private readonly pods = new Map<string, PodEntry>();
  /** "ns/ip" -> number of live pods with that primary IP (for `pods verified`). */
  private readonly podIPs = new Map<string, number>();
  private readonly namespaceObjects = new Set<string>();
  /** Namespaces referenced by Services and Pods, counted (manifests often omit Namespace objects). */
  private readonly namespaceRefs = new Map<string, number>();
  /** Unix seconds of the last change (the SOA serial, as CoreDNS's Serial()). */
  serial: number;
  /** Bumped on every change; lets callers drop answers they cached. */
  generation = 0;

  constructor(objects: readonly ClusterObject[] = [], now: () => number = Date.now) {
    this.now = now;
    for (const o of objects) this.upsert(o);
    this.serial = Math.floor(now() / 1000);
  }

  private readonly now: () => number;

  /** Make the index hold exactly `objects` (an informer's resync after its watch position was lost). */
  reset(objects: readonly ClusterObject[]): void {
    for (const m of [this.services, this.slices, this.slicesByService, this.byClusterIP, this.byEndpointIP, this.pods])
      m.clear();
    this.podIPs.clear();
    this.namespaceRefs.clear();
    this.namespaceObjects.clear();
    for (const o of objects) this.upsert(o);
    this.touched();
  }

  apply(event: WatchEvent): void {
    if (event.type === 'DELETED') this.remove(event.object);
    else this.upsert(event.object);
  }

  upsert(o: ClusterObject): void {
    switch (o.kind) {
      case 'Service':
        this.setService(o);
        break;
      case 'EndpointSlice':
        this.setSlice(o);
        break;
      case 'Pod':
        this.setPod(o);
        break;
      case 'Namespace':
        this.namespaceObjects.add(o.metadata.name);
        break;
      default:
        return;
    }
    this.touched();
  }

  remove(o: ClusterObject): void {
    const key = `${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`;
    switch (o.kind) {
      case 'Service':
        this.dropService(key);
        break;
      case 'EndpointSlice':
        this.dropSlice(key);
        break;
      case 'Pod':
        this.dropPod(key);
        break;
      case 'Namespace':
        this.namespaceObjects.delete(o.metadata.name);
        break;
      default:
        return;
    }
    this.touched();
  }

  private touched(): void {
    this.generation++;
    this.serial = Math.floor(this.now() / 1000);
  }

  private setService(s: Service): void {
    const e = toService(s);
    const key = `${e.namespace}/${e.name}`;
    this.dropService(key);
    this.services.set(key, e);
    for (const ip of e.clusterIPs) addTo(this.byClusterIP, ip, key);
    bump(this.namespaceRefs, e.namespace, 1);
  }

  private dropService(key: string): void {
    const old = this.services.get(key);
    if (!old) return;
    this.services.delete(key);
    for (const ip of old.clusterIPs) removeFrom(this.byClusterIP, ip, key);
    bump(this.namespaceRefs, old.namespace, -1);
  }

  private setSlice(s: EndpointSlice): void {
    const key = `${s.metadata.namespace ?? 'default'}/${s.metadata.name}`;
    this.dropSlice(key);
    const e = toSlice(key, s);
    if (!e) return;
    this.slices.set(key, e);
    addTo(this.slicesByService, e.serviceKey, e);
    for (const ep of e.endpoints) for (const a of ep.addresses) addTo(this.byEndpointIP, a, e);
  }

  private dropSlice(key: string): void {
    const old = this.slices.get(key);
    if (!old) return;
    this.slices.delete(key);
    removeFrom(this.slicesByService, old.serviceKey, old);
    for (const ep of old.endpoints) for (const a of ep.addresses) removeFrom(this.byEndpointIP, a, old);
  }

  private setPod(p: Pod): void {
    const namespace = p.metadata.namespace ?? 'default';
    const key = `${namespace}/${p.metadata.name}`;
    this.dropPod(key);
    const ip = p.status?.podIP ? canonical(p.status.podIP) : undefined;
    const e: PodEntry = { namespace, ip, terminating: p.metadata.deletionTimestamp !== undefined };
    this.pods.set(key, e);
    if (ip && !e.terminating) bump(this.podIPs, `${namespace}/${ip}`, 1);
    bump(this.namespaceRefs, namespace, 1);
  }

  private dropPod(key: string): void {
    const old = this.pods.get(key);
    if (!old) return;
    this.pods.delete(key);
    if (old.ip && !old.terminating) bump(this.podIPs, `${old.namespace}/${old.ip}`, -1);
    bump(this.namespaceRefs, old.namespace, -1);
  }

  hasNamespace(ns: string): boolean {
    return this.namespaceObjects.has(ns) || this.namespaceRefs.has(ns);
  }

  service(namespace: string, name: string): ServiceEntry | undefined {
    return this.services.get(`${namespace}/${name}`);
  }

  slicesOf(svc: ServiceEntry): Iterable<SliceEntry> {
    return this.slicesByService.get(`${svc.namespace}/${svc.name}`) ?? [];
  }

  /** Keys ("ns/name") of Services having this cluster IP, in insertion order. */
  servicesWithClusterIP(ip: string): Iterable<string> {
    return this.byClusterIP.get(ip) ?? [];
  }

  slicesWithEndpointIP(ip: string): Iterable<SliceEntry> {
    return this.byEndpointIP.get(ip) ?? [];
  }

  serviceByKey(key: string): ServiceEntry | undefined {
    return this.services.get(key);
  }

  hasLivePod(namespace: string, ip: string): boolean {
    return this.podIPs.has(`${namespace}/${ip}`);
  }

  /** Every Service, sorted by namespace then name (for listings such as golden answers). */
  allServices(): ServiceEntry[] {
    return [...this.services.values()].sort((a, b) =>
      a.namespace === b.namespace ? (a.name < b.name ? -1 : 1) : a.namespace < b.namespace ? -1 : 1,
    );
  }

  allPodIPs(): { namespace: string; ip: string }[] {
    return [...this.podIPs.keys()].sort().map((k) => {
      const i = k.indexOf('/');
      return { namespace: k.slice(0, i), ip: k.slice(i + 1) };
    });
  }
}
