// Workloads to Pods, as their controllers create them: Deployments through a ReplicaSet named
// <deployment>-<pod-template-hash>, ReplicaSets, DaemonSets and Jobs with generateName suffixes,
// StatefulSets with ordinal names and the headless Service's hostname/subdomain. A workload whose
// Pods the input already has (by controller ownerReference) gets no new ones.
import type { Node, ObjectMeta, Pod, PodSpec, Workload } from '../cluster/types.js';
import type { Random } from './allocation-map.js';
import { nodeAccepts } from './scheduler.js';
import { randomSuffix } from './seeded.js';

export interface WorkloadOptions {
  rand: Random;
  /** Pod or workload names ("name" or "namespace/name") whose Pods are not ready. */
  notReady: ReadonlySet<string>;
}

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** FNV-1a 32 of the template, rendered like rand.SafeEncodeString(fmt.Sprint(hash)). */
export function podTemplateHash(template: unknown): string {
  const text = JSON.stringify(template);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  let out = '';
  for (const c of String(h)) out += SAFE[c.charCodeAt(0) % SAFE.length];
  return out;
}

type Container = NonNullable<PodSpec['containers']>[number];

/**
 * Can the kubelet run this container's readiness probe? A probe on a named port the container does
 * not declare fails ("unable to find port"), so its Pod never becomes ready.
 */
export function probeCanPass(c: Container): boolean {
  const probe = c.readinessProbe as
    | { httpGet?: { port?: unknown }; tcpSocket?: { port?: unknown }; grpc?: { port?: unknown } }
    | undefined;
  const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
  if (typeof port !== 'string' || /^\d+$/.test(port)) return true;
  return (c.ports ?? []).some((p) => p.name === port);
}

function named(set: ReadonlySet<string>, ns: string, name: string): boolean {
  return set.has(name) || set.has(`${ns}/${name}`);
}

/** Owner "Kind/namespace/name" of every Pod's controller reference in the input. */
export function ownersOf(pods: readonly Pod[]): Set<string> {
  const out = new Set<string>();
  for (const p of pods)
    for (const r of p.metadata.ownerReferences ?? [])
      if (r.controller !== false) out.add(`${r.kind}/${p.metadata.namespace}/${r.name}`);
  return out;
}

/**
 * What every Pod of one workload shares. The objects are shared between its Pods, not copied: at
 * 150k Pods a copy per Pod was most of the garbage; nothing downstream writes to them.
 */
interface Shape {
  ns: string;
  ownerReferences: NonNullable<ObjectMeta['ownerReferences']>;
  annotations?: Record<string, string>;
  /** False when a container's readiness probe can never pass: its Pods are not ready. */
  probesPass: boolean;
}

function shapeOf(w: Workload, owner: { kind: string; name: string }): Shape {
  const annotations = w.spec.template.metadata?.annotations;
  return {
    ns: w.metadata.namespace ?? 'default',
    ownerReferences: [
      {
        apiVersion: owner.kind === 'Job' ? 'batch/v1' : 'apps/v1',
        kind: owner.kind,
        name: owner.name,
        controller: true,
      },
    ],
    ...(annotations ? { annotations: { ...annotations } } : {}),
    probesPass: (w.spec.template.spec?.containers ?? []).every(probeCanPass),
  };
}

const condition = (ready: boolean): NonNullable<Pod['status']>['conditions'] => [
  { type: 'Ready', status: ready ? 'True' : 'False' },
  { type: 'ContainersReady', status: ready ? 'True' : 'False' },
];
const READY = condition(true);
const NOT_READY = condition(false);

function makePod(
  w: Workload,
  name: string,
  shape: Shape,
  labels: Record<string, string>,
  spec: PodSpec,
  opts: WorkloadOptions,
): Pod {
  const ns = shape.ns;
  const ready = shape.probesPass && !named(opts.notReady, ns, name) && !named(opts.notReady, ns, w.metadata.name);
  const metadata: ObjectMeta = {
    name,
    namespace: ns,
    labels,
    ...(shape.annotations ? { annotations: shape.annotations } : {}),
    ownerReferences: shape.ownerReferences,
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec,
    status: { phase: 'Running', conditions: ready ? READY : NOT_READY },
  };
}

/** The Pods of one workload; `nodes` (name order) is read for DaemonSets only. */
export function podsOf(w: Workload, nodes: readonly Node[], owned: ReadonlySet<string>, opts: WorkloadOptions): Pod[] {
  const ns = w.metadata.namespace ?? 'default';
  const name = w.metadata.name;
  // The template's spec is shared by the Pods of a Deployment, ReplicaSet or Job (the scheduler
  // copies it when it sets nodeName); StatefulSet and DaemonSet Pods get a shallow copy each, for
  // their hostname or nodeName. The containers are always the template's own objects, never written.
  const template = w.spec.template.spec ?? {};
  const spec = (): PodSpec => ({ ...template });
  const tplLabels = w.spec.template.metadata?.labels ?? {};
  const replicas = w.spec.replicas ?? 1;
  const out: Pod[] = [];
  switch (w.kind) {
    case 'Deployment': {
      const hash = podTemplateHash(w.spec.template);
      const rs = `${name}-${hash}`;
      if (owned.has(`ReplicaSet/${ns}/${rs}`)) return [];
      const shape = shapeOf(w, { kind: 'ReplicaSet', name: rs });
      const labels = { ...tplLabels, 'pod-template-hash': hash };
      for (let i = 0; i < replicas; i++)
        out.push(makePod(w, `${rs}-${randomSuffix(opts.rand)}`, shape, labels, template, opts));
      return out;
    }
    case 'ReplicaSet':
    case 'Job': {
      if (owned.has(`${w.kind}/${ns}/${name}`)) return [];
      const n = w.kind === 'Job' ? Math.min(w.spec.parallelism ?? 1, w.spec.completions ?? Infinity) : replicas;
      const labels: Record<string, string> =
        w.kind === 'Job' ? { ...tplLabels, 'batch.kubernetes.io/job-name': name, 'job-name': name } : { ...tplLabels };
      const shape = shapeOf(w, { kind: w.kind, name });
      for (let i = 0; i < n; i++)
        out.push(makePod(w, `${name}-${randomSuffix(opts.rand)}`, shape, labels, template, opts));
      return out;
    }
    case 'StatefulSet': {
      if (owned.has(`StatefulSet/${ns}/${name}`)) return [];
      const shape = shapeOf(w, { kind: 'StatefulSet', name });
      for (let i = 0; i < replicas; i++) {
        const pod = `${name}-${i}`;
        const s = spec();
        s.hostname = pod;
        if (w.spec.serviceName) s.subdomain = w.spec.serviceName;
        const labels = {
          ...tplLabels,
          'statefulset.kubernetes.io/pod-name': pod,
          'apps.kubernetes.io/pod-index': String(i),
        };
        out.push(makePod(w, pod, shape, labels, s, opts));
      }
      return out;
    }
    case 'DaemonSet': {
      if (owned.has(`DaemonSet/${ns}/${name}`)) return [];
      const shape = shapeOf(w, { kind: 'DaemonSet', name });
      const labels = { ...tplLabels };
      const tolerations = [...(template.tolerations ?? []), ...DAEMONSET_TOLERATIONS];
      for (const node of nodes) {
        const s = spec();
        // The DaemonSet controller adds these tolerations to every Pod it creates.
        s.tolerations = tolerations;
        if (!nodeAccepts(node, s, true)) continue;
        s.nodeName = node.metadata.name;
        out.push(makePod(w, `${name}-${randomSuffix(opts.rand)}`, shape, labels, s, opts));
      }
      return out;
    }
  }
}

const DAEMONSET_TOLERATIONS: NonNullable<PodSpec['tolerations']> = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];
