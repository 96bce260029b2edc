// The per-service-port model every proxy mode renders from (kube-proxy's ServicePort + Endpoint).
import type { IPFamily, Protocol } from '../cluster/types.js';

export type { IPFamily, Protocol };

/** One port of one Service, for one IP family, with everything kube-proxy derives from it. */
export interface ServicePortInfo {
  /** Unique key: the ServicePortName string plus protocol ("ns/svc:http/TCP"). */
  readonly key: string;
  /** kube-proxy's ServicePortName string: "ns/svc:port", or "ns/svc" for an unnamed port. */
  readonly name: string;
  /** "ns/svc": the unit of change tracking and partial syncs. */
  readonly service: string;
  readonly namespace: string;
  readonly serviceName: string;
  readonly portName: string;
  readonly protocol: Protocol;
  readonly family: IPFamily;
  readonly serviceType: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  readonly clusterIP: string;
  readonly port: number;
  /** 0 when the port has no node port. */
  readonly nodePort: number;
  readonly externalIPs: readonly string[];
  readonly loadBalancerVIPs: readonly string[];
  /** Canonical CIDR text as written (host bits kept), whitespace trimmed, this family only. */
  readonly loadBalancerSourceRanges: readonly string[];
  readonly sessionAffinity: 'None' | 'ClientIP';
  /** ClientIP affinity timeout (stickyMaxAgeSeconds); 0 without affinity. */
  readonly stickyMaxAgeSeconds: number;
  readonly externalPolicyLocal: boolean;
  readonly internalPolicyLocal: boolean;
  /** 0 unless type LoadBalancer with externalTrafficPolicy Local. */
  readonly healthCheckNodePort: number;
  /** nodePort != 0, or any LB VIP, or any external IP. */
  readonly externallyAccessible: boolean;
  readonly usesClusterEndpoints: boolean;
  readonly usesLocalEndpoints: boolean;
}

/** One endpoint of one service port (kube-proxy's BaseEndpointInfo). */
export interface Endpoint {
  readonly ip: string;
  readonly port: number;
  /** "ip:port", or "[ip]:port" for IPv6 (net.JoinHostPort). */
  readonly endpoint: string;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly isLocal: boolean;
  readonly nodeName: string | undefined;
  readonly zone: string | undefined;
  readonly zoneHints: ReadonlySet<string>;
  readonly nodeHints: ReadonlySet<string>;
  readonly hostname: string | undefined;
}

/** Which services' rules may differ since the previous sync. */
export interface ChangeSet {
  /** A full sync: every service is rewritten (start-up, node topology change, periodic). */
  readonly full: boolean;
  /** "ns/svc" of every Service whose ports or endpoints changed (including ones now gone). */
  readonly services: ReadonlySet<string>;
}

export const FULL_SYNC: ChangeSet = { full: true, services: new Set() };
