// EndpointSlices of one Service -> endpoints per service port, as kube-proxy's EndpointSliceCache
// merges them: addresses[0] only, a later duplicate wins unless it is terminating, sorted as strings.

import type { EndpointSlice, IPFamily } from '../cluster/types.js';
import { canonicalIPText } from '../net/index.js';
import type { Endpoint } from './types.js';

const EMPTY: ReadonlySet<string> = new Set();

export interface EndpointOptions {
  nodeName: string;
  /** Use node hints (feature gate PreferSameTrafficDistribution). */
  nodeHints: boolean;
}

export function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/**
 * Endpoints for every service port of one Service, keyed by "portName/PROTOCOL" (the slice port's
 * name and protocol, which is how service ports are matched to slice ports).
 */
export function endpointsByPort(
  slices: readonly EndpointSlice[],
  family: IPFamily,
  options: EndpointOptions,
): Map<string, Endpoint[]> {
  const byPort = new Map<string, Map<string, Endpoint>>();
  const ordered = slices.length > 1 ? [...slices].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1)) : slices;
  for (const slice of ordered) {
    if (slice.addressType !== family) continue;
    for (const port of slice.ports ?? []) {
      if (port.port === undefined || port.port === null || port.port === 0) continue;
      const key = `${port.name ?? ''}/${port.protocol ?? 'TCP'}`;
      let eps = byPort.get(key);
      if (!eps) byPort.set(key, (eps = new Map()));
      for (const ep of slice.endpoints ?? []) {
        const first = ep.addresses[0];
        // The slice's addressType is its endpoints' family (validated on load).
        const ip = first === undefined ? undefined : canonicalIPText(first);
        if (ip === undefined) continue;
        const endpoint = joinHostPort(ip, port.port);
        const c = ep.conditions ?? {};
        const terminating = c.terminating === true;
        // As addEndpoints: a later duplicate replaces an earlier one unless it is terminating (so a
        // running pod beats a terminating one that had its IP; between two running ones, the last).
        if (terminating && eps.has(endpoint)) continue;
        const zoneHints = ep.hints?.forZones?.length ? new Set(ep.hints.forZones.map((z) => z.name)) : EMPTY;
        const nodeHints =
          options.nodeHints && ep.hints?.forNodes?.length ? new Set(ep.hints.forNodes.map((n) => n.name)) : EMPTY;
        eps.set(endpoint, {
          ip,
          port: port.port,
          endpoint,
          ready: c.ready === undefined || c.ready === null || c.ready,
          serving: c.serving === undefined || c.serving === null || c.serving,
          terminating,
          isLocal: options.nodeName !== '' && ep.nodeName === options.nodeName,
          nodeName: ep.nodeName,
          zone: ep.zone,
          zoneHints,
          nodeHints,
          hostname: ep.hostname,
        });
      }
    }
  }
  const out = new Map<string, Endpoint[]>();
  for (const [key, eps] of byPort) {
    out.set(
      key,
      [...eps.values()].sort((a, b) => (a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0)),
    );
  }
  return out;
}
