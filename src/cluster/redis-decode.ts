// Reading objects back from Redis. The keyspace may have been written by another program (or another
// version of kubeplane), so every object is bounded in size and validated like a manifest before it
// reaches a consumer; a bad one is a StoreError naming the key, never a crash deeper in.
import { ManifestLimitError, StoreError } from '../errors.js';
import { checkJsonShape } from './limits/shape.js';
import type { ClusterKind, ClusterObject } from './types.js';
import { objectKey, WORKLOAD_KINDS } from './types.js';
import { validateDocument } from './validate/index.js';

/** Every kind a store holds, one Redis hash each (a compile-time check keeps it complete). */
export const STORE_KINDS = [
  'Service',
  'EndpointSlice',
  'Node',
  'Pod',
  'Namespace',
  'ServiceCIDR',
  'KubeProxyConfiguration',
] as const satisfies readonly ClusterKind[];
type Missing = Exclude<ClusterKind, (typeof STORE_KINDS)[number]>;
const complete: [Missing] extends [never] ? true : Missing = true;
void complete;

/** Largest object we accept from Redis (the API server's own limit on a request is 3 MiB). */
export const MAX_OBJECT_BYTES = 3 * 1024 * 1024;

export function decodeObject(where: string, kind: ClusterKind | undefined, text: string): ClusterObject {
  const bad = (why: string) =>
    new StoreError(`${where}: ${why}; the store holds data kubeplane did not write (check the store's URL and prefix)`);
  if (text.length > MAX_OBJECT_BYTES) throw bad(`object of ${text.length} bytes exceeds ${MAX_OBJECT_BYTES}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  try {
    checkJsonShape(where, 0, value); // depth, string and list bounds, as for a manifest
  } catch (err) {
    if (!(err instanceof ManifestLimitError)) throw err;
    throw bad(`${err.at.field}: ${err.problem}`);
  }
  const verdict = validateDocument({ file: where, document: 0, value });
  // Workloads are never stored: the store holds what the control plane made of them (Pods).
  if (
    verdict.kind !== 'object' ||
    verdict.object.kind === 'Endpoints' ||
    (WORKLOAD_KINDS as readonly string[]).includes(verdict.object.kind)
  ) {
    const first = verdict.ctx.errors[0];
    throw bad(first ? first.message : 'not a cluster object kubeplane stores');
  }
  const o = verdict.object as ClusterObject;
  if (kind !== undefined && o.kind !== kind) throw bad(`a ${o.kind} in the ${kind} hash`);
  return o;
}

/** The hash field of an object. */
export function fieldOf(o: ClusterObject): string {
  return objectKey(o);
}
