// The kernel's IPVS schedulers (net/netfilter/ipvs/ip_vs_*.c) over live per-destination counters:
// each returns the index of the destination a new connection gets, or -1 (no destination).
import { UsageError } from '../../errors.js';
import { foldAddress, hash32 } from './hash.js';
import type { VirtualService } from './table.js';

export interface DestCounters {
  readonly weight: number;
  active: number;
  inactive: number;
}

export interface Client {
  readonly address: string;
  readonly port: number;
}

export type Pick = (dests: readonly DestCounters[], client: Client) => number;

/** ip_vs_dest_conn_overhead: active connections weigh 256 inactive ones. */
const overhead = (d: DestCounters) => d.active * 256 + d.inactive;

function rr(): Pick {
  let last = -1;
  return (dests) => {
    for (let k = 1; k <= dests.length; k++) {
      const i = (last + k) % dests.length;
      if (dests[i]!.weight > 0) return (last = i);
    }
    return -1;
  };
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** ip_vs_wrr.c: sweep the list with a current weight cw stepping down by the gcd from the max. */
function wrr(): Pick {
  let cl = -1;
  let cw = -1;
  return (dests) => {
    const weights = dests.map((d) => d.weight);
    const di = weights.reduce((a, w) => gcd(a, w), 0) || 1;
    const mw = Math.max(0, ...weights) - (di - 1);
    if (mw <= 0) return -1;
    if (cw < 0 || cw > mw) cw = mw;
    // At most two sweeps of every weight level.
    for (let guard = 0; guard < 2 * dests.length * (mw / di + 1); guard++) {
      cl++;
      if (cl >= dests.length) {
        cl = -1;
        cw -= di;
        if (cw <= 0) cw = mw;
        continue;
      }
      if (weights[cl]! >= cw) return cl;
    }
    return -1;
  };
}

/** lc: the least overhead; ties go to the first in the list. */
const lc: Pick = (dests) => {
  let best = -1;
  for (let i = 0; i < dests.length; i++) {
    const d = dests[i]!;
    if (d.weight <= 0) continue;
    if (best < 0 || overhead(d) < overhead(dests[best]!)) best = i;
  }
  return best;
};

/** wlc / sed: the least overhead per weight, compared cross-multiplied as the kernel does. */
function weighted(cost: (d: DestCounters) => number, idleFirst: boolean): Pick {
  return (dests) => {
    let best = -1;
    for (let i = 0; i < dests.length; i++) {
      const d = dests[i]!;
      if (d.weight <= 0) continue;
      // nq: an idle destination is taken at once.
      if (idleFirst && d.active === 0) return i;
      if (best < 0) {
        best = i;
        continue;
      }
      const l = dests[best]!;
      if (cost(l) * d.weight > cost(d) * l.weight) best = i;
    }
    return best;
  };
}

const SH_BITS = 8;

/** sh / dh: a 256-bucket table filled walking the list, each destination taking `weight` buckets (dh: one). */
function hashed(key: (c: Client) => number, byWeight: boolean): Pick {
  const size = 1 << SH_BITS;
  let buckets: number[] | undefined;
  return (dests, client) => {
    if (dests.length === 0) return -1;
    if (!buckets) {
      buckets = [];
      let p = 0;
      let count = 0;
      for (let i = 0; i < size; i++) {
        buckets.push(p);
        if (!byWeight || ++count >= dests[p]!.weight) {
          p = (p + 1) % dests.length;
          count = 0;
        }
      }
    }
    const i = buckets[hash32(key(client), SH_BITS) & (size - 1)]!;
    return dests[i]!.weight > 0 ? i : -1;
  };
}

/** lblc: the destination last used for this (destination) address, unless it is overloaded. */
function lblc(): Pick {
  const pickLeast = weighted(overhead, false);
  let current = -1;
  return (dests, client) => {
    const d = dests[current];
    const overloaded = d !== undefined && d.active > d.weight && dests.some((x) => x.active * 2 < x.weight);
    if (d && d.weight > 0 && !overloaded) return current;
    current = pickLeast(dests, client);
    return current;
  };
}

export const EMULATED_SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'sed', 'nq', 'sh', 'dh', 'lblc'] as const;

export function schedulerFor(vs: VirtualService): Pick {
  const srcPort = vs.flags.includes('sh-port');
  switch (vs.scheduler) {
    case 'rr':
      return rr();
    case 'wrr':
      return wrr();
    case 'lc':
      return lc;
    case 'wlc':
      return weighted(overhead, false);
    case 'sed':
      return weighted((d) => d.active + 1, false);
    case 'nq':
      return weighted((d) => d.active + 1, true);
    case 'sh':
      return hashed((c) => (foldAddress(c.address) + (srcPort ? c.port : 0)) >>> 0, true);
    case 'dh':
      return hashed(() => foldAddress(vs.address), false);
    case 'lblc':
      return lblc();
    default:
      throw new UsageError(
        `IPVS scheduler ${vs.scheduler} is not emulated (emulated: ${EMULATED_SCHEDULERS.join(', ')})`,
      );
  }
}
