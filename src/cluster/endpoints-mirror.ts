// Converts legacy v1 Endpoints into EndpointSlices the way the EndpointSlice mirroring controller
// (pkg/controller/endpointslicemirroring) does: subsets are first repacked (RepackSubsets: subsets
// with the same ports merge, an address listed both ready and not ready is ready), then one slice
// per port set and address family holds at most 1000 addresses per subset (ready ones first).
// `ready` comes from addresses vs notReadyAddresses, serving/terminating stay unset, addresses that
// do not parse are skipped, and the Endpoints' labels are copied before the service-name and
// managed-by labels are set. Endpoints labelled skip-mirror or carrying a leader-election record
// are not mirrored.
import { parseIPSloppy } from '../net/sloppy.js';
import type { EndpointSlice, EndpointSliceEndpoint, Endpoints } from './types.js';
import { SERVICE_NAME_LABEL } from './types.js';

export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
const MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';
/** The controller's default --mirroring-max-endpoints-per-subset. */
export const MAX_ENDPOINTS_PER_SUBSET = 1000;

type Subset = NonNullable<Endpoints['subsets']>[number];
type Address = NonNullable<Subset['addresses']>[number];
type Port = NonNullable<Subset['ports']>[number];

interface PortGroup {
  ports: Port[];
  /** IP -> [address, ready], in first-seen order; ready wins over not ready. */
  addresses: Map<string, [Address, boolean]>;
}

function portKey(ports: readonly Port[]): string {
  return ports
    .map((p) => `${p.name ?? ''}/${p.port}/${p.protocol ?? 'TCP'}/${p.appProtocol ?? ''}`)
    .sort()
    .join(',');
}

/** RepackSubsets, keyed by port set (addresses keyed by IP). */
function repack(subsets: readonly Subset[]): PortGroup[] {
  const groups = new Map<string, PortGroup>();
  for (const subset of subsets) {
    const ports = subset.ports ?? [];
    const key = portKey(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports, addresses: new Map() }));
    for (const [list, ready] of [
      [subset.addresses ?? [], true],
      [subset.notReadyAddresses ?? [], false],
    ] as const) {
      for (const a of list) {
        const seen = group.addresses.get(a.ip);
        if (!seen || (!seen[1] && ready)) group.addresses.set(a.ip, [a, ready]);
      }
    }
  }
  return [...groups.values()];
}

function toEndpoint(a: Address, ip: string, ready: boolean): EndpointSliceEndpoint {
  return {
    addresses: [ip],
    conditions: { ready },
    ...(a.hostname ? { hostname: a.hostname } : {}),
    ...(a.nodeName ? { nodeName: a.nodeName } : {}),
    ...(a.targetRef ? { targetRef: a.targetRef } : {}),
  };
}

export function mirrorEndpoints(ep: Endpoints): EndpointSlice[] {
  if (ep.metadata.labels?.[SKIP_MIRROR_LABEL] === 'true') return [];
  if (ep.metadata.annotations && LEADER_ANNOTATION in ep.metadata.annotations) return [];
  const slices: EndpointSlice[] = [];
  repack(ep.subsets ?? []).forEach((group, i) => {
    const byFamily = new Map<'IPv4' | 'IPv6', EndpointSliceEndpoint[]>();
    let added = 0;
    // Ready addresses first, then not-ready ones, up to the per-subset cap.
    for (const wantReady of [true, false]) {
      for (const [a, ready] of group.addresses.values()) {
        if (ready !== wantReady || added >= MAX_ENDPOINTS_PER_SUBSET) continue;
        const ip = parseIPSloppy(a.ip);
        if (!ip) continue;
        let list = byFamily.get(ip.family);
        if (!list) byFamily.set(ip.family, (list = []));
        list.push(toEndpoint(a, ip.text, ready));
        added++;
      }
    }
    for (const [family, endpoints] of byFamily) {
      slices.push({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: `${ep.metadata.name}-mirror-${i}-${family === 'IPv4' ? 'v4' : 'v6'}`,
          namespace: ep.metadata.namespace ?? 'default',
          labels: {
            ...(ep.metadata.labels ?? {}),
            [SERVICE_NAME_LABEL]: ep.metadata.name,
            [MANAGED_BY]: 'endpointslicemirroring-controller.k8s.io',
          },
        },
        addressType: family,
        endpoints,
        ports: group.ports.map((p) => ({
          name: p.name ?? '',
          port: p.port,
          protocol: p.protocol ?? 'TCP',
          ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
        })),
      });
    }
  });
  return slices;
}
