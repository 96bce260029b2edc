// Why an object still renders nothing after completion: a Service without endpoints, a slice whose
// Service is missing (or lives in another namespace).
import type { EndpointSlice, Service } from '../cluster/types.js';
import { objectKey, SERVICE_NAME_LABEL } from '../cluster/types.js';
import type { ControlWarning } from './endpoint-slices.js';

export function renderWarnings(services: readonly Service[], slices: readonly EndpointSlice[]): ControlWarning[] {
  const out: ControlWarning[] = [];
  const keys = new Set(services.map(objectKey));
  const byName = new Map<string, string[]>();
  for (const s of services) {
    const list = byName.get(s.metadata.name) ?? [];
    list.push(s.metadata.namespace ?? 'default');
    byName.set(s.metadata.name, list);
  }
  const withEndpoints = new Set<string>();
  for (const sl of slices) {
    const svc = sl.metadata.labels?.[SERVICE_NAME_LABEL];
    const id = `EndpointSlice ${objectKey(sl)}`;
    if (!svc) {
      out.push({
        object: id,
        field: `metadata.labels.${SERVICE_NAME_LABEL}`,
        message: 'missing: the slice belongs to no Service and renders nothing',
      });
      continue;
    }
    const key = `${sl.metadata.namespace}/${svc}`;
    if (!keys.has(key)) {
      const elsewhere = byName.get(svc);
      out.push({
        object: id,
        field: `metadata.labels.${SERVICE_NAME_LABEL}`,
        message: elsewhere
          ? `Service ${svc} is in namespace ${elsewhere.join(', ')}, not ${sl.metadata.namespace}: the slice renders nothing`
          : `no Service ${key}: the slice renders nothing`,
      });
      continue;
    }
    if ((sl.endpoints ?? []).some((e) => e.conditions?.ready !== false || e.conditions?.serving === true))
      withEndpoints.add(key);
  }
  for (const s of services) {
    if (s.spec.type === 'ExternalName' || withEndpoints.has(objectKey(s))) continue;
    out.push({
      object: `Service ${objectKey(s)}`,
      field: s.spec.selector ? 'spec.selector' : 'endpoints',
      message: s.spec.selector
        ? 'no endpoints: no ready or serving Pod with an address is selected; its rules reject traffic'
        : 'no endpoints: no selector and no EndpointSlice or Endpoints for it; its rules reject traffic',
    });
  }
  return out;
}
