// The IPAM benchmark (`kubeplane ipam bench`): ADD+DEL rates through the library and the executable,
// single and 8 concurrent processes; 5,000 node CIDRs + 150,000 pod IPs in-process; and the
// executable's ADD cost against the number of existing allocations, beside `node -e 0` measured in
// the same run (and upstream host-local when /usr/lib/cni/host-local exists).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { BenchError } from '../errors.js';
import { allocateAll, releaseAll } from '../ipam/allocator.js';
import { parseNodeCidrConfig, planNodeCidrs } from '../ipam/node-cidr-allocator.js';
import { parseRangeSet, type RangeSet } from '../ipam/range-set.js';
import type { IpamStore } from '../ipam/store.js';
import { FileIpamStore } from '../ipam/stores/file.js';
import { MemoryIpamStore } from '../ipam/stores/memory.js';
import { cniCall, cniEnv, cpuMs, execTimed, nodeStartMs, type Plugin } from './ipam-exec.js';
import { type MachineInfo, machineInfo } from './machine.js';
import { summarize } from './runner.js';

const PLUGIN = fileURLToPath(new URL('../ipam/cni-main.js', import.meta.url));
const WORKER = fileURLToPath(new URL('./ipam-worker.js', import.meta.url));
const HOST_LOCAL = '/usr/lib/cni/host-local';
const NETWORK = 'bench';
const SUBNET = '10.0.0.0/16';

export interface IpamBenchOptions {
  quick?: boolean;
  onProgress?: (message: string) => void;
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function configFor(dataDir: string): string {
  return JSON.stringify({
    cniVersion: '1.0.0',
    name: NETWORK,
    type: 'bridge',
    ipam: { type: 'x', dataDir, ranges: [[{ subnet: SUBNET }]] },
  });
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kubeplane-ipam-bench-'));
}

async function libraryRate(store: IpamStore, pairs: number): Promise<number> {
  const sets = [parseRangeSet([{ subnet: SUBNET }], 'bench')];
  const t0 = performance.now();
  for (let i = 0; i < pairs; i++) {
    const owner = { containerId: `lib-${i}`, ifname: 'eth0' };
    await allocateAll(store, sets, owner);
    await releaseAll(store, owner);
  }
  return pairs / ((performance.now() - t0) / 1000);
}

async function libraryConcurrentRate(workers: number, pairsEach: number): Promise<number> {
  const dir = tempDir();
  try {
    const runs = await Promise.all(
      Array.from({ length: workers }, (_, k) =>
        execTimed(
          process.execPath,
          [WORKER, dir, NETWORK, String(pairsEach), String(k)],
          { PATH: process.env.PATH },
          '',
        ),
      ),
    );
    const spans = runs.map((r) => {
      if (r.code !== 0) throw new BenchError(`ipam worker failed (exit ${r.code})`);
      return JSON.parse(r.stdout) as { start: number; end: number };
    });
    const wall = Math.max(...spans.map((s) => s.end)) - Math.min(...spans.map((s) => s.start));
    return (workers * pairsEach) / (wall / 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function execRate(plugin: Plugin, workers: number, pairsEach: number): Promise<number> {
  const dir = tempDir();
  const config = configFor(dir);
  try {
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: workers }, async (_, k) => {
        for (let i = 0; i < pairsEach; i++) {
          await cniCall(plugin, 'ADD', `x${k}-${i}`, config);
          await cniCall(plugin, 'DEL', `x${k}-${i}`, config);
        }
      }),
    );
    return (workers * pairsEach) / ((performance.now() - t0) / 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Fill a data dir with `n` allocations (through the library: same files the plugins write). */
async function fill(dir: string, n: number, keepIndex: boolean): Promise<void> {
  const store = new FileIpamStore(dir, NETWORK);
  const sets = [parseRangeSet([{ subnet: SUBNET }], 'bench')];
  for (let i = 0; i < n; i++) await allocateAll(store, sets, { containerId: `fill-${i}`, ifname: 'eth0' });
  if (!keepIndex) rmSync(join(dir, NETWORK, '.kubeplane'), { recursive: true, force: true });
}

export interface CurvePoint {
  allocations: number;
  addMsMedian: number;
  nodeStartMsMedian: number;
  /**
   * CPU time (user+sys) of one ADD process and of `node -e 0`: means, because GNU time reports in
   * 10 ms steps and only the mean of many samples resolves below that. Absent without /usr/bin/time.
   */
  addCpuMsMean?: number;
  nodeStartCpuMsMean?: number;
  /** ADD median minus `node -e 0` median (for host-local: the ADD itself, no runtime start-up). */
  overheadMs: number;
  /** ADD median / ADD median at 0 allocations. */
  vsEmpty: number;
}

interface CurveSubject {
  readonly plugin: Plugin;
  /** false for host-local: drop our owner index so its directory walk reads only its own files. */
  readonly keepIndex: boolean;
}

interface Samples {
  wall: number[];
  cpu: number[];
}

/**
 * ADD cost against existing allocations, for every subject at every size. Repetitions are
 * interleaved (rep 1 of every size and plugin, then rep 2, ...) with `node -e 0` measured next to each,
 * so a burst of other load on the machine lands on all points alike instead of on one.
 */
async function addCurves(
  subjects: readonly CurveSubject[],
  sizes: readonly number[],
  reps: number,
): Promise<CurvePoint[][]> {
  const dirs = new Map<string, string>();
  const key = (s: number, n: number) => `${s}/${n}`;
  const add = new Map<string, Samples>();
  const base = new Map<string, Samples>();
  try {
    for (const [si, sub] of subjects.entries())
      for (const n of sizes) {
        const dir = tempDir();
        dirs.set(key(si, n), dir);
        await fill(dir, n, sub.keepIndex);
        await cniCall(sub.plugin, 'ADD', 'warm', configFor(dir));
        await cniCall(sub.plugin, 'DEL', 'warm', configFor(dir));
        add.set(key(si, n), { wall: [], cpu: [] });
        base.set(key(si, n), { wall: [], cpu: [] });
      }
    for (let r = 0; r < reps; r++)
      for (const [si, sub] of subjects.entries())
        for (const n of sizes) {
          const config = configFor(dirs.get(key(si, n))!);
          const a = add.get(key(si, n))!;
          const b = base.get(key(si, n))!;
          b.wall.push(await nodeStartMs());
          a.wall.push(await cniCall(sub.plugin, 'ADD', `probe-${r}`, config));
          await cniCall(sub.plugin, 'DEL', `probe-${r}`, config);
          const c = await cpuMs(sub.plugin.cmd, sub.plugin.args, cniEnv('ADD', `cpu-${r}`), config);
          await cniCall(sub.plugin, 'DEL', `cpu-${r}`, config);
          const c0 = await cpuMs(process.execPath, ['-e', '0'], { PATH: process.env.PATH }, '');
          if (c !== undefined) a.cpu.push(c);
          if (c0 !== undefined) b.cpu.push(c0);
        }
  } finally {
    for (const d of dirs.values()) rmSync(d, { recursive: true, force: true });
  }
  return subjects.map((sub, si) => {
    const out: CurvePoint[] = [];
    for (const n of sizes) {
      const a = add.get(key(si, n))!;
      const b = base.get(key(si, n))!;
      const addMs = summarize(a.wall).median;
      const startMs = summarize(b.wall).median;
      out.push({
        allocations: n,
        addMsMedian: round(addMs),
        nodeStartMsMedian: round(startMs),
        overheadMs: round(sub.plugin.name === 'host-local' ? addMs : addMs - startMs),
        vsEmpty: round(addMs / (out[0]?.addMsMedian ?? addMs)),
        ...(a.cpu.length ? { addCpuMsMean: round(mean(a.cpu)) } : {}),
        ...(b.cpu.length ? { nodeStartCpuMsMean: round(mean(b.cpu)) } : {}),
      });
    }
    return out;
  });
}

function nodesAndPods(nodes: number, podsPerNode: number, dual: boolean): Promise<Record<string, number>> {
  return (async () => {
    (globalThis as { gc?: () => void }).gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const plan = planNodeCidrs(
      Array.from({ length: nodes }, (_, i) => ({ name: `node-${i}`, podCIDRs: [] })),
      parseNodeCidrConfig(dual ? '10.0.0.0/8,fd00:10::/48' : '10.0.0.0/8'),
    );
    const t1 = performance.now();
    const stores: MemoryIpamStore[] = [];
    let pods = 0;
    for (const n of plan.nodes) {
      const sets: RangeSet[] = n.podCIDRs.map((c, k) => parseRangeSet([{ subnet: c }], `node ${n.name} [${k}]`));
      const store = new MemoryIpamStore();
      stores.push(store);
      for (let p = 0; p < podsPerNode; p++) {
        await allocateAll(store, sets, { containerId: `${n.name}-pod-${p}`, ifname: 'eth0' });
        pods++;
      }
    }
    const t2 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const heap = process.memoryUsage();
    return {
      nodes,
      pods,
      addressesPerPod: dual ? 2 : 1,
      nodeCidrMs: round(t1 - t0),
      podIpMs: round(t2 - t1),
      totalMs: round(t2 - t0),
      // CPU time of this process over the same span: the figure other load on the machine moves least.
      totalCpuMs: round((cpu.user + cpu.system) / 1000),
      heapUsedDeltaMiB: round((heap.heapUsed - heap0) / 2 ** 20, 1),
      rssMiB: round(heap.rss / 2 ** 20, 1),
      storesKept: stores.length,
    };
  })();
}

export interface IpamBenchReport {
  machine: MachineInfo;
  /** 1-minute load average at start and end: other work on the machine inflates wall-clock figures. */
  loadAverage: { start: number; end: number };
  node: string;
  date: string;
  library: Record<string, number>;
  executable: Record<string, number>;
  scale: Record<string, number>[];
  addCurve: { kubeplaneIpam: CurvePoint[]; hostLocal?: CurvePoint[] };
  notes: string[];
}

export async function runIpamBench(opts: IpamBenchOptions = {}): Promise<IpamBenchReport> {
  const q = opts.quick === true;
  const loadStart = round(loadavg()[0] ?? 0);
  const say = opts.onProgress ?? (() => undefined);
  const ours: Plugin = { name: 'kubeplane-ipam', cmd: process.execPath, args: [PLUGIN] };
  const hostLocal: Plugin | undefined = existsSync(HOST_LOCAL)
    ? { name: 'host-local', cmd: HOST_LOCAL, args: [] }
    : undefined;

  say('library ADD+DEL rates');
  const fileDir = tempDir();
  const library = {
    memoryPairsPerSec: round(await libraryRate(new MemoryIpamStore(), q ? 2000 : 20000), 0),
    filePairsPerSec: round(await libraryRate(new FileIpamStore(fileDir, NETWORK), q ? 200 : 2000), 0),
    file8ProcessesPairsPerSec: round(await libraryConcurrentRate(8, q ? 50 : 300), 0),
  };
  rmSync(fileDir, { recursive: true, force: true });

  say('executable ADD+DEL rates');
  const executable: Record<string, number> = {
    kubeplaneSinglePairsPerSec: round(await execRate(ours, 1, q ? 5 : 30), 1),
    kubeplane8ConcurrentPairsPerSec: round(await execRate(ours, 8, q ? 2 : 8), 1),
  };
  if (hostLocal) {
    executable.hostLocalSinglePairsPerSec = round(await execRate(hostLocal, 1, q ? 5 : 30), 1);
    executable.hostLocal8ConcurrentPairsPerSec = round(await execRate(hostLocal, 8, q ? 2 : 8), 1);
  }

  say('5,000 node CIDRs + 150,000 pod IPs in-process');
  const scale = [await nodesAndPods(q ? 500 : 5000, 30, false), await nodesAndPods(q ? 500 : 5000, 30, true)];

  const sizes = [0, 1000, 2500, 5000];
  const reps = q ? 3 : 20;
  say('executable ADD cost curve');
  const subjects: CurveSubject[] = [
    { plugin: ours, keepIndex: true },
    ...(hostLocal ? [{ plugin: hostLocal, keepIndex: false }] : []),
  ];
  const [oursCurve, hostLocalCurve] = await addCurves(subjects, sizes, reps);
  const curve: IpamBenchReport['addCurve'] = {
    kubeplaneIpam: oursCurve!,
    ...(hostLocalCurve ? { hostLocal: hostLocalCurve } : {}),
  };
  return {
    machine: machineInfo(),
    loadAverage: { start: loadStart, end: round(loadavg()[0] ?? 0) },
    node: process.version,
    date: new Date().toISOString(),
    library,
    executable,
    scale,
    addCurve: curve,
    notes: [
      'pairs/s = ADD followed by DEL of the same container; executable rates include process start-up',
      'library 8 processes: 8 Node processes sharing one file-store data dir (one lock)',
      'scale: node CIDRs from 10.0.0.0/8 (/24) [and fd00:10::/48 (/64)], 30 pods per node, memory store per node, one process',
      `ADD curve: median wall-clock of ${reps} ADDs per point (each followed by its DEL), repetitions interleaved across sizes and plugins, node -e 0 measured next to each; CPU = mean user+sys from GNU time`,
      'host-local: Debian containernetworking-plugins 1.1.1, cniVersion 1.0.0 for both plugins',
    ],
  };
}

export function summarizeIpamBench(r: IpamBenchReport): string {
  const lines = [
    `library ADD+DEL/s: memory ${r.library.memoryPairsPerSec}, file ${r.library.filePairsPerSec}, file x8 processes ${r.library.file8ProcessesPairsPerSec}`,
    `executable ADD+DEL/s: ${Object.entries(r.executable)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `load average: ${r.loadAverage.start} at start, ${r.loadAverage.end} at end (${r.machine.cpus} CPUs)`,
    ...r.scale.map(
      (s) =>
        `scale: ${s.nodes} nodes + ${s.pods} pods x${s.addressesPerPod}: ${s.totalMs} ms wall, ${s.totalCpuMs} ms CPU (node CIDRs ${s.nodeCidrMs} ms), heap +${s.heapUsedDeltaMiB} MiB, rss ${s.rssMiB} MiB`,
    ),
    'ADD cost (ms) vs allocations: n, kubeplane-ipam ADD, node -e 0, overhead, x empty, [cpu ADD, cpu node -e 0] | host-local ADD, x empty, [cpu]',
    ...r.addCurve.kubeplaneIpam.map((p, i) => {
      const h = r.addCurve.hostLocal?.[i];
      return `  ${p.allocations}\t${p.addMsMedian}\t${p.nodeStartMsMedian}\t${p.overheadMs}\t${p.vsEmpty}x\t[${p.addCpuMsMean ?? '-'}, ${p.nodeStartCpuMsMean ?? '-'}]${h ? `\t| ${h.addMsMedian}\t${h.vsEmpty}x\t[${h.addCpuMsMean ?? '-'}]` : ''}`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}
