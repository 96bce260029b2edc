// Rule-sync benchmark: for each mode and cluster size, full and partial render times from a built
// proxy state, payload size, heap growth, and the kernel's own apply time for the same full payload
// (plain, and as kube-proxy loads it); optionally kube-proxy's Go renderer in the same run.
import { generateCluster } from '../cluster/generate.js';
import type { ClusterObject, EndpointSlice, Service } from '../cluster/types.js';
import type { Applier } from '../lab/appliers/applier.js';
import { resolveProxyConfig } from '../proxy/config.js';
import type { Payload, ProxyMode, Syncer } from '../proxy/mode.js';
import { ProxyTracker } from '../proxy/state.js';
import { FULL_SYNC } from '../proxy/types.js';
import { collectGarbage, heapUsed } from './heap.js';
import { type MachineInfo, machineInfo } from './machine.js';
import type { GoPeerReport } from './peer.js';
import { measure, round, summarize } from './runner.js';

export type SyncKind = 'full' | 'partial-service' | 'partial-endpoint' | 'partial-1pct';

/** The Go peer's figures for the same size, and our full render as a ratio of them. */
export interface PeerFigures {
  goColdMsMedian: number;
  goWarmMsMedian: number;
  /** renderMsMedian / min(goColdMsMedian, goWarmMsMedian). */
  ratioToGoMin: number;
  goPayloadBytes: number;
}

export interface ProxyBenchCase {
  mode: string;
  services: number;
  endpointsPerService: number;
  /** Endpoints over all services (differs from services x endpointsPerService with a largest Service). */
  endpoints: number;
  nodes: number;
  sync: SyncKind;
  /** Services changed before this sync (partial syncs). */
  servicesChanged: number;
  renderMsMedian: number;
  renderMsP90: number;
  /** Tracker time to fold the change and derive the new state (not part of renderMs). */
  stateMsMedian: number;
  /** Heap used after one sync minus before it, collected before: what a sync allocates (median, MiB). */
  heapGrowthMiBMedian: number;
  payloadBytes: number;
  rules: number;
  /** Set elements / map elements, where the mode has them (nftables, ipvs). */
  elements?: number;
  /** Plain load into a fresh namespace: iptables-restore, nft -f, ipset restore + iptables-restore. */
  kernelApplyMsMedian: number | null;
  /** As kube-proxy loads a sync: iptables-restore --noflush (iptables, ipvs); null where not applicable. */
  kernelNoflushApplyMsMedian: number | null;
  /** Why a kernel figure is missing. */
  kernelSkipped?: string;
  peer?: PeerFigures;
}

export interface ProxyBenchReport {
  command?: string;
  machine: MachineInfo;
  node: string;
  date: string;
  renderMsCovers: string;
  warmup: number;
  repeat: number;
  scale?: string;
  cases: ProxyBenchCase[];
  peer?: GoPeerReport;
}

/** A mode to measure, and how its payloads reach a kernel (none: no kernel figure). */
export interface BenchMode {
  name: string;
  mode: ProxyMode;
  applier?: Applier | undefined;
}

export interface ProxyBenchOptions {
  modes: readonly BenchMode[];
  services: number[];
  endpoints: number;
  nodes?: number;
  /** Endpoints of the largest Service (see generateCluster). */
  largest?: number;
  repeat: number;
  warmup: number;
  kernelRepeat: number;
  kernel: boolean;
  /** Kill one kernel load after this long (ms) and record it as skipped. Default 300 s. */
  kernelTimeoutMs?: number;
  seed: number;
  scale?: string;
  /** Runs the Go peer for these sizes (after our cases, in the same run). */
  peer?: (sizes: readonly number[]) => Promise<GoPeerReport>;
  onProgress?: (message: string) => void;
  /** Things the user should know even when not watching progress (a skipped kernel figure). */
  onNote?: (message: string) => void;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** Why the kernel cannot be measured here, or undefined when it can. */
export async function kernelUnavailable(applier: Applier): Promise<string | undefined> {
  const { isRoot, run } = await import('../lab/exec.js');
  if (!isRoot()) return 'needs root (network namespaces)';
  try {
    await run('sh', ['-c', applier.tools.map((t) => `command -v ${t}`).join(' && ')]);
  } catch {
    return `needs ${applier.tools.join(', ')}`;
  }
  return undefined;
}

/** The kernel's time to load a full sync into a fresh namespace; null without root or tools. */
export async function kernelApplyMs(
  applier: Applier,
  payloads: readonly Payload[],
  how: { flush?: boolean; timeoutMs?: number } = {},
): Promise<number | null> {
  if ((await kernelUnavailable(applier)) !== undefined) return null;
  const { createNetns, deleteNetns, nextNetnsName } = await import('../lab/netns.js');
  const ns = nextNetnsName('b');
  await createNetns(ns);
  try {
    return (await applier.apply(ns, payloads, { full: true, family: 'IPv4', ...how })).ms;
  } finally {
    await deleteNetns(ns);
  }
}

interface Synced {
  payloads: readonly Payload[];
  rules: number;
  elements: number | undefined;
}

function bytesOf(payloads: readonly Payload[]): number {
  let n = 0;
  for (const p of payloads) n += Buffer.byteLength(p.text);
  return n;
}

function synced(r: { payloads: readonly Payload[]; stats: Readonly<Record<string, number>> }): Synced {
  return {
    payloads: r.payloads,
    rules: r.stats.rules ?? 0,
    elements: r.stats.elements ?? r.stats.setMembers,
  };
}

/** Services changed by the 1 % case: about one in a hundred, spread over the port order. */
export function onePercent(n: number): number[] {
  const k = Math.max(1, Math.round(n / 100));
  const out: number[] = [];
  for (let i = 0; i < k; i++) out.push(Math.floor(((i + 0.5) * n) / k));
  return out;
}

interface KernelFigures {
  plain: number | null;
  noflush: number | null;
  skipped?: string;
}

async function kernelFigures(
  applier: Applier | undefined,
  modeName: string,
  payloads: readonly Payload[],
  opts: ProxyBenchOptions,
): Promise<KernelFigures> {
  if (!opts.kernel) return { plain: null, noflush: null, skipped: 'not asked for' };
  if (!applier) return { plain: null, noflush: null, skipped: `no kernel applier for ${modeName}` };
  const why = await kernelUnavailable(applier);
  if (why) return { plain: null, noflush: null, skipped: why };
  const timeoutMs = opts.kernelTimeoutMs ?? 300_000;
  const hasIptables = payloads.some((p) => p.kind === 'iptables' && p.text);
  const skipped: string[] = [];
  const median = async (flush: boolean): Promise<number | null> => {
    const times: number[] = [];
    for (let i = 0; i < opts.kernelRepeat; i++) {
      try {
        const t = await kernelApplyMs(applier, payloads, { flush, timeoutMs });
        if (t === null) break;
        times.push(t);
      } catch (err) {
        const msg = String((err as Error).message);
        if (!/timed out/.test(msg)) throw err;
        skipped.push(`${flush ? 'plain' : '--noflush'} load over the ${timeoutMs / 1000} s budget`);
        break;
      }
    }
    return times.length ? round(summarize(times).median) : null;
  };
  const plain = await median(true);
  const noflush = hasIptables ? await median(false) : null;
  return { plain, noflush, ...(skipped.length ? { skipped: skipped.join('; ') } : {}) };
}

export async function runProxyBench(opts: ProxyBenchOptions): Promise<ProxyBenchReport> {
  const cases: ProxyBenchCase[] = [];
  const nodes = opts.nodes ?? 100;
  // The bench's own clock: each sync a second after the last, so no large-cluster cleanup is skipped
  // by accident and runs are repeatable.
  let clock = 0;
  const timed = { warmup: opts.warmup, repeat: opts.repeat };
  for (const { name: modeName, mode, applier } of opts.modes) {
    for (const n of opts.services) {
      opts.onProgress?.(`${modeName}: ${n} services x ${opts.endpoints} endpoints: building state`);
      const objects = generateCluster({
        services: n,
        endpoints: opts.endpoints,
        nodes,
        seed: opts.seed,
        ...(opts.largest !== undefined ? { largest: opts.largest } : {}),
      });
      const config = resolveProxyConfig(objects, { node: 'node-0', clusterCIDR: '10.128.0.0/9' });
      const tracker = new ProxyTracker('IPv4', config);
      for (const o of objects) tracker.upsert(o);
      const first = tracker.sync();
      const endpoints = first.state.endpointCount;
      const newSyncer = () => mode.createSyncer({ family: 'IPv4', profile: 'default', format: 'text' });
      const base = { mode: modeName, services: n, endpointsPerService: opts.endpoints, endpoints, nodes };

      // Full sync: a fresh syncer and memo each time (a cold start), from the same built state.
      opts.onProgress?.(`${modeName}: ${n} services: full render`);
      let full: Synced = { payloads: [], rules: 0, elements: undefined };
      const heap: number[] = [];
      const fullTime = await measure(
        (s: Syncer<unknown>) => {
          const h0 = heapUsed();
          const r = s.sync(first.state, FULL_SYNC, s.initialMemo, (clock += 1000));
          heap.push(heapUsed() - h0);
          full = synced(r);
        },
        timed,
        () => {
          collectGarbage();
          return newSyncer();
        },
      );
      opts.onProgress?.(`${modeName}: ${n} services: kernel apply`);
      const kernel = await kernelFigures(applier, modeName, full.payloads, opts);
      if (kernel.skipped && opts.kernel && applier)
        opts.onNote?.(`${modeName} ${n} services: kernel apply: ${kernel.skipped}`);
      cases.push({
        ...base,
        sync: 'full',
        servicesChanged: n,
        renderMsMedian: round(fullTime.median),
        renderMsP90: round(fullTime.p90),
        stateMsMedian: 0,
        heapGrowthMiBMedian: mib(heap),
        payloadBytes: bytesOf(full.payloads),
        rules: full.rules,
        ...(full.elements !== undefined ? { elements: full.elements } : {}),
        kernelApplyMsMedian: kernel.plain,
        kernelNoflushApplyMsMedian: kernel.noflush,
        ...(kernel.skipped ? { kernelSkipped: kernel.skipped } : {}),
      });

      // Partial syncs: one syncer that has done a full sync, then alternating changes A->B->A, each
      // sync starting from the memo the previous one returned (as an agent commits after applying).
      const syncer = newSyncer();
      let memo = syncer.sync(first.state, FULL_SYNC, syncer.initialMemo, (clock += 1000)).memo;
      const byName = new Map<string, ClusterObject>();
      for (const o of objects)
        if (o.kind === 'Service' || o.kind === 'EndpointSlice') byName.set(`${o.kind}/${o.metadata.name}`, o);
      const service = (i: number) => byName.get(`Service/svc-${i}`) as Service;
      const portChanged = (i: number) => {
        const b = clone(service(i));
        b.spec.ports![0]!.port = 81;
        return b;
      };
      const mid = Math.floor(n / 2);
      const slice = byName.get(`EndpointSlice/svc-${mid}-abcde`) as EndpointSlice;
      const sliceB = clone(slice);
      sliceB.endpoints![0]!.conditions = { ready: false, serving: false, terminating: false };
      const spread = onePercent(n);
      const kinds: [SyncKind, ClusterObject[], ClusterObject[]][] = [
        ['partial-service', [service(mid)], [portChanged(mid)]],
        ['partial-endpoint', [slice], [sliceB]],
        ['partial-1pct', spread.map(service), spread.map(portChanged)],
      ];
      for (const [kind, a, b] of kinds) {
        opts.onProgress?.(`${modeName}: ${n} services: ${kind}`);
        let flip = false;
        let last: Synced = { payloads: [], rules: 0, elements: undefined };
        const stateTimes: number[] = [];
        const heap: number[] = [];
        const t = await measure(
          (s) => {
            const h0 = heapUsed();
            const r = syncer.sync(s.state, s.changes, memo, (clock += 1000));
            heap.push(heapUsed() - h0);
            memo = r.memo;
            last = synced(r);
          },
          timed,
          () => {
            flip = !flip;
            const t0 = performance.now();
            for (const o of flip ? b : a) tracker.upsert(o);
            const r = tracker.sync();
            stateTimes.push(performance.now() - t0);
            return r;
          },
        );
        // Leave the tracker and syncer in state A for the next kind.
        if (flip) {
          for (const o of a) tracker.upsert(o);
          const back = tracker.sync();
          memo = syncer.sync(back.state, back.changes, memo, (clock += 1000)).memo;
        }
        cases.push({
          ...base,
          sync: kind,
          servicesChanged: a.length,
          renderMsMedian: round(t.median),
          renderMsP90: round(t.p90),
          stateMsMedian: round(summarize(stateTimes).median),
          heapGrowthMiBMedian: mib(heap),
          payloadBytes: bytesOf(last.payloads),
          rules: last.rules,
          ...(last.elements !== undefined ? { elements: last.elements } : {}),
          kernelApplyMsMedian: null,
          kernelNoflushApplyMsMedian: null,
        });
      }
    }
  }
  let peer: GoPeerReport | undefined;
  if (opts.peer) {
    opts.onProgress?.('go peer: kube-proxy v1.13 iptables render (builds on its first run)');
    peer = await opts.peer(opts.services);
    for (const c of cases) {
      const g = peer.cases.find((p) => p.services === c.services && p.endpointsPerService === c.endpointsPerService);
      if (!g || c.mode !== 'iptables' || c.sync !== 'full' || opts.largest !== undefined) continue;
      c.peer = {
        goColdMsMedian: g.coldMsMedian,
        goWarmMsMedian: g.warmMsMedian,
        ratioToGoMin: round(c.renderMsMedian / Math.min(g.coldMsMedian, g.warmMsMedian)),
        goPayloadBytes: g.payloadBytes,
      };
    }
  }
  return {
    machine: machineInfo(),
    node: process.version,
    date: new Date().toISOString(),
    renderMsCovers:
      'one renderer sync() call from an already-built ProxyState: walking the service ports, building the payload text and its memo; not change tracking (stateMsMedian), not writing or applying it',
    warmup: opts.warmup,
    repeat: opts.repeat,
    ...(opts.scale ? { scale: opts.scale } : {}),
    cases,
    ...(peer ? { peer } : {}),
  };
}

function mib(bytes: readonly number[]): number {
  return round(summarize(bytes).median / 2 ** 20, 1);
}
