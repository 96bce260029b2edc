// What the console shows, computed from one snapshot of the cluster: the Services list, each mode's
// full payload and the lines one Service owns in it, traces, explain, DNS resolution, IPAM use, and
// the diff from the previous snapshot. Everything is a library call; expensive parts (renders,
// dataplanes, the zone index) are made on first use and kept for the life of the snapshot.
import type { ClusterObject, IPFamily, Node, Pod, Service } from '../cluster/types.js';
import { type Dataplane, randomChooser, sampleConnections, seededRandom } from '../dataplane/index.js';
import type { Packet, Trace } from '../dataplane/packet.js';
import { ZoneIndex } from '../dns/index.js';
import { ConsoleRequestError } from '../errors.js';
import { cidrContains, cidrSize, parseCIDR, parseIP } from '../net/index.js';
import { type ProxyConfig, resolveProxyConfig, selectNodeName } from '../proxy/config.js';
import type { Payload, ProxyMode } from '../proxy/mode.js';
import { diffPayloads, renderFullSync, replayDiff, trackerFor } from '../proxy/run.js';
import type { ProxyState } from '../proxy/state.js';
import { ownedLines, type RulesMode } from './owned-lines.js';

export type ModeLoader = (name: string) => Promise<ProxyMode>;
export const RULES_MODES: readonly RulesMode[] = ['iptables', 'nftables', 'ipvs'];
export const TRACE_MODES = ['iptables', 'nftables', 'ipvs'] as const;
export type TraceMode = (typeof TRACE_MODES)[number];

export interface ConsoleWarning {
  /** "ns/name" of the object it is about, when it is about one. */
  object?: string;
  message: string;
}

/** One snapshot the console saw: the store at one resourceVersion (its id). */
export interface SyncRecord {
  readonly id: number;
  /** When the console took it in (ISO 8601). */
  readonly at: string;
  readonly objects: readonly ClusterObject[];
}

/** How many snapshots the console keeps for the diff view (the oldest go first). */
export const SYNC_HISTORY = 16;

export interface ViewOptions {
  loadMode: ModeLoader;
  node?: string | undefined;
  warnings?: readonly ConsoleWarning[];
}

export interface RenderedRules {
  mode: RulesMode;
  family: IPFamily;
  text: string;
  lines: number;
  stats: Readonly<Record<string, number>>;
}

export interface TraceRequest {
  mode: TraceMode;
  packet: Packet;
  count: number;
  seed: number;
}

export class ConsoleView {
  readonly node: string;
  readonly config: ProxyConfig;
  private readonly states = new Map<IPFamily, ProxyState>();
  private readonly renders = new Map<string, Promise<RenderedRules>>();
  private readonly planes = new Map<string, Promise<Dataplane>>();
  private zoneIndex: ZoneIndex | undefined;

  constructor(
    readonly objects: readonly ClusterObject[],
    readonly version: number,
    /** The snapshots seen so far, oldest first, this one last (at most SYNC_HISTORY). */
    readonly syncs: readonly SyncRecord[],
    private readonly options: ViewOptions,
  ) {
    this.node = selectNodeName(objects, options.node);
    this.config = resolveProxyConfig(objects, { node: this.node });
  }

  get warnings(): readonly ConsoleWarning[] {
    return this.options.warnings ?? [];
  }

  state(family: IPFamily): ProxyState {
    let s = this.states.get(family);
    if (!s) {
      s = trackerFor(this.objects, family, { node: this.node }).sync().state;
      this.states.set(family, s);
    }
    return s;
  }

  /** The cluster DNS zone of this snapshot. */
  zone(): ZoneIndex {
    this.zoneIndex ??= new ZoneIndex(this.objects);
    return this.zoneIndex;
  }

  serviceObjects(): Service[] {
    return this.objects.filter((o): o is Service => o.kind === 'Service');
  }

  findService(namespace: string, name: string): Service | undefined {
    return this.serviceObjects().find(
      (s) => s.metadata.name === name && (s.metadata.namespace ?? 'default') === namespace,
    );
  }

  /** The full sync of one mode and family on this node, as the kernel would be handed it. */
  rules(mode: RulesMode, family: IPFamily): Promise<RenderedRules> {
    const k = `${mode} ${family}`;
    let r = this.renders.get(k);
    if (!r) {
      r = this.options.loadMode(mode).then((impl) => {
        const result = renderFullSync(
          impl,
          this.objects,
          { node: this.node },
          { family, format: 'text', profile: 'default' },
        );
        const text = payloadText(result.payloads);
        return { mode, family, text, lines: text.split('\n').length - 1, stats: result.stats };
      });
      this.renders.set(k, r);
    }
    return r;
  }

  /** Line numbers (1-based) that Service `key` owns in each mode's payload. */
  async ownedLines(key: string, family: IPFamily): Promise<Record<RulesMode, number[]>> {
    const ports = this.state(family).portsOfService(key);
    const out = {} as Record<RulesMode, number[]>;
    for (const mode of RULES_MODES) out[mode] = ownedLines(mode, (await this.rules(mode, family)).text, key, ports);
    return out;
  }

  /** The rules of `node` in one mode, loaded into the emulator (conntrack flushed before each use). */
  plane(mode: TraceMode, family: IPFamily, node = this.node): Promise<Dataplane> {
    const k = `${mode} ${family} ${node}`;
    let p = this.planes.get(k);
    if (!p) {
      p = (async () => {
        const { loadDataplane } = await import('../dataplane/load.js');
        const impl = await this.options.loadMode(mode);
        const config = node === this.node ? this.config : resolveProxyConfig(this.objects, { node });
        const result = renderFullSync(impl, this.objects, { node }, { family, format: 'text', profile: 'default' });
        // The same text /api/rules shows, so a trace step's line number points into it.
        const text = payloadText(result.payloads);
        return loadDataplane(mode, text, { localAddresses: [...config.nodeIPs.IPv4, ...config.nodeIPs.IPv6] });
      })();
      this.planes.set(k, p);
    }
    return p;
  }

  async trace(
    req: TraceRequest,
  ): Promise<{ first: Trace; counts?: Map<string, number>; expected?: Map<string, number>; chiSquareP?: number }> {
    const plane = await this.plane(req.mode, req.packet.dst.includes(':') ? 'IPv6' : 'IPv4');
    plane.flushConntrack();
    if (req.count <= 1) return { first: plane.trace(req.packet, randomChooser(seededRandom(req.seed))) };
    const r = sampleConnections(plane, req.packet, req.count, req.seed);
    plane.flushConntrack();
    return { first: r.first, counts: r.counts, expected: r.expected, chiSquareP: r.chiSquareP };
  }

  async explain(ref: string): Promise<string> {
    const { explainService } = await import('../dataplane/explain.js');
    return explainService(this.objects, this.node, ref, async (mode, node) => {
      const plane = await this.plane(mode, 'IPv4', node);
      plane.flushConntrack();
      return plane;
    });
  }

  /** Pod CIDRs per node and how many of their addresses Pods and endpoints use. */
  ipam() {
    const used = new Set<string>();
    for (const o of this.objects) {
      if (o.kind === 'Pod') for (const ip of podIPs(o)) used.add(ip);
      if (o.kind === 'EndpointSlice') for (const e of o.endpoints ?? []) for (const a of e.addresses ?? []) used.add(a);
    }
    const addresses = [...used].map((t) => parseIP(t)).filter((ip) => ip !== undefined);
    const nodes = this.objects.filter((o): o is Node => o.kind === 'Node');
    return nodes.map((n) => {
      const cidrs = n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : []);
      const pods = this.objects.filter(
        (o): o is Pod => o.kind === 'Pod' && o.spec?.nodeName === n.metadata.name,
      ).length;
      return {
        node: n.metadata.name,
        pods,
        ranges: cidrs.map((text) => {
          const c = parseCIDR(text.trim());
          if (!c) return { cidr: text, size: '0', used: 0, usable: '0' };
          const size = cidrSize(c);
          // host-local hands out the range less the network address, the gateway and (IPv4) broadcast.
          const reserved = c.family === 'IPv4' ? 3n : 2n;
          const usable = size > reserved ? size - reserved : 0n;
          const inRange = addresses.filter((ip) => cidrContains(c, ip)).length;
          // Sizes as decimal strings: an IPv6 /64 does not fit a JSON number.
          return { cidr: text, size: size.toString(), usable: usable.toString(), used: inRange };
        }),
      };
    });
  }

  /** The snapshot before this one, when the console has seen a change. */
  get previous(): SyncRecord | undefined {
    return this.syncs.length > 1 ? this.syncs[this.syncs.length - 2] : undefined;
  }

  sync(id: number, parameter: string): SyncRecord {
    const s = this.syncs.find((x) => x.id === id);
    if (!s)
      throw new ConsoleRequestError(
        parameter,
        `no sync ${id} in the console's history (it keeps ${this.syncs.map((x) => x.id).join(', ')})`,
      );
    return s;
  }

  /**
   * What `kubeplane diff --from A --to B` prints for one mode: the partial sync a node holding
   * snapshot `from` makes when the store changes to snapshot `to` (the library's diff core).
   */
  async diff(mode: RulesMode, family: IPFamily, from: SyncRecord, to: SyncRecord) {
    const impl = await this.options.loadMode(mode);
    const options = { family, format: 'text', profile: 'default' } as const;
    const d = replayDiff(impl, from.objects, to.objects, { node: this.options.node }, options);
    const { payloads, summary } = diffPayloads(impl, d, 'text');
    const body = payloadText(payloads);
    return {
      changedServices: d.changedServices,
      summary,
      stats: d.after.stats,
      payload: body,
      // The text output of `kubeplane diff`: the payload, then the summary as comment lines.
      output: `${body}${summary.map((l) => `# ${l}\n`).join('')}`,
    };
  }

  serviceKeyOrThrow(namespace: string, name: string): Service {
    const svc = this.findService(namespace, name);
    if (!svc) throw new ConsoleRequestError('service', `no Service ${namespace}/${name} in the cluster`);
    return svc;
  }
}

/** One payload as is; several (ipvs) joined under their headers, as `rules` and `diff` print them. */
function payloadText(payloads: readonly Payload[]): string {
  return payloads.length === 1 ? payloads[0]!.text : payloads.map((p) => `${p.header}\n${p.text}`).join('');
}

function podIPs(p: Pod): string[] {
  const ips = (p.status?.podIPs ?? []).map((x) => x.ip);
  if (p.status?.podIP && !ips.includes(p.status.podIP)) ips.push(p.status.podIP);
  return ips;
}
