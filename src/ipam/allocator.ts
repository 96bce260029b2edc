// host-local's allocation over an IpamStore. One RangeAllocator per range set; `allocateAll` does an
// ADD across every set under one lock and gives everything back if a later set fails, so an ADD never
// half-applies. Requested IPs (CNI_ARGS IP=, args.cni.ips, runtimeConfig.ips) go to the first set that
// contains them.
import { IpamError } from '../errors.js';
import { formatIP, type IP, parseIP } from '../net/ip.js';
import type { Range } from './range.js';
import type { RangeSet } from './range-set.js';
import type { IpamStore, Owner } from './store.js';

export interface Allocation {
  readonly ip: IP;
  readonly range: Range;
  /** Index of the range set it came from. */
  readonly rangeSet: number;
}

export class RangeAllocator {
  constructor(
    readonly set: RangeSet,
    readonly index: number,
    private readonly store: IpamStore,
  ) {}

  /** One address for `owner` from this set. Call with the store lock held. */
  async allocate(owner: Owner, requested?: IP): Promise<Allocation> {
    if (requested) {
      const range = this.set.rangeFor(requested)!;
      const text = formatIP(requested);
      if (requested.value === range.gateway.value)
        throw new IpamError('unavailable', `requested ip ${text} is subnet's gateway`, text);
      if (!(await this.store.reserve(text, owner, this.index)))
        throw new IpamError(
          'unavailable',
          `requested IP address ${text} is not available in range set ${this.set}`,
          text,
        );
      return { ip: requested, range, rangeSet: this.index };
    }
    for (const held of await this.store.heldBy(owner)) {
      const ip = parseIP(held);
      if (ip && this.set.contains(ip))
        throw new IpamError(
          'duplicate',
          `${held} has been allocated to ${owner.containerId}, duplicate allocation is not allowed`,
          held,
        );
    }
    const lastText = await this.store.lastReserved(this.index);
    const last = lastText === undefined ? undefined : parseIP(lastText);
    for (const { ip, range } of this.set.candidates(last)) {
      if (await this.store.reserve(formatIP(ip), owner, this.index)) return { ip, range, rangeSet: this.index };
    }
    throw new IpamError('exhausted', `no IP addresses available in range set: ${this.set}`, String(this.set));
  }
}

/** Pick, for each set in order, the first requested IP it contains; the rest are left over. */
function assignRequested(
  sets: readonly RangeSet[],
  requested: readonly IP[],
): { perSet: (IP | undefined)[]; left: IP[] } {
  const left = [...requested];
  const perSet = sets.map((s) => {
    const k = left.findIndex((ip) => s.contains(ip));
    return k < 0 ? undefined : left.splice(k, 1)[0];
  });
  return { perSet, left };
}

/** ADD: one address per range set, all or nothing. */
export async function allocateAll(
  store: IpamStore,
  sets: readonly RangeSet[],
  owner: Owner,
  requested: readonly IP[] = [],
): Promise<Allocation[]> {
  return store.withLock(async () => {
    const { perSet, left } = assignRequested(sets, requested);
    const got: Allocation[] = [];
    try {
      for (let k = 0; k < sets.length; k++) {
        try {
          got.push(await new RangeAllocator(sets[k]!, k, store).allocate(owner, perSet[k]));
        } catch (err) {
          if (err instanceof IpamError)
            throw new IpamError(err.kind, `failed to allocate for range ${k}: ${err.message}`, err.details, {
              cause: err,
            });
          throw err;
        }
      }
      if (left.length > 0) {
        const ips = left.map(formatIP).join(' ');
        throw new IpamError('unavailable', `failed to allocate all requested IPs: ${ips}`, ips);
      }
      return got;
    } catch (err) {
      for (const a of got) await store.release(formatIP(a.ip));
      throw err;
    }
  });
}

/** DEL: free everything the attachment holds, in every range (also ranges no longer configured). */
export function releaseAll(store: IpamStore, owner: Owner): Promise<string[]> {
  return store.withLock(() => store.releaseOwner(owner));
}

/** CHECK: the attachment must hold at least one address (host-local's rule and message). */
export async function checkHeld(store: IpamStore, owner: Owner): Promise<string[]> {
  const held = await store.withLock(() => store.heldBy(owner));
  if (held.length === 0)
    throw new IpamError(
      'not-found',
      `host-local: Failed to find address added by container ${owner.containerId}`,
      owner.containerId,
    );
  return held;
}

export interface GcOutcome {
  readonly released: string[];
  readonly kept: number;
}

/**
 * GC: free every reservation whose attachment is not in `valid`. A legacy id-only reservation is kept
 * when any valid attachment has its container ID; an empty (never written) one is always freed.
 */
export async function collectGarbage(store: IpamStore, valid: readonly Owner[]): Promise<GcOutcome> {
  const exact = new Set(valid.map((o) => `${o.containerId}\r\n${o.ifname}`));
  const ids = new Set(valid.map((o) => o.containerId));
  return store.withLock(async () => {
    const released: string[] = [];
    let kept = 0;
    for (const h of await store.list()) {
      const o = h.owner;
      const ok =
        o !== undefined && (o.ifname === '' ? ids.has(o.containerId) : exact.has(`${o.containerId}\r\n${o.ifname}`));
      if (ok) kept++;
      else {
        await store.release(h.ip);
        released.push(h.ip);
      }
    }
    await store.reindex?.();
    return { released, kept };
  });
}

export interface RangeSetUsage {
  readonly rangeSet: number;
  readonly ranges: string;
  readonly capacity: bigint;
  readonly used: number;
}

/** Per range set: capacity and how many reservations fall inside it. */
export function usageOf(sets: readonly RangeSet[], held: readonly string[]): RangeSetUsage[] {
  const used = sets.map(() => 0);
  for (const text of held) {
    const ip = parseIP(text);
    if (!ip) continue;
    const k = sets.findIndex((s) => s.contains(ip));
    if (k >= 0) used[k]!++;
  }
  return sets.map((s, k) => ({ rangeSet: k, ranges: String(s), capacity: s.capacity(), used: used[k]! }));
}
