// Rule-sync benchmark: for each mode and cluster size, full and partial render times from a built
// proxy state, payload size, and the kernel's own apply time for the same full payload.
import { generateCluster } from '../cluster/generate.js';
import type { EndpointSlice, Service } from '../cluster/types.js';
import { resolveProxyConfig } from '../proxy/config.js';
import { loadMode, type ModeName } from '../proxy/modes.js';
import { ProxyTracker } from '../proxy/state.js';
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

export interface ProxyBenchOptions {
  modes: ModeName[];
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

export async function runProxyBench(opts: ProxyBenchOptions): Promise<ProxyBenchReport> {
  const cases: ProxyBenchCase[] = [];
  for (const modeName of opts.modes) {
    const mode = await loadMode(modeName);
    if (!mode.createSyncRenderer) throw new Error(`mode ${modeName} has no sync renderer to benchmark`);
    for (const n of opts.services) {
      opts.onProgress?.(`${modeName}: ${n} services x ${opts.endpoints} endpoints: building state`);
      const objects = generateCluster({ services: n, endpoints: opts.endpoints, nodes: 100, seed: opts.seed });
      const config = resolveProxyConfig(objects, { node: 'node-0', clusterCIDR: '10.128.0.0/9' });
      const tracker = new ProxyTracker('IPv4', config);
      for (const o of objects) tracker.upsert(o);
      const first = tracker.sync();
      const newRenderer = () =>
        mode.createSyncRenderer!({ config, family: 'IPv4', profile: 'default', format: 'text' });

      // Full sync: a fresh renderer each time (a cold start), from the same built state.
      opts.onProgress?.(`${modeName}: ${n} services: full render`);
      let full = { payload: '', rules: 0 };
      const fullTime = await measure(
        (r) => {
          full = r.sync(first.state, { full: true, services: new Set() });
        },
        { warmup: opts.warmup, repeat: opts.repeat },
        newRenderer,
      );
      let kernel: number | null = null;
      if (opts.kernel && mode.measureKernelApply) {
        opts.onProgress?.(`${modeName}: ${n} services: kernel apply`);
        const times: number[] = [];
        for (let i = 0; i < opts.kernelRepeat; i++) {
          const t = await mode.measureKernelApply(full.payload);
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
        payloadBytes: Buffer.byteLength(full.payload),
        rules: full.rules,
        kernelApplyMsMedian: kernel,
      });

      // Partial syncs: one renderer that has done a full sync, then alternating changes A->B->A.
      const renderer = newRenderer();
      renderer.sync(first.state, { full: true, services: new Set() });
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
        let last = { payload: '', rules: 0 };
        const stateTimes: number[] = [];
        const t = await measure(
          (s) => {
            last = renderer.sync(s.state, s.changes);
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
        // Leave the tracker and renderer in state A for the next kind.
        if (flip) {
          tracker.upsert(a);
          const back = tracker.sync();
          renderer.sync(back.state, back.changes);
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
          payloadBytes: Buffer.byteLength(last.payload),
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
