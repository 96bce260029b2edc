// The IPVS proxier's desired state as data: virtual servers with their real servers, ipset members
// and kube-ipvs0 addresses, each contributed by one Service (the unit of partial syncs).
import type { Protocol } from '../types.js';

export interface RealServer {
  readonly address: string;
  readonly port: number;
  readonly weight: number;
}

export interface VirtualServer {
  readonly protocol: Protocol;
  readonly address: string;
  readonly port: number;
  readonly scheduler: string;
  /** ClientIP affinity timeout (IPVS "persistent"), or null. */
  readonly persistenceTimeout: number | null;
  readonly realServers: readonly RealServer[];
}

/** What one Service puts into the kernel. */
export interface Contribution {
  readonly virtualServers: readonly VirtualServer[];
  /** [set name (family-neutral, e.g. "KUBE-CLUSTER-IP"), member as `ipset save` prints it]. */
  readonly members: readonly (readonly [string, string])[];
  /** Addresses bound to kube-ipvs0 (bare IPs). */
  readonly addresses: readonly string[];
  /** KUBE-IPVS-OUT-FILTER DROP rules for LB IPs whose source ranges exclude the node. */
  readonly noNodeAccess: readonly string[];
}

export const EMPTY_CONTRIBUTION: Contribution = { virtualServers: [], members: [], addresses: [], noNodeAccess: [] };

/** "TCP/10.0.0.1/80": a virtual server's identity (upstream's VirtualServer.String()). */
export function vsKey(vs: { protocol: Protocol; address: string; port: number }): string {
  return `${vs.protocol}/${vs.address}/${vs.port}`;
}
