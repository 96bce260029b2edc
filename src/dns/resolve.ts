// How a pod's stub resolver walks the search list (kubelet's ClusterFirst resolv.conf: search
// `<ns>.svc.<zone> svc.<zone> <zone>`, options ndots:5), answered offline from the zone.
import type { ZoneIndex } from './index.js';
import type { Answer } from './types.js';
import { RCODE } from './types.js';
import { lookup, type ZoneOptions } from './zone.js';

export interface ResolveStep {
  name: string;
  answer: Answer;
}

export interface Resolution {
  search: string[];
  ndots: number;
  steps: ResolveStep[];
  /** The step whose answer the stub returns. */
  final: ResolveStep;
}

export function podSearchList(namespace: string, zone: string): string[] {
  return [`${namespace}.svc.${zone}`, `svc.${zone}`, zone];
}

/** Names in the order a glibc/musl stub tries them (trailing dot: only the name itself). */
export function candidateNames(name: string, search: readonly string[], ndots: number): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const suffixed = search.map((s) => `${name}.${s}`);
  const dots = name.split('.').length - 1;
  return dots >= ndots ? [name, ...suffixed] : [...suffixed, name];
}

export function resolveAsPod(
  index: ZoneIndex,
  options: ZoneOptions,
  name: string,
  type: number,
  namespace: string,
  ndots = 5,
): Resolution {
  const search = podSearchList(namespace, options.zones[0] ?? 'cluster.local');
  const steps: ResolveStep[] = [];
  let nodata: ResolveStep | undefined;
  for (const candidate of candidateNames(name, search, ndots)) {
    const step = { name: candidate, answer: lookup(index, { name: candidate, type, class: 1 }, options) };
    steps.push(step);
    if (step.answer.rcode === RCODE.NOERROR && step.answer.answer.length > 0)
      return { search, ndots, steps, final: step };
    // glibc keeps walking after NODATA but remembers it; any other failure ends the walk.
    if (step.answer.rcode === RCODE.NOERROR) nodata ??= step;
    else if (step.answer.rcode !== RCODE.NXDOMAIN) break;
  }
  return { search, ndots, steps, final: nodata ?? steps[steps.length - 1]! };
}
