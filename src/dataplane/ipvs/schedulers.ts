// The kernel's IPVS schedulers (net/netfilter/ipvs/ip_vs_*.c) over live per-destination counters:
// each returns the index of the destination a new connection gets, or -1 (no destination). With
// `dry` a scheduler answers without moving its own state (rr/wrr position, lblc/lblcr choices).
import { UsageError } from '../../errors.js';
import { foldAddress, hash32 } from './hash.js';
import { mhLookup, mhPick } from './maglev.js';
import type { VirtualService } from './table.js';

/** One service's destinations as counters (typed arrays: read on every decision). */
export interface Dests {
  readonly n: number;
  readonly weight: Int32Array;
  readonly active: Int32Array;
  readonly inactive: Int32Array;
}

export interface Client {
  readonly address: string;
  readonly port: number;
}

export type Pick = (d: Dests, client: Client, dry: boolean) => number;

function rr(): Pick {
  let last = -1;
  return (d, _c, dry) => {
    for (let k = 1; k <= d.n; k++) {
      const i = (last + k) % d.n;
      if (d.weight[i]! > 0) {
        if (!dry) last = i;
        return i;
      }
    }
    return -1;
  };
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** ip_vs_wrr.c: sweep the list with a current weight cw stepping down by the gcd from the max. */
function wrr(vs: VirtualService): Pick {
  // Weights are fixed for a table, so the gcd and max are worked out once (ip_vs_wrr_init_svc).
  const weights = vs.destinations.map((x) => x.weight);
  const di = weights.reduce((a, w) => gcd(a, w), 0) || 1;
  const mw = Math.max(0, ...weights) - (di - 1);
  let cl = -1;
  let cw = -1;
  return (d, _c, dry) => {
    if (mw <= 0) return -1;
    let l = cl;
    let w = cw < 0 || cw > mw ? mw : cw;
    // At most two sweeps of every weight level.
    for (let guard = 0; guard < 2 * d.n * (mw / di + 1); guard++) {
      l++;
      if (l >= d.n) {
        l = -1;
        w -= di;
        if (w <= 0) w = mw;
        continue;
      }
      if (d.weight[l]! >= w) {
        if (!dry) {
          cl = l;
          cw = w;
        }
        return l;
      }
    }
    return -1;
  };
}

/** ip_vs_dest_conn_overhead: active connections weigh 256 inactive ones. */
const overhead = (d: Dests, i: number) => d.active[i]! * 256 + d.inactive[i]!;

/** lc: the least overhead; ties go to the first in the list. */
const lc: Pick = (d) => {
  let best = -1;
  let bestCost = 0;
  for (let i = 0; i < d.n; i++) {
    if (d.weight[i]! <= 0) continue;
    const cost = overhead(d, i);
    if (best < 0 || cost < bestCost) {
      best = i;
      bestCost = cost;
    }
  }
  return best;
};

/** wlc / sed / nq: the least cost per weight, compared cross-multiplied as the kernel does. */
function weighted(kind: 'wlc' | 'sed' | 'nq'): Pick {
  return (d) => {
    let best = -1;
    let bestCost = 0;
    let bestWeight = 0;
    for (let i = 0; i < d.n; i++) {
      const w = d.weight[i]!;
      if (w <= 0) continue;
      // nq: an idle destination is taken at once.
      if (kind === 'nq' && d.active[i] === 0) return i;
      const cost = kind === 'wlc' ? overhead(d, i) : d.active[i]! + 1;
      if (best < 0 || bestCost * w > cost * bestWeight) {
        best = i;
        bestCost = cost;
        bestWeight = w;
      }
    }
    return best;
  };
}

const SH_BITS = 8;

/** sh / dh: a 256-bucket table filled walking the list, each destination taking `weight` buckets (dh: one). */
function hashed(vs: VirtualService, key: (c: Client) => number, byWeight: boolean): Pick {
  const size = 1 << SH_BITS;
  const buckets = new Int32Array(size);
  const n = vs.destinations.length;
  let p = 0;
  let count = 0;
  for (let i = 0; i < size && n > 0; i++) {
    buckets[i] = p;
    if (!byWeight || ++count >= vs.destinations[p]!.weight) {
      p = (p + 1) % n;
      count = 0;
    }
  }
  return (d, client) => {
    if (d.n === 0) return -1;
    const i = buckets[hash32(key(client), SH_BITS) & (size - 1)]!;
    return d.weight[i]! > 0 ? i : -1;
  };
}

/** wlc's pick, which lblc and lblcr fall back to. */
const leastLoaded = weighted('wlc');

/** lblc: the destination last used for this (destination) address, unless it is overloaded. */
function lblc(): Pick {
  let current = -1;
  return (d, client, dry) => {
    if (current >= 0 && current < d.n && d.weight[current]! > 0 && !overloaded(d, current)) return current;
    const i = leastLoaded(d, client, dry);
    if (!dry) current = i;
    return i;
  };
}

/** is_overloaded (ip_vs_lblc.c): more active connections than its weight while some destination is half idle. */
function overloaded(d: Dests, i: number): boolean {
  if (d.active[i]! <= d.weight[i]!) return false;
  for (let k = 0; k < d.n; k++) if (d.active[k]! * 2 < d.weight[k]!) return true;
  return false;
}

/**
 * lblcr (ip_vs_lblcr.c): a server set for the (destination) address; a connection goes to the
 * least loaded member; when that member is overloaded the least loaded destination joins the set.
 * A virtual service has one destination address, so it has one set.
 */
function lblcr(): Pick {
  let set: number[] = [];
  return (d, client, dry) => {
    const members = set.filter((i) => i < d.n && d.weight[i]! > 0);
    let best = -1;
    for (const i of members)
      if (best < 0 || overhead(d, best) * d.weight[i]! > overhead(d, i) * d.weight[best]!) best = i;
    if (best < 0 || overloaded(d, best)) {
      const add = leastLoaded(d, client, dry);
      if (add < 0) return best;
      if (!dry && !members.includes(add)) set = [...members, add];
      return add;
    }
    if (!dry) set = members;
    return best;
  };
}

/**
 * mh (ip_vs_mh.c). A table gives weights, not last weights: a weight-0 destination is taken to be
 * draining from weight 1 (kube-proxy's graceful termination drops a live weight-1 server to 0), so
 * it keeps its slots and sources hashing there get no destination (or, with mh-fallback, another).
 */
function mh(vs: VirtualService): Pick {
  const lookup = mhLookup(
    vs.destinations.map((x) => ({ address: x.address, port: x.port, lastWeight: x.weight > 0 ? x.weight : 1 })),
  );
  const usePort = vs.flags.includes('mh-port');
  const fallback = vs.flags.includes('mh-fallback');
  return (d, client) => {
    if (d.n === 0) return -1;
    return mhPick(lookup, foldAddress(client.address), usePort ? client.port : 0, fallback, (i) => d.weight[i]! > 0);
  };
}

export const EMULATED_SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'sed', 'nq', 'sh', 'dh', 'lblc', 'lblcr', 'mh'] as const;

export function schedulerFor(vs: VirtualService): Pick {
  const srcPort = vs.flags.includes('sh-port');
  switch (vs.scheduler) {
    case 'rr':
      return rr();
    case 'wrr':
      return wrr(vs);
    case 'lc':
      return lc;
    case 'wlc':
    case 'sed':
    case 'nq':
      return weighted(vs.scheduler);
    case 'sh':
      return hashed(vs, (c) => (foldAddress(c.address) + (srcPort ? c.port : 0)) >>> 0, true);
    case 'dh': {
      const key = foldAddress(vs.address);
      return hashed(vs, () => key, false);
    }
    case 'lblc':
      return lblc();
    case 'lblcr':
      return lblcr();
    case 'mh':
      return mh(vs);
    default:
      throw new UsageError(
        `IPVS scheduler ${vs.scheduler} is not emulated (emulated: ${EMULATED_SCHEDULERS.join(', ')})`,
      );
  }
}
