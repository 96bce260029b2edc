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

function makePod(
  w: Workload,
  name: string,
  owner: { kind: string; name: string },
  extraLabels: Record<string, string>,
  spec: PodSpec,
  opts: WorkloadOptions,
): Pod {
  const ns = w.metadata.namespace ?? 'default';
  const tpl = w.spec.template;
  const ready = !named(opts.notReady, ns, name) && !named(opts.notReady, ns, w.metadata.name);
  const metadata: ObjectMeta = {
    name,
    namespace: ns,
    labels: { ...(tpl.metadata?.labels ?? {}), ...extraLabels },
    ...(tpl.metadata?.annotations ? { annotations: { ...tpl.metadata.annotations } } : {}),
    ownerReferences: [
      {
        apiVersion: owner.kind === 'Job' ? 'batch/v1' : 'apps/v1',
        kind: owner.kind,
        name: owner.name,
        controller: true,
      },
    ],
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec,
    status: {
      phase: 'Running',
      conditions: [
        { type: 'Ready', status: ready ? 'True' : 'False' },
        { type: 'ContainersReady', status: ready ? 'True' : 'False' },
      ],
    },
  };
}

/** The Pods of one workload; `nodes` (name order) is read for DaemonSets only. */
export function podsOf(w: Workload, nodes: readonly Node[], owned: ReadonlySet<string>, opts: WorkloadOptions): Pod[] {
  const ns = w.metadata.namespace ?? 'default';
  const name = w.metadata.name;
  // A shallow copy per Pod: the containers are the template's own objects, shared by every Pod of the
  // workload and never written to (nodeName, hostname and tolerations are set on the copy). A deep
  // clone per Pod was a third of the time at 150k Pods.
  const template = w.spec.template.spec ?? {};
  const spec = (): PodSpec => ({ ...template });
  const replicas = w.spec.replicas ?? 1;
  const out: Pod[] = [];
  switch (w.kind) {
    case 'Deployment': {
      const hash = podTemplateHash(w.spec.template);
      const rs = `${name}-${hash}`;
      if (owned.has(`ReplicaSet/${ns}/${rs}`)) return [];
      for (let i = 0; i < replicas; i++)
        out.push(
          makePod(
            w,
            `${rs}-${randomSuffix(opts.rand)}`,
            { kind: 'ReplicaSet', name: rs },
            { 'pod-template-hash': hash },
            spec(),
            opts,
          ),
        );
      return out;
    }
    case 'ReplicaSet':
    case 'Job': {
      if (owned.has(`${w.kind}/${ns}/${name}`)) return [];
      const n = w.kind === 'Job' ? Math.min(w.spec.parallelism ?? 1, w.spec.completions ?? Infinity) : replicas;
      const labels: Record<string, string> =
        w.kind === 'Job' ? { 'batch.kubernetes.io/job-name': name, 'job-name': name } : {};
      for (let i = 0; i < n; i++)
        out.push(makePod(w, `${name}-${randomSuffix(opts.rand)}`, { kind: w.kind, name }, labels, spec(), opts));
      return out;
    }
    case 'StatefulSet': {
      if (owned.has(`StatefulSet/${ns}/${name}`)) return [];
      for (let i = 0; i < replicas; i++) {
        const pod = `${name}-${i}`;
        const s = spec();
        s.hostname = pod;
        if (w.spec.serviceName) s.subdomain = w.spec.serviceName;
        out.push(
          makePod(
            w,
            pod,
            { kind: 'StatefulSet', name },
            { 'statefulset.kubernetes.io/pod-name': pod, 'apps.kubernetes.io/pod-index': String(i) },
            s,
            opts,
          ),
        );
      }
      return out;
    }
    case 'DaemonSet': {
      if (owned.has(`DaemonSet/${ns}/${name}`)) return [];
      for (const node of nodes) {
        const s = spec();
        // The DaemonSet controller adds these tolerations to every Pod it creates.
        s.tolerations = [...(s.tolerations ?? []), ...DAEMONSET_TOLERATIONS];
        if (!nodeAccepts(node, s, true)) continue;
        s.nodeName = node.metadata.name;
        out.push(makePod(w, `${name}-${randomSuffix(opts.rand)}`, { kind: 'DaemonSet', name }, {}, s, opts));
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
