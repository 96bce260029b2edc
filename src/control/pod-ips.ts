// Pod IPs as the kubelet's CNI ADD gets them: host-local over the node's podCIDRs (one range set per
// CIDR, so a dual-stack node gives one address per family), through the same allocator the CNI plugin
// runs, with one in-memory store per node (host-local keeps its state per node). Addresses Pods on
// the node already have are reserved first. hostNetwork Pods get the node's InternalIP(s).

import type { Node, Pod } from '../cluster/types.js';
import { objectKey } from '../cluster/types.js';
import { ControlError } from '../errors.js';
import { allocateAll } from '../ipam/allocator.js';
import { parseRangeSet, type RangeSet } from '../ipam/range-set.js';
import { MemoryIpamStore } from '../ipam/stores/memory.js';
import { formatIP, parseIP } from '../net/ip.js';

function podCIDRs(n: Node): string[] {
  return n.spec?.podCIDRs?.length ? n.spec.podCIDRs : n.spec?.podCIDR ? [n.spec.podCIDR] : [];
}

function internalIPs(n: Node): string[] {
  return (n.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address);
}

export function podHasIP(p: Pod): boolean {
  return Boolean(p.status?.podIP || p.status?.podIPs?.length);
}

interface NodeIpam {
  store: MemoryIpamStore;
  sets: RangeSet[];
}

/** Give every scheduled Pod without an address one; returns new objects for those changed. */
export async function assignPodIPs(pods: readonly Pod[], nodes: readonly Node[]): Promise<Pod[]> {
  const byName = new Map(nodes.map((n) => [n.metadata.name, n]));
  const ipam = new Map<string, NodeIpam>();
  const ipamOf = (node: Node): NodeIpam => {
    let got = ipam.get(node.metadata.name);
    if (!got) {
      const sets = podCIDRs(node).map((c, k) =>
        parseRangeSet([{ subnet: c }], `Node ${node.metadata.name} spec.podCIDRs[${k}]`),
      );
      got = { store: new MemoryIpamStore(), sets };
      ipam.set(node.metadata.name, got);
    }
    return got;
  };
  // Reserve what the input's Pods hold, so new addresses never collide with them.
  for (const p of pods) {
    const node = p.spec?.nodeName ? byName.get(p.spec.nodeName) : undefined;
    if (!node || p.spec?.hostNetwork || !podHasIP(p)) continue;
    const { store, sets } = ipamOf(node);
    for (const text of p.status?.podIPs?.map((x) => x.ip) ?? [p.status!.podIP!]) {
      const ip = parseIP(text);
      const k = ip ? sets.findIndex((s) => s.contains(ip)) : -1;
      if (ip && k >= 0) await store.reserve(formatIP(ip), { containerId: objectKey(p), ifname: 'eth0' }, k);
    }
  }
  const out: Pod[] = [];
  for (const p of pods) {
    const node = p.spec?.nodeName ? byName.get(p.spec.nodeName) : undefined;
    if (podHasIP(p) || !node) {
      out.push(p);
      continue;
    }
    let ips: string[];
    if (p.spec?.hostNetwork) ips = internalIPs(node);
    else {
      const { store, sets } = ipamOf(node);
      if (sets.length === 0)
        throw new ControlError(
          `Node ${node.metadata.name}`,
          'spec.podCIDRs',
          `no pod CIDR to give Pod ${objectKey(p)} an address`,
        );
      try {
        ips = (await allocateAll(store, sets, { containerId: objectKey(p), ifname: 'eth0' })).map((a) =>
          formatIP(a.ip),
        );
      } catch (err) {
        throw new ControlError(
          `Pod ${objectKey(p)}`,
          'status.podIPs',
          `${(err as Error).message} (node ${node.metadata.name})`,
        );
      }
    }
    if (ips.length === 0) {
      out.push(p);
      continue;
    }
    out.push({ ...p, status: { ...(p.status ?? {}), podIP: ips[0]!, podIPs: ips.map((ip) => ({ ip })) } });
  }
  return out;
}
