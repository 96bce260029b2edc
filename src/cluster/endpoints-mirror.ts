// Converts legacy v1 Endpoints into EndpointSlices the way the EndpointSlice mirroring controller
// does: one slice per subset and address family, `ready` from addresses vs notReadyAddresses,
// serving/terminating left unset, labels naming the service and the mirroring controller.
import { parseIPSloppy } from './sloppy-ip.js';
import type { EndpointSlice, EndpointSliceEndpoint, Endpoints } from './types.js';
import { SERVICE_NAME_LABEL } from './types.js';

export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
const MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';

export function mirrorEndpoints(ep: Endpoints): EndpointSlice[] {
  if (ep.metadata.labels?.[SKIP_MIRROR_LABEL] === 'true') return [];
  const slices: EndpointSlice[] = [];
  (ep.subsets ?? []).forEach((subset, i) => {
    const byFamily = new Map<'IPv4' | 'IPv6', EndpointSliceEndpoint[]>();
    const add = (a: NonNullable<typeof subset.addresses>[number], ready: boolean) => {
      const ip = parseIPSloppy(a.ip);
      if (!ip) return;
      const list = byFamily.get(ip.family) ?? [];
      byFamily.set(ip.family, list);
      list.push({
        addresses: [ip.text],
        conditions: { ready },
        ...(a.hostname ? { hostname: a.hostname } : {}),
        ...(a.nodeName ? { nodeName: a.nodeName } : {}),
        ...(a.targetRef ? { targetRef: a.targetRef } : {}),
      });
    };
    for (const a of subset.addresses ?? []) add(a, true);
    for (const a of subset.notReadyAddresses ?? []) add(a, false);
    for (const [family, endpoints] of byFamily) {
      slices.push({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: `${ep.metadata.name}-mirror-${i}-${family === 'IPv4' ? 'v4' : 'v6'}`,
          namespace: ep.metadata.namespace ?? 'default',
          labels: {
            [SERVICE_NAME_LABEL]: ep.metadata.name,
            [MANAGED_BY]: 'endpointslicemirroring-controller.k8s.io',
          },
        },
        addressType: family,
        endpoints,
        ports: (subset.ports ?? []).map((p) => ({
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
