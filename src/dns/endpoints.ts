// The endpoints a name can see, as CoreDNS's object/endpoint.go keeps them: only addresses whose
// EndpointSlice condition `ready` is true or absent (the EndpointSlice controller already folds
// publishNotReadyAddresses into that condition), named by CoreDNS's endpointHostname.
import type { EndpointEntry, ServiceEntry, SliceEntry } from './index.js';
import { dashedIP } from './reverse.js';
import type { LookupContext, ZoneOptions } from './zone.js';

/** One ready address of a service, with the slice it came from (its ports) and its host label. */
export interface ReadyAddress {
  ip: string;
  host: string;
  slice: SliceEntry;
  /** The endpoint's topology zone, lower case. */
  zone: string | undefined;
}

/**
 * CoreDNS's endpointHostname: the EndpointSlice hostname; else, with `endpoint_pod_names`, the
 * targeted pod's name; else the dashed address.
 */
export function hostLabel(options: Pick<ZoneOptions, 'endpointPodNames'>, ep: EndpointEntry, ip: string): string {
  return ep.hostname ?? (options.endpointPodNames ? ep.podName : undefined) ?? dashedIP(ip);
}

/** The slices CoreDNS would have: none with `noendpoints` (it does not watch them then). */
export function slicesOf(ctx: LookupContext, svc: ServiceEntry): Iterable<SliceEntry> {
  return ctx.options.noEndpoints ? [] : ctx.index.slicesOf(svc);
}

export function readyAddresses(ctx: LookupContext, svc: ServiceEntry): ReadyAddress[] {
  const out: ReadyAddress[] = [];
  for (const slice of slicesOf(ctx, svc)) {
    for (const ep of slice.endpoints) {
      if (!ep.ready) continue;
      for (const ip of ep.addresses) out.push({ ip, host: hostLabel(ctx.options, ep, ip), slice, zone: ep.zone });
    }
  }
  return out;
}

/** Slices holding `ip` as a ready address (CoreDNS's EpIndexReverse). */
export function slicesWithReadyIP(ctx: LookupContext, ip: string): SliceEntry[] {
  if (ctx.options.noEndpoints) return [];
  const out: SliceEntry[] = [];
  for (const slice of ctx.index.slicesWithEndpointIP(ip)) {
    if (slice.endpoints.some((ep) => ep.ready && ep.addresses.includes(ip))) out.push(slice);
  }
  return out;
}

/** CoreDNS's `namespaces` option and namespace existence, together (namespaceExposed). */
export function namespaceExposed(ctx: LookupContext, ns: string): boolean {
  return configuredNamespace(ctx, ns) && ctx.index.hasNamespace(ns);
}

/** Listed by the `namespaces` option, or no list given. */
export function configuredNamespace(ctx: LookupContext, ns: string): boolean {
  const only = ctx.options.namespaces;
  return only === undefined || only.length === 0 || only.includes(ns);
}
