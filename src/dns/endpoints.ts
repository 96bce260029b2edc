// The endpoints a name can see, as CoreDNS's object/endpoint.go keeps them: addresses whose
// EndpointSlice condition `ready` is true or absent, named by CoreDNS's endpointHostname. A Service
// with publishNotReadyAddresses publishes its not-ready endpoints too (issue 6 asks for it; in a
// real cluster the EndpointSlice controller already marks them ready, so CoreDNS agrees there).
import type { EndpointEntry, ServiceEntry, SliceEntry } from './index.js';
import type { LookupContext, ZoneOptions } from './lookup-context.js';
import { dashedIP } from './reverse.js';

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
      if (!ep.ready && !svc.publishNotReady) continue;
      for (const ip of ep.addresses) out.push({ ip, host: hostLabel(ctx.options, ep, ip), slice, zone: ep.zone });
    }
  }
  return out;
}

/** Whether an endpoint of this slice is published: ready, or its Service publishes not-ready ones. */
export function isPublished(ctx: LookupContext, slice: SliceEntry, ep: EndpointEntry): boolean {
  return ep.ready || ctx.index.serviceByKey(slice.serviceKey)?.publishNotReady === true;
}

/** Slices holding `ip` as a published address (CoreDNS's EpIndexReverse). */
export function slicesWithReadyIP(ctx: LookupContext, ip: string): SliceEntry[] {
  if (ctx.options.noEndpoints) return [];
  const out: SliceEntry[] = [];
  for (const slice of ctx.index.slicesWithEndpointIP(ip)) {
    if (slice.endpoints.some((ep) => ep.addresses.includes(ip) && isPublished(ctx, slice, ep))) out.push(slice);
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
