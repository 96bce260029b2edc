// What `drift` and `label` read: the node's dump (--rules), and the cluster (-f) rendered for the
// node by the mode, one family per proxier as kube-proxy runs them.
import type { ClusterObject, IPFamily } from '../cluster/types.js';
import type { ProbeContext } from '../drift/index.js';
import { UsageError } from '../errors.js';
import type { Endpoint, ServicePortInfo } from '../proxy/types.js';

export type DumpMode = 'iptables' | 'nftables';

export function dumpMode(mode: string | undefined): DumpMode {
  if (mode !== 'iptables' && mode !== 'nftables') throw new UsageError('--mode must be iptables or nftables');
  return mode;
}

export async function readDump(path: string | undefined): Promise<string> {
  if (path === undefined) throw new UsageError('--rules is required (an iptables-save or nft list ruleset dump)');
  const { readFile } = await import('node:fs/promises');
  return readFile(path === '-' ? '/dev/stdin' : path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`--rules ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  });
}

/** The families a dump holds: iptables-save is one family (ip6tables-save the other); nft both. */
export function familiesOf(mode: DumpMode, dump: string): IPFamily[] {
  if (mode === 'nftables') {
    const v4 = /\btable ip kube-proxy\b|"family":\s*"ip"/.test(dump);
    const v6 = /\btable ip6 kube-proxy\b|"family":\s*"ip6"/.test(dump);
    return v4 || !v6 ? (v6 ? ['IPv4', 'IPv6'] : ['IPv4']) : ['IPv6'];
  }
  return / -[ds] [0-9a-f]*:[0-9a-f:]*[:/ ]/i.test(dump) ? ['IPv6'] : ['IPv4'];
}

export interface RenderedNode {
  readonly text: string;
  readonly ports: ServicePortInfo[];
  readonly endpointsOf: (port: ServicePortInfo) => readonly Endpoint[];
  readonly contexts: Record<IPFamily, ProbeContext>;
  readonly localAddresses: string[];
}

export async function renderNode(
  mode: DumpMode,
  objects: readonly ClusterObject[],
  node: string | undefined,
  families: readonly IPFamily[],
): Promise<RenderedNode> {
  const { loadMode } = await import('./modes.js');
  const { trackerFor } = await import('../proxy/run.js');
  const { resolveProxyConfig, selectNodeName } = await import('../proxy/config.js');
  const { FULL_SYNC } = await import('../proxy/types.js');
  const flags = { node: selectNodeName(objects, node) };
  const config = resolveProxyConfig(objects, flags);
  const impl = await loadMode(mode);
  let text = '';
  const ports: ServicePortInfo[] = [];
  const owners = new Map<ServicePortInfo, (p: ServicePortInfo) => readonly Endpoint[]>();
  for (const family of families) {
    const syncer = impl.createSyncer({ family, format: 'text', profile: 'default' });
    const { state } = trackerFor(objects, family, flags).sync();
    text += syncer
      .sync(state, FULL_SYNC, syncer.initialMemo, 0)
      .payloads.map((p) => p.text)
      .join('');
    for (const p of state.ports) {
      ports.push(p);
      owners.set(p, (x) => state.endpointsOf(x));
    }
  }
  const context = (f: IPFamily): ProbeContext => ({
    nodeIPs: config.nodeIPs[f],
    podCIDRs: [...config.nodePodCIDRs[f], ...config.clusterCIDRs[f]],
  });
  return {
    text,
    ports,
    endpointsOf: (p) => owners.get(p)?.(p) ?? [],
    contexts: { IPv4: context('IPv4'), IPv6: context('IPv6') },
    localAddresses: [...config.nodeIPs.IPv4, ...config.nodeIPs.IPv6],
  };
}
