// The options and context of a zone lookup, apart from zone.ts so the record helpers it calls can
// name them without importing it back (no import cycle).
import type { ZoneIndex } from './index.js';
import type { ZoneNames } from './name.js';
import type { SoaSettings } from './records.js';
import type { Answer, Question } from './types.js';

export type PodsMode = 'disabled' | 'insecure' | 'verified';

export interface ZoneOptions extends ZoneNames {
  /** Record TTL (CoreDNS `ttl`, default 5). */
  ttl: number;
  pods: PodsMode;
  /** The server's own addresses: `ns.dns.<zone>` and the apex NS glue. */
  nsAddresses: readonly string[];
  /** Pin the SOA serial (golden files); default: the index's last-change time. */
  serial?: number;
  /** CoreDNS `endpoint_pod_names`: an endpoint without hostname is named after its pod. */
  endpointPodNames?: boolean;
  /** CoreDNS `noendpoints`: no endpoint records; endpoint and headless names are NXDOMAIN. */
  noEndpoints?: boolean;
  /** CoreDNS `ignore empty_service`: a ClusterIP Service without ready endpoints is NXDOMAIN. */
  ignoreEmptyService?: boolean;
  /** CoreDNS `namespaces`: only these namespaces are exposed (unset or empty: all). */
  namespaces?: readonly string[];
  /**
   * CoreDNS `fallthrough [ZONES...]`: an NXDOMAIN for a name under one of these zones goes to the
   * upstream instead ('all': every zone served). Unset: the add-on's `in-addr.arpa ip6.arpa`.
   */
  fallthrough?: readonly string[] | 'all';
  /** CoreDNS `transfer { to * }`: AXFR/IXFR of the cluster zones over TCP (unset: REFUSED, as the add-on). */
  transfer?: boolean;
}

/** Context shared by the lookup helpers. */
export interface LookupContext {
  index: ZoneIndex;
  options: ZoneOptions;
  soa: SoaSettings;
  /** CNAME targets already in the answer (ExternalName chains; CoreDNS's previousRecords). */
  cnames: readonly string[];
  /** The whole lookup again, for a CNAME target (passed in, so record helpers need not import zone.ts). */
  lookupIn: (ctx: LookupContext, q: Question) => Answer;
}
