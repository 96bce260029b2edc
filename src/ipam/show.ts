// `kubeplane ipam show`: per network, its allocations and the utilisation of each range, from the
// data dir plus the ranges (recorded by kubeplane-ipam, or from a CNI config file). Pure over the
// inspected state.
import { IpamError } from '../errors.js';
import { formatCIDR } from '../net/cidr.js';
import { parseIP } from '../net/ip.js';
import { parseIpamConfig } from './config.js';
import { formatRange, rangeCapacity, rangeContains } from './range.js';
import { parseRangeSet, type RangeSet } from './range-set.js';
import type { NetworkDirState } from './stores/file-inspect.js';

export interface RangeUtilisation {
  readonly rangeSet: number;
  readonly range: string;
  readonly subnet: string;
  /** A number, or decimal text when beyond 2^53 (IPv6). */
  readonly capacity: number | string;
  readonly used: number;
  /** used / capacity, 0..1 */
  readonly utilisation: number;
  readonly lastReserved?: string;
}

export interface NetworkReport {
  readonly network: string;
  readonly dir: string;
  readonly allocations: NetworkDirState['allocations'];
  readonly ranges: RangeUtilisation[];
  /** Allocations in no known range (config changed, or ranges unknown). */
  readonly outsideRanges: number;
  readonly rangesSource: 'recorded' | 'config' | 'unknown';
}

/** Range sets per network name from a CNI .conf or .conflist object. */
export function rangeSetsFromCniConfig(doc: unknown, file: string): Map<string, RangeSet[]> {
  const out = new Map<string, RangeSet[]>();
  if (typeof doc !== 'object' || doc === null) throw new IpamError('invalid-config', `${file}: not a JSON object`);
  const d = doc as Record<string, unknown>;
  const name = typeof d.name === 'string' ? d.name : '';
  const version = typeof d.cniVersion === 'string' ? d.cniVersion : '1.1.0';
  const plugins = Array.isArray(d.plugins) ? (d.plugins as Record<string, unknown>[]) : [d];
  for (const p of plugins) {
    if (typeof p !== 'object' || p === null || p.ipam === undefined) continue;
    try {
      out.set(name, [...parseIpamConfig({ ...p, name }, version).rangeSets]);
    } catch (err) {
      // Config errors carry host-local's text; the field they are about is in the details.
      const at = err instanceof IpamError && err.details ? ` (${err.details})` : '';
      throw new IpamError('invalid-config', `${file}: ${(err as Error).message}${at}`, file, { cause: err });
    }
  }
  if (out.size === 0) throw new IpamError('invalid-config', `${file}: no plugin with an ipam section`);
  return out;
}

function recordedSets(raw: unknown): RangeSet[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  try {
    return raw.map((s, i) => parseRangeSet(s, `ranges.json[${i}]`));
  } catch {
    return undefined;
  }
}

export function reportNetwork(state: NetworkDirState, fromConfig?: RangeSet[]): NetworkReport {
  const recorded = recordedSets(state.recordedRanges);
  const sets = fromConfig ?? recorded ?? [];
  const rows: { set: number; r: RangeSet['ranges'][number]; used: number }[] = [];
  sets.forEach((s, k) => s.ranges.forEach((r) => rows.push({ set: k, r, used: 0 })));
  let outside = 0;
  for (const a of state.allocations) {
    const ip = parseIP(a.ip);
    const row = ip ? rows.find((x) => rangeContains(x.r, ip)) : undefined;
    if (row) row.used++;
    else outside++;
  }
  const ranges = rows.map(({ set, r, used }) => {
    const cap = rangeCapacity(r);
    const capacity = cap <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(cap) : cap.toString();
    const last = state.cursors[String(set)];
    const lastIP = last ? parseIP(last) : undefined;
    return {
      rangeSet: set,
      range: formatRange(r),
      subnet: formatCIDR(r.subnet),
      capacity,
      used,
      utilisation: cap > 0n ? Number((BigInt(used) * 1_000_000n) / cap) / 1_000_000 : 0,
      ...(last && lastIP && rangeContains(r, lastIP) ? { lastReserved: last } : {}),
    };
  });
  return {
    network: state.network,
    dir: state.dir,
    allocations: state.allocations,
    ranges,
    outsideRanges: outside,
    rangesSource: fromConfig ? 'config' : recorded ? 'recorded' : 'unknown',
  };
}
