// Rule-sync benchmark: for each mode and cluster size, full and partial render times from a built
// proxy state, payload size, and the kernel's own apply time for the same full payload.
import { generateCluster } from '../cluster/generate.js';
import type { EndpointSlice, Service } from '../cluster/types.js';
import type { Applier } from '../lab/appliers/applier.js';
import { resolveProxyConfig } from '../proxy/config.js';
import type { Payload, ProxyMode, Syncer } from '../proxy/mode.js';
import { ProxyTracker } from '../proxy/state.js';
import { FULL_SYNC } from '../proxy/types.js';
import { type MachineInfo, machineInfo } from './machine.js';
import { measure, round } from './runner.js';

export type SyncKind = 'full' | 'partial-service' | 'partial-endpoint';

export interface ProxyBenchCase {
  mode: string;
  services: number;
  endpointsPerService: number;
  sync: SyncKind;
  renderMsMedian: number;
  renderMsP90: number;
  /** Tracker time to fold the change and derive the new state (not part of renderMs). */
  stateMsMedian: number;
  payloadBytes: number;
  rules: number;
  kernelApplyMsMedian: number | null;
}

export interface ProxyBenchReport {
  machine: MachineInfo;
  node: string;
  date: string;
  renderMsCovers: string;
  warmup: number;
  repeat: number;
  cases: ProxyBenchCase[];
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
  repeat: number;
  warmup: number;
  kernelRepeat: number;
  kernel: boolean;
  seed: number;
  onProgress?: (message: string) => void;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** The kernel's time to load a full sync into a fresh namespace; null without root or tools. */
export async function kernelApplyMs(applier: Applier, payloads: readonly Payload[]): Promise<number | null> {
  const { isRoot, run } = await import('../lab/exec.js');
  if (!isRoot()) return null;
  try {
    await run('sh', ['-c', applier.tools.map((t) => `command -v ${t}`).join(' && ')]);
  } catch {
    return null;
  }
  const { createNetns, deleteNetns, nextNetnsName } = await import('../lab/netns.js');
  const ns = nextNetnsName('b');
  await createNetns(ns);
  try {
    return (await applier.apply(ns, payloads, { full: true, family: 'IPv4' })).ms;
  } finally {
    await deleteNetns(ns);
  }
}

interface Synced {
  payloads: readonly Payload[];
  rules: number;
}

function bytesOf(payloads: readonly Payload[]): number {
  let n = 0;
  for (const p of payloads) n += Buffer.byteLength(p.text);
  return n;
}

export async function runProxyBench(opts: ProxyBenchOptions): Promise<ProxyBenchReport> {
  const cases: ProxyBenchCase[] = [];
  // The bench's own clock: each sync a second after the last, so no large-cluster cleanup is skipped
  // by accident and runs are repeatable.
  let clock = 0;
  for (const { name: modeName, mode, applier } of opts.modes) {
    for (const n of opts.services) {
      opts.onProgress?.(`${modeName}: ${n} services x ${opts.endpoints} endpoints: building state`);
      const objects = generateCluster({ services: n, endpoints: opts.endpoints, nodes: 100, seed: opts.seed });
      const config = resolveProxyConfig(objects, { node: 'node-0', clusterCIDR: '10.128.0.0/9' });
      const tracker = new ProxyTracker('IPv4', config);
      for (const o of objects) tracker.upsert(o);
      const first = tracker.sync();
      const newSyncer = () => mode.createSyncer({ family: 'IPv4', profile: 'default', format: 'text' });

      // Full sync: a fresh syncer and memo each time (a cold start), from the same built state.
      opts.onProgress?.(`${modeName}: ${n} services: full render`);
      let full: Synced = { payloads: [], rules: 0 };
      const fullTime = await measure(
        (s: Syncer<unknown>) => {
          const r = s.sync(first.state, FULL_SYNC, s.initialMemo, (clock += 1000));
          full = { payloads: r.payloads, rules: r.stats.rules ?? 0 };
        },
        { warmup: opts.warmup, repeat: opts.repeat },
        newSyncer,
      );
      let kernel: number | null = null;
      if (opts.kernel && applier) {
        opts.onProgress?.(`${modeName}: ${n} services: kernel apply`);
        const times: number[] = [];
        for (let i = 0; i < opts.kernelRepeat; i++) {
          const t = await kernelApplyMs(applier, full.payloads);
          if (t === null) break;
          times.push(t);
        }
        if (times.length > 0) kernel = round(times.sort((a, b) => a - b)[Math.floor((times.length - 1) / 2)]!);
      }
      cases.push({
        mode: modeName,
        services: n,
        endpointsPerService: opts.endpoints,
        sync: 'full',
        renderMsMedian: round(fullTime.median),
        renderMsP90: round(fullTime.p90),
        stateMsMedian: 0,
        payloadBytes: bytesOf(full.payloads),
        rules: full.rules,
        kernelApplyMsMedian: kernel,
      });

      // Partial syncs: one syncer that has done a full sync, then alternating changes A->B->A, each
      // sync starting from the memo the previous one returned (as an agent commits after applying).
      const syncer = newSyncer();
      let memo = syncer.sync(first.state, FULL_SYNC, syncer.initialMemo, (clock += 1000)).memo;
      const svc = objects.find(
        (o): o is Service => o.kind === 'Service' && o.metadata.name === `svc-${Math.floor(n / 2)}`,
      )!;
      const slice = objects.find(
        (o): o is EndpointSlice => o.kind === 'EndpointSlice' && o.metadata.name === `${svc.metadata.name}-abcde`,
      )!;
      const svcB = clone(svc);
      svcB.spec.ports![0]!.port = 81;
      const sliceB = clone(slice);
      sliceB.endpoints![0]!.conditions = { ready: false, serving: false, terminating: false };
      for (const [kind, a, b] of [
        ['partial-service', svc, svcB],
        ['partial-endpoint', slice, sliceB],
      ] as const) {
        opts.onProgress?.(`${modeName}: ${n} services: ${kind}`);
        let flip = false;
        let last: Synced = { payloads: [], rules: 0 };
        const stateTimes: number[] = [];
        const t = await measure(
          (s) => {
            const r = syncer.sync(s.state, s.changes, memo, (clock += 1000));
            memo = r.memo;
            last = { payloads: r.payloads, rules: r.stats.rules ?? 0 };
          },
          { warmup: opts.warmup, repeat: opts.repeat },
          () => {
            flip = !flip;
            const t0 = performance.now();
            tracker.upsert(flip ? b : a);
            const r = tracker.sync();
            stateTimes.push(performance.now() - t0);
            return r;
          },
        );
        // Leave the tracker and syncer in state A for the next kind.
        if (flip) {
          tracker.upsert(a);
          const back = tracker.sync();
          memo = syncer.sync(back.state, back.changes, memo, (clock += 1000)).memo;
        }
        stateTimes.sort((x, y) => x - y);
        cases.push({
          mode: modeName,
          services: n,
          endpointsPerService: opts.endpoints,
          sync: kind,
          renderMsMedian: round(t.median),
          renderMsP90: round(t.p90),
          stateMsMedian: round(stateTimes[Math.floor(stateTimes.length / 2)] ?? 0),
          payloadBytes: bytesOf(last.payloads),
          rules: last.rules,
          kernelApplyMsMedian: null,
        });
      }
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
    cases,
  };
}
