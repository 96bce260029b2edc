// The name grammar of the cluster zone, after CoreDNS's plugin/kubernetes/parse.go: strip the zone,
// read the labels right to left, and say what the name means. Pure; the zone lookup acts on it.
import { splitLabels } from './labels.js';
import { reverseToIP } from './reverse.js';

export interface ZoneNames {
  /** Cluster zones, lower case, no trailing dot (e.g. "cluster.local"). */
  readonly zones: readonly string[];
  /** Reverse zones served for PTR (e.g. "in-addr.arpa", "ip6.arpa"). */
  readonly reverseZones: readonly string[];
  /** CoreDNS `zonal`: `<topology-zone>.pin|prefer._zone.<svc>.<ns>.svc.<zone>` names. */
  readonly zonal?: boolean | undefined;
}

/** The topology zone a zonal name asks for; `prefer` falls back to every endpoint when it has none. */
export interface TopologyPin {
  zone: string;
  prefer: boolean;
}

/** Fields every name inside a zone has: the zone as it was written in the query (its letter case). */
interface InZone {
  zone: string;
}

export type ParsedName =
  | { kind: 'outside' }
  | ({ kind: 'apex' } & InZone)
  | ({ kind: 'dns-version' } & InZone)
  | ({ kind: 'ns-self' } & InZone)
  /** `svc.<zone>` or `pod.<zone>`: exists, holds no records. */
  | ({ kind: 'type-root' } & InZone)
  | ({ kind: 'namespace'; namespace: string; under: 'svc' | 'pod' } & InZone)
  | ({ kind: 'service'; namespace: string; service: string; pin?: TopologyPin } & InZone)
  | ({ kind: 'endpoint'; namespace: string; service: string; endpoint: string } & InZone)
  /** `_<port>._<proto>.<svc>.<ns>.svc`; a leading underscore is optional, as in CoreDNS. */
  | ({ kind: 'port'; namespace: string; service: string; port: string; protocol: string } & InZone)
  | ({ kind: 'pod'; namespace: string; label: string } & InZone)
  /** A name in a reverse zone; `ip` is undefined when the labels are not a whole address. */
  | ({ kind: 'reverse'; ip: string | undefined } & InZone)
  /** Under the zone but matching no shape: NXDOMAIN. */
  | ({ kind: 'invalid' } & InZone);

function matchZone(lower: string, zones: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const z of zones) {
    if (lower === z || (lower.length > z.length && lower.endsWith(z) && lower[lower.length - z.length - 1] === '.')) {
      if (best === undefined || z.length > best.length) best = z;
    }
  }
  return best;
}

function stripUnderscore(label: string): string {
  return label.startsWith('_') ? label.slice(1) : label;
}

export function parseName(qname: string, names: ZoneNames): ParsedName {
  const lower = qname.toLowerCase();
  const reverse = matchZone(lower, names.reverseZones);
  const cluster = matchZone(lower, names.zones);
  if (reverse !== undefined && (cluster === undefined || reverse.length >= cluster.length)) {
    const zone = qname.slice(qname.length - reverse.length);
    if (lower === reverse) return { kind: 'apex', zone };
    // CoreDNS's isDefaultNS holds in every zone it serves, reverse ones included.
    if (lower === `ns.dns.${reverse}`) return { kind: 'ns-self', zone };
    return { kind: 'reverse', zone, ip: reverseToIP(lower) };
  }
  if (cluster === undefined) return { kind: 'outside' };
  const zone = qname.slice(qname.length - cluster.length);
  if (lower === cluster) return { kind: 'apex', zone };
  const labels = splitLabels(lower.slice(0, lower.length - cluster.length - 1));
  const n = labels.length;
  const last = labels[n - 1]!;
  if (n === 1 && last === 'dns-version') return { kind: 'dns-version', zone };
  if (n === 2 && last === 'dns' && labels[0] === 'ns') return { kind: 'ns-self', zone };
  if (last !== 'svc' && last !== 'pod') return { kind: 'invalid', zone };
  if (n === 1) return { kind: 'type-root', zone };
  const namespace = labels[n - 2]!;
  if (n === 2) return { kind: 'namespace', zone, namespace, under: last };
  if (last === 'pod') {
    // CoreDNS parses pod names with the service grammar and answers for the label left of the
    // namespace, whatever endpoint or _port._proto labels stand before it (findPods reads r.service).
    return n <= 5 ? { kind: 'pod', zone, namespace, label: labels[n - 3]! } : { kind: 'invalid', zone };
  }
  const service = labels[n - 3]!;
  if (n === 3) return { kind: 'service', zone, namespace, service };
  if (n === 4) return { kind: 'endpoint', zone, namespace, service, endpoint: labels[0]! };
  if (n === 5) {
    return {
      kind: 'port',
      zone,
      namespace,
      service,
      port: stripUnderscore(labels[0]!),
      protocol: stripUnderscore(labels[1]!),
    };
  }
  // Three or more labels left of the service: too long, unless a zonal name (CoreDNS parse.go).
  const directive = labels[n - 5];
  if (names.zonal && labels[n - 4] === '_zone' && (directive === 'pin' || directive === 'prefer')) {
    const pin = { zone: labels.slice(0, n - 5).join('.'), prefer: directive === 'prefer' };
    return { kind: 'service', zone, namespace, service, pin };
  }
  return { kind: 'invalid', zone };
}
