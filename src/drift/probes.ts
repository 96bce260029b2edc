// The connections drift sends through both rule sets for one service port: to its cluster IP from a
// pod and from outside the cluster, to its node port, external IPs and load-balancer IPs (from
// inside and outside their source ranges). What both sides do with the same connections is the
// rule set's meaning; rule order, counters, comments and chain spelling do not change it.

import type { Packet, Protocol } from '../dataplane/index.js';
import { addressAt, cidrSize, formatIP, parseCIDR } from '../net/index.js';
import type { ServicePortInfo } from '../proxy/types.js';

export interface Probe {
  /** In words, for the report: "cluster IP 10.96.0.10:53/UDP from a pod". */
  readonly what: string;
  readonly packet: Packet;
}

export interface ProbeContext {
  /** The node's own addresses of this family (node ports are probed on the first). */
  readonly nodeIPs: readonly string[];
  /** Pod CIDRs of this family (a pod source is taken from the first). */
  readonly podCIDRs: readonly string[];
}

const OUTSIDE = { IPv4: '203.0.113.77', IPv6: '2001:db8::77' } as const;

/** An address near the end of the CIDR, unlikely to be a pod's: offset from the end. */
export function addressNearEnd(cidr: string, fromEnd: number): string | undefined {
  const c = parseCIDR(cidr);
  if (!c) return undefined;
  const size = cidrSize(c);
  if (size <= BigInt(fromEnd + 1)) return undefined;
  return formatIP(addressAt(c, size - BigInt(fromEnd + 1)));
}

/** A pod address of the context (different `n` give different pods), or undefined without a pod CIDR. */
export function podSource(ctx: ProbeContext, n = 0): string | undefined {
  const cidr = ctx.podCIDRs[0];
  return cidr === undefined ? undefined : addressNearEnd(cidr, 2 + n);
}

function packet(proto: Protocol, src: string, dst: string, dport: number): Packet {
  return { proto, src, sport: 40000, dst, dport, hook: 'prerouting' };
}

function bracket(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}

export function probesFor(port: ServicePortInfo, ctx: ProbeContext): Probe[] {
  const proto = port.protocol.toLowerCase() as Protocol;
  const outside = OUTSIDE[port.family];
  const p = `/${port.protocol}`;
  const out: Probe[] = [];
  const pod = podSource(ctx);
  const cip = `${bracket(port.clusterIP)}:${port.port}${p}`;
  if (pod) out.push({ what: `cluster IP ${cip} from a pod`, packet: packet(proto, pod, port.clusterIP, port.port) });
  out.push({ what: `cluster IP ${cip} from outside`, packet: packet(proto, outside, port.clusterIP, port.port) });
  const nodeIP = ctx.nodeIPs[0];
  if (port.nodePort !== 0 && nodeIP !== undefined)
    out.push({
      what: `node port ${bracket(nodeIP)}:${port.nodePort}${p} from outside`,
      packet: packet(proto, outside, nodeIP, port.nodePort),
    });
  for (const ip of port.externalIPs)
    out.push({
      what: `external IP ${bracket(ip)}:${port.port}${p} from outside`,
      packet: packet(proto, outside, ip, port.port),
    });
  for (const ip of port.loadBalancerVIPs) {
    const at = `load-balancer IP ${bracket(ip)}:${port.port}${p}`;
    out.push({ what: `${at} from outside`, packet: packet(proto, outside, ip, port.port) });
    for (const range of port.loadBalancerSourceRanges) {
      const src = addressNearEnd(range, 1) ?? range.split('/')[0]!;
      out.push({ what: `${at} from ${src} (source range ${range})`, packet: packet(proto, src, ip, port.port) });
    }
  }
  return out;
}
