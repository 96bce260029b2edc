// What the allocator needs from a store. host-local's Store, reshaped: "taken" is an answer
// (reserve() -> false), not an error; a lock failure throws and is never ignored.

/** One attachment: CNI_CONTAINERID + CNI_IFNAME. ifname '' = a legacy id-only reservation. */
export interface Owner {
  readonly containerId: string;
  readonly ifname: string;
}

/** One reserved address as the store holds it. `owner` is undefined for an empty/unreadable record. */
export interface Holding {
  readonly ip: string;
  readonly owner: Owner | undefined;
}

export interface IpamStore {
  /** Run `fn` holding the store's exclusive lock (across processes for shared stores). */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Claim `ip` (canonical text) for `owner`; false when someone holds it. On success it also becomes
   * the last reserved IP of range set `rangeSet`.
   */
  reserve(ip: string, owner: Owner, rangeSet: number): Promise<boolean>;
  lastReserved(rangeSet: number): Promise<string | undefined>;
  /** Addresses held by exactly (id, ifname); when none, those held by the legacy id-only form. */
  heldBy(owner: Owner): Promise<string[]>;
  /** Free one address (rolling back an ADD, GC). Freeing a free address is not an error. */
  release(ip: string): Promise<void>;
  /** Free what heldBy(owner) returns; returns those addresses. */
  releaseOwner(owner: Owner): Promise<string[]>;
  /** Every reservation (GC, status). */
  list(): Promise<Holding[]>;
  /** Optional: rebuild derived indexes after a GC. */
  reindex?(): Promise<void>;
}

export function ownerKey(o: Owner): string {
  return `${o.containerId}\r\n${o.ifname}`;
}

/** Text a reservation records, host-local's `<id>\r\n<ifname>` (container ID trimmed). */
export function ownerRecord(o: Owner): string {
  return o.ifname === '' ? o.containerId.trim() : `${o.containerId.trim()}\r\n${o.ifname}`;
}

/** Parse a reservation's text; undefined when empty (a claim whose owner was never written). */
export function parseOwnerRecord(text: string): Owner | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const nl = t.indexOf('\r\n');
  return nl < 0 ? { containerId: t, ifname: '' } : { containerId: t.slice(0, nl), ifname: t.slice(nl + 2) };
}
