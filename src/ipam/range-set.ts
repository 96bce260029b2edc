// A host-local range set: one or more ranges of one family, from which ONE address is allocated per
// attachment. Candidates run round-robin: from just after the last reserved IP, +1 at a time, on to
// the next range after a rangeEnd, wrapping from the last range to the first, skipping each range's
// gateway; the last reserved IP itself is the final candidate.
import { IpamError } from '../errors.js';
import type { IP, IPFamily } from '../net/ip.js';
import { formatRange, parseRange, type Range, RangeDecodeError, rangeCapacity, rangeContains } from './range.js';

export class RangeSet {
  readonly family: IPFamily;

  constructor(readonly ranges: readonly Range[]) {
    this.family = ranges[0]!.subnet.family;
    Object.freeze(this);
  }

  /** The range holding `ip` (between its rangeStart and rangeEnd), if any. */
  rangeFor(ip: IP): Range | undefined {
    return this.ranges.find((r) => rangeContains(r, ip));
  }

  contains(ip: IP): boolean {
    return this.rangeFor(ip) !== undefined;
  }

  overlaps(other: RangeSet): boolean {
    return this.ranges.some((a) => other.ranges.some((b) => rangesOverlap(a, b)));
  }

  capacity(): bigint {
    return this.ranges.reduce((n, r) => n + rangeCapacity(r), 0n);
  }

  /** Round-robin candidates after `last` (or from the first rangeStart when `last` is not in the set). */
  *candidates(last: IP | undefined): Generator<{ ip: IP; range: Range }> {
    const rs = this.ranges;
    let idx = last ? rs.findIndex((r) => rangeContains(r, last)) : -1;
    let cur: IP | undefined;
    let start: IP | undefined;
    if (idx >= 0) cur = last;
    else {
      idx = 0;
      cur = undefined;
    }
    for (;;) {
      let r = rs[idx]!;
      if (cur === undefined) {
        cur = r.rangeStart;
        start = cur;
      } else {
        if (cur.value === r.rangeEnd.value) {
          idx = (idx + 1) % rs.length;
          r = rs[idx]!;
          cur = r.rangeStart;
        } else cur = { family: cur.family, value: cur.value + 1n };
        if (start === undefined) start = cur;
        else if (cur.value === start.value) return;
      }
      if (cur.value !== r.gateway.value) yield { ip: cur, range: r };
    }
  }

  toString(): string {
    return this.ranges.map(formatRange).join(',');
  }
}

function rangesOverlap(a: Range, b: Range): boolean {
  if (a.subnet.family !== b.subnet.family) return false;
  return a.rangeStart.value <= b.rangeEnd.value && b.rangeStart.value <= a.rangeEnd.value;
}

/** Prefix a range set's validation error as host-local does; address decode errors stay as they are. */
export function inRangeSet<T>(label: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof IpamError) || err instanceof RangeDecodeError) throw err;
    throw new IpamError(err.kind, `${label}: ${err.message}`, err.details, { cause: err });
  }
}

/**
 * Parse `ipam.ranges[i]` (an array of range objects), checked in host-local's order: each range, then
 * its family against the first, then overlaps inside the set. `setIndex` (its place among all range
 * sets) gives host-local's `invalid range set <i>: ` prefix; without it the prefix is `field`.
 */
export function parseRangeSet(raw: unknown, field: string, setIndex?: number): RangeSet {
  return inRangeSet(setIndex === undefined ? field : `invalid range set ${setIndex}`, () => {
    if (!Array.isArray(raw))
      throw new RangeDecodeError('invalid-config', `${field}: a range set must be an array of ranges`, field);
    if (raw.length === 0) throw new IpamError('invalid-config', 'empty range set', field);
    const ranges: Range[] = [];
    raw.forEach((r, j) => {
      const range = parseRange(r, `${field}[${j}]`);
      if (range.subnet.family !== ranges[0]?.subnet.family && j > 0)
        throw new IpamError('invalid-config', 'mixed address families', `${field}[${j}]`);
      ranges.push(range);
    });
    for (let a = 0; a < ranges.length; a++)
      for (let b = a + 1; b < ranges.length; b++)
        if (rangesOverlap(ranges[a]!, ranges[b]!))
          throw new IpamError(
            'invalid-config',
            `subnets ${formatRange(ranges[a]!)} and ${formatRange(ranges[b]!)} overlap`,
            `${field}[${a}], ${field}[${b}]`,
          );
    return new RangeSet(Object.freeze(ranges));
  });
}
