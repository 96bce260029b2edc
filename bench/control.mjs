// Completing applied manifests at Kubernetes' published limits: 10,000 Services (one per Deployment),
// 150,000 Pods (15 replicas each), 5,000 Nodes (--nodes 5000). The manifest set is generated as a
// YAML List file and loaded through the real loader once; then completeCluster (API-server
// allocation, workloads -> Pods, scheduling, pod IPs through host-local, EndpointSlice controller)
// runs REPEAT times after a warm-up, median reported. Baselines, same run, same input:
//   - load: loadManifests of the generated file (YAML parse + validation of the input set);
//   - copy: structuredClone of the completed objects (the floor of writing that many objects).
// Run after a build:  node bench/control.mjs [--json bench/results/control.json] [--services N]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifests } from '../dist/cluster/load.js';
import { completeCluster } from '../dist/control/complete.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const SERVICES = Number(arg('--services', '10000'));
const REPLICAS = 15;
const NODES = Number(arg('--nodes', '5000'));
const REPEAT = Number(arg('--repeat', '3'));
const OPTIONS = { nodes: NODES, seed: 1, clusterCidr: '10.128.0.0/9' };

function manifests() {
  const items = [];
  for (let s = 0; s < SERVICES; s++) {
    const name = `app-${s}`;
    const namespace = `ns-${s % 50}`;
    const labels = { app: name };
    items.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace },
      spec: {
        replicas: REPLICAS,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'main', image: 'app:1', ports: [{ name: 'http', containerPort: 8080 }] }] },
        },
      },
    });
    items.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace },
      spec: {
        ...(s % 10 === 0 ? { type: 'NodePort' } : {}),
        selector: labels,
        ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      },
    });
  }
  return { apiVersion: 'v1', kind: 'List', items };
}

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
/** Wall and CPU (user + system) milliseconds of `fn`: on a machine this shared, CPU time is the steadier. */
async function timed(fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, wall, cpu: (c.user + c.system) / 1000 };
}
const dir = mkdtempSync(join(tmpdir(), 'kp-bench-control-'));
try {
  const file = join(dir, 'apps.json');
  writeFileSync(file, JSON.stringify(manifests()));
  const runs = { load: [], complete: [], copy: [] };
  let loaded;
  let done;
  // Run 0 is the warm-up; phases alternate within a run so noise hits each about equally.
  for (let r = 0; r < REPEAT + 1; r++) {
    const l = await timed(() => loadManifests([file]));
    loaded = l.value;
    const c = await timed(() => completeCluster(loaded.objects, loaded.workloads ?? [], OPTIONS));
    done = c.value;
    const k = await timed(() => structuredClone(done.objects));
    if (r > 0) {
      runs.load.push(l);
      runs.complete.push(c);
      runs.copy.push(k);
    }
  }
  const med = (list, field) => median(list.map((x) => x[field]));
  const kinds = {};
  for (const o of done.objects) kinds[o.kind] = (kinds[o.kind] ?? 0) + 1;
  const wall = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, Math.round(med(v, 'wall'))]));
  const cpu = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, Math.round(med(v, 'cpu'))]));
  const result = {
    bench: 'control: complete applied manifests (completeCluster)',
    date: new Date().toISOString(),
    node: process.version,
    note: 'shared 2-core machine (8 helpers at once): absolute figures are noisy; compare the ratios',
    input: { services: SERVICES, replicasPerDeployment: REPLICAS, nodes: NODES, options: OPTIONS },
    output: kinds,
    warnings: done.warnings.length,
    repeats: REPEAT,
    medianWallMs: wall,
    medianCpuMs: cpu,
    runsWallMs: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.map((x) => Math.round(x.wall))])),
    ratioWall: {
      completeOverLoad: +(wall.complete / wall.load).toFixed(2),
      completeOverCopy: +(wall.complete / wall.copy).toFixed(2),
    },
    ratioCpu: {
      completeOverLoad: +(cpu.complete / cpu.load).toFixed(2),
      completeOverCopy: +(cpu.complete / cpu.copy).toFixed(2),
    },
    underThreeSeconds: wall.complete < 3000,
  };
  const text = `${JSON.stringify(result, null, 2)}\n`;
  const out = arg('--json', undefined);
  if (out) writeFileSync(out, text);
  process.stdout.write(text);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
