// Placement of Pods without a nodeName, as the default scheduler's filters would allow (nodeSelector,
// NoSchedule/NoExecute taints vs tolerations, unschedulable Nodes, 110 Pods per Node) and, among the
// Nodes that pass, the least loaded one (name order breaks ties), which spreads Pods evenly and is
// deterministic. Nodes are created when the input has none and the caller asks for N of them.

import type { Node, Pod, PodSpec, Taint, Toleration } from '../cluster/types.js';
import { objectKey } from '../cluster/types.js';
import { ControlError } from '../errors.js';

export const MAX_PODS_PER_NODE = 110;

function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.operator === 'Exists') return t.key === undefined || t.key === '' || t.key === taint.key;
  return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
}

/** Filters: nodeSelector, taints (NoSchedule, NoExecute), unschedulable (DaemonSets tolerate it). */
export function nodeAccepts(node: Node, spec: PodSpec, daemon = false): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) {
    const have = k === 'kubernetes.io/hostname' ? (labels[k] ?? node.metadata.name) : labels[k];
    if (have !== v) return false;
  }
  const tolerations = spec.tolerations ?? [];
  const taints = [...(node.spec?.taints ?? [])];
  if (node.spec?.unschedulable && !daemon)
    taints.push({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' });
  return taints.every((taint) => taint.effect === 'PreferNoSchedule' || tolerations.some((t) => tolerates(t, taint)));
}

/** A binary min-heap of [load, index] with lazy updates (loads only grow). */
class LoadHeap {
  private readonly h: [number, number][] = [];
  push(e: [number, number]): void {
    const h = this.h;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p]!, h[i]!)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }
  pop(): [number, number] | undefined {
    const h = this.h;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}
const less = (a: [number, number], b: [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

/** What a Pod's filters depend on: Pods with the same key see the same eligible Nodes. */
function filterKey(spec: PodSpec): string {
  return JSON.stringify([spec.nodeSelector ?? null, spec.tolerations ?? null]);
}

/** Bind every Pod without nodeName; returns new Pod objects for those placed (others unchanged). */
export function schedule(pods: readonly Pod[], nodes: readonly Node[]): Pod[] {
  const index = new Map(nodes.map((n, i) => [n.metadata.name, i]));
  const load = new Array<number>(nodes.length).fill(0);
  for (const p of pods) {
    const i = p.spec?.nodeName ? index.get(p.spec.nodeName) : undefined;
    if (i !== undefined) load[i]!++;
  }
  const heaps = new Map<string, LoadHeap>();
  return pods.map((p) => {
    if (p.spec?.nodeName) return p;
    const spec = p.spec ?? {};
    const key = filterKey(spec);
    let heap = heaps.get(key);
    if (!heap) {
      heap = new LoadHeap();
      nodes.forEach((n, i) => {
        if (nodeAccepts(n, spec)) heap!.push([load[i]!, i]);
      });
      heaps.set(key, heap);
    }
    for (;;) {
      const top = heap.pop();
      if (!top || top[0] >= MAX_PODS_PER_NODE) {
        if (nodes.length === 0)
          throw new ControlError(
            `Pod ${objectKey(p)}`,
            'spec.nodeName',
            'no Nodes to schedule on (add Nodes to the input or give nodes N)',
          ).about('nodes');
        throw new ControlError(
          `Pod ${objectKey(p)}`,
          'spec.nodeName',
          `0/${nodes.length} nodes are available (nodeSelector, taints or the ${MAX_PODS_PER_NODE}-pod limit)`,
        );
      }
      const [seen, i] = top;
      if (seen !== load[i]) {
        heap.push([load[i]!, i]);
        continue;
      }
      load[i]!++;
      heap.push([load[i]!, i]);
      return { ...p, spec: { ...spec, nodeName: nodes[i]!.metadata.name } };
    }
  });
}

function ipv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** N generated Nodes: node-1..node-N with InternalIPs from 172.18.0.2 up (kind's docker network). */
export function makeNodes(n: number): Node[] {
  const out: Node[] = [];
  for (let i = 0; i < n; i++) {
    const name = `node-${i + 1}`;
    out.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
      spec: {},
      status: {
        addresses: [
          { type: 'InternalIP', address: ipv4(((172 << 24) | (18 << 16)) + 2 + i) },
          { type: 'Hostname', address: name },
        ],
      },
    });
  }
  return out;
}
