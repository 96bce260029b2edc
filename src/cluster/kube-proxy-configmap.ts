// kubeadm clusters keep the KubeProxyConfiguration inside the ConfigMap kube-system/kube-proxy
// (key config.conf). A `kubectl get cm -A -o yaml` dump therefore carries it there: read it out so
// the node name, clusterCIDR and mode settings apply without extracting it by hand.
import { parseDocuments, type RawDocument } from './documents.js';

const KEY = 'config.conf';

export function isKubeProxyConfigMap(value: unknown): boolean {
  const v = value as {
    kind?: unknown;
    metadata?: { name?: unknown; namespace?: unknown };
    data?: Record<string, unknown>;
  };
  return (
    v?.kind === 'ConfigMap' &&
    v.metadata?.name === 'kube-proxy' &&
    v.metadata?.namespace === 'kube-system' &&
    typeof v.data?.[KEY] === 'string'
  );
}

/** The embedded KubeProxyConfiguration document(s), located under `data[config.conf]`. */
export async function embeddedKubeProxyConfig(doc: RawDocument): Promise<RawDocument[]> {
  const text = (doc.value as { data: Record<string, string> }).data[KEY]!;
  const inner = await parseDocuments(`${doc.file}`, text);
  const prefix = `${doc.itemPath ? `${doc.itemPath}.` : ''}data[${KEY}]`;
  return inner
    .filter((d) => (d.value as { kind?: unknown })?.kind === 'KubeProxyConfiguration')
    .map((d) => ({ file: doc.file, document: doc.document, itemPath: prefix, value: d.value }));
}
