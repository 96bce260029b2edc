// The in-memory IpamStore: the reference behaviour for the conformance suite, the test double, and
// the store of in-process benchmarks.
import { type Holding, type IpamStore, type Owner, ownerKey } from '../store.js';

export class MemoryIpamStore implements IpamStore {
  private readonly owners = new Map<string, Owner>();
  private readonly byOwner = new Map<string, Set<string>>();
  private readonly last = new Map<number, string>();
  private tail: Promise<unknown> = Promise.resolve();

  withLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  async reserve(ip: string, owner: Owner, rangeSet: number): Promise<boolean> {
    if (this.owners.has(ip)) return false;
    this.owners.set(ip, owner);
    const k = ownerKey(owner);
    let set = this.byOwner.get(k);
    if (!set) this.byOwner.set(k, (set = new Set()));
    set.add(ip);
    this.last.set(rangeSet, ip);
    return true;
  }

  async lastReserved(rangeSet: number): Promise<string | undefined> {
    return this.last.get(rangeSet);
  }

  async heldBy(owner: Owner): Promise<string[]> {
    const exact = this.byOwner.get(ownerKey(owner));
    if (exact && exact.size > 0) return [...exact];
    if (owner.ifname === '') return [];
    return [...(this.byOwner.get(ownerKey({ containerId: owner.containerId, ifname: '' })) ?? [])];
  }

  async release(ip: string): Promise<void> {
    const owner = this.owners.get(ip);
    if (!owner) return;
    this.owners.delete(ip);
    const k = ownerKey(owner);
    const set = this.byOwner.get(k);
    set?.delete(ip);
    if (set?.size === 0) this.byOwner.delete(k);
  }

  async releaseOwner(owner: Owner): Promise<string[]> {
    const ips = await this.heldBy(owner);
    for (const ip of ips) await this.release(ip);
    return ips;
  }

  async list(): Promise<Holding[]> {
    return [...this.owners].map(([ip, owner]) => ({ ip, owner }));
  }
}
