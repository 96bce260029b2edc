// Objects as multi-document YAML, in a stable order (kind, then namespace/name), so a dump diffs
// cleanly and loads back with -f.
import type { ClusterObject } from './types.js';
import { objectKey } from './types.js';

const KIND_ORDER = [
  'KubeProxyConfiguration',
  'Namespace',
  'Node',
  'ServiceCIDR',
  'Service',
  'EndpointSlice',
  'Pod',
] as const satisfies readonly ClusterObject['kind'][];

export async function dumpObjects(objects: readonly ClusterObject[], resourceVersion?: number): Promise<string> {
  const { dump } = await import('js-yaml');
  const rank = (o: ClusterObject) => KIND_ORDER.indexOf(o.kind);
  const sorted = [...objects].sort((a, b) => rank(a) - rank(b) || (objectKey(a) < objectKey(b) ? -1 : 1));
  const head = resourceVersion !== undefined ? `# kubeplane store dump at resourceVersion ${resourceVersion}\n` : '';
  return head + sorted.map((o) => `---\n${dump(o, { noRefs: true, lineWidth: -1 })}`).join('');
}
