// The disk store, in host-local's layout: <dataDir>/<network>/<ip> files holding `<id>\r\n<ifname>`,
// `last_reserved_ip.<set>` cursors and a `lock` file, so host-local tools and upgrades read it as theirs.
//
// Crash safety: an address is claimed by exclusive create (O_CREAT|O_EXCL) of its file, never by
// rename (which would silently replace a file another process owns); the owner record is written into
// that file with one write(2). A process killed between create and write leaves an empty file: the
// next ADD that meets it under the lock reclaims it, DEL of the crashed attachment removes it, and GC
// frees it.
//
// Speed: host-local reads every file per ADD/DEL (O(allocations)). Here an owner index
// (file-index.ts, under .kubeplane/, which host-local's walk reads but never matches) says which
// addresses an attachment may hold; ADD, DEL and CHECK read one small bucket of it plus those address
// files. It is built by one scan the first time a directory is used and rebuilt after GC; its
// completeness marker sits inside the index directory and sorts after the buckets, so whatever
// deletes the index (a tool walking the data dir) deletes the marker too and the next operation
// rebuilds it. The marker also holds the directory's mtime as our last operation left it: when
// host-local (or anything else) adds or removes an address file in between, the next operation sees
// a different mtime and rescans, so allocations host-local makes later are found too.
import { closeSync, existsSync, mkdirSync, openSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IpamError } from '../../errors.js';
import { parseIP } from '../../net/ip.js';
import { readFileBounded } from '../read-bounded.js';
import { type Holding, type IpamStore, type Owner, ownerRecord, parseOwnerRecord } from '../store.js';
import { OwnerIndex } from './file-index.js';
import { withDirLock } from './lock.js';
import { overwriteSmallFile } from './overwrite.js';
import { readdirOrEmpty } from './read-dir.js';

const INDEX_DIR = '.kubeplane';
const LAST_PREFIX = 'last_reserved_ip.';

/**
 * Reservation, cursor and range-record files hold an ID and an interface name or one small JSON
 * document; past this they were not written by a CNI plugin, and reading them whole could exhaust
 * memory (or never end, for a FIFO or /dev/zero linked in).
 */
export const MAX_STORE_FILE_BYTES = 64 * 1024;

function readOrUndefined(path: string): string | undefined {
  try {
    const text = readFileBounded(path, MAX_STORE_FILE_BYTES);
    if (text === undefined)
      throw new IpamError('io', `${path}: more than ${MAX_STORE_FILE_BYTES} bytes; not a host-local data file`, path);
    return text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Is `name` an address file (as opposed to lock, last_reserved_ip.*, the index dir, temp files)? */
export function isAddressFileName(name: string): boolean {
  return parseIP(name) !== undefined;
}

/** The points of a reservation where a crash leaves a distinct state on disk. */
export type ReservePoint = 'after-intent' | 'after-claim' | 'after-write';

/** Seams for tests: `at` is called at each point (crash tests pause there and SIGKILL the process). */
export interface FileStoreHooks {
  at?(point: ReservePoint): void;
}

export class FileIpamStore implements IpamStore {
  readonly dir: string;
  private readonly indexDir: string;
  private readonly owners: OwnerIndex;

  /**
   * `rangesJson`: the configured range sets, recorded under the lock on each operation (written only
   * when they changed) so `kubeplane ipam show` can report utilisation per range.
   */
  constructor(
    dataDir: string,
    network: string,
    private readonly rangesJson?: string,
    private readonly hooks: FileStoreHooks = {},
  ) {
    this.dir = resolve(dataDir, network);
    this.indexDir = join(this.dir, INDEX_DIR);
    this.owners = new OwnerIndex(this.indexDir);
  }

  private io<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof IpamError) throw err;
      throw new IpamError('io', `${what} in ${this.dir}: ${(err as Error).message}`, this.dir, { cause: err });
    }
  }

  withLock<T>(fn: () => Promise<T>): Promise<T> {
    return withDirLock(this.dir, async () => {
      this.io('preparing the data dir', () => {
        this.ensureIndexed();
        if (this.rangesJson !== undefined) this.noteRanges(this.rangesJson);
      });
      try {
        return await fn();
      } finally {
        this.io('noting the data dir state', () => this.owners.markCurrent(this.stamp()));
      }
    });
  }

  /**
   * The network directory's mtime (ns) and size: any entry created or removed changes it. Reading
   * it also makes the kernel (6.13+ multigrain timestamps) give the next change a fine-grained time,
   * so a change right after our operation is not hidden in the same clock tick.
   */
  private stamp(): string {
    try {
      const st = statSync(this.dir, { bigint: true });
      return `${st.mtimeNs}/${st.size}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
      throw err;
    }
  }

  private ensureIndexed(): void {
    if (this.owners.isCurrent(this.stamp())) return;
    mkdirSync(this.dir, { recursive: true, mode: 0o755 });
    if (!existsSync(join(this.dir, 'lock'))) writeFileSync(join(this.dir, 'lock'), '', { mode: 0o600 });
    this.buildIndex();
  }

  /**
   * The index from a full scan, plus the old index's lines for address files that are still empty:
   * a claim whose owner was never written (killed process) stays findable by that owner's DEL.
   */
  private buildIndex(): void {
    const held = this.scan();
    const empty = new Set(held.filter((h) => !h.owner).map((h) => h.ip));
    const lines = held.flatMap((h) => (h.owner ? [{ ip: h.ip, owner: h.owner }] : []));
    for (const l of this.owners.allLines()) if (empty.has(l.ip)) lines.push(l);
    this.owners.rebuild(lines);
  }

  private scan(): Holding[] {
    const names = readdirOrEmpty(this.dir);
    const out: Holding[] = [];
    for (const name of names) {
      if (!isAddressFileName(name)) continue;
      const text = readOrUndefined(join(this.dir, name));
      if (text !== undefined) out.push({ ip: name, owner: parseOwnerRecord(text) });
    }
    return out;
  }

  /** What the address file says now: an owner, 'empty' (claimed, never written) or undefined (free). */
  private ownerOf(ip: string): Owner | 'empty' | undefined {
    const text = readOrUndefined(join(this.dir, ip));
    if (text === undefined) return undefined;
    return parseOwnerRecord(text) ?? 'empty';
  }

  async reserve(ip: string, owner: Owner, rangeSet: number): Promise<boolean> {
    return this.io(`reserving ${ip}`, () => {
      const path = join(this.dir, ip);
      const existing = readOrUndefined(path);
      if (existing !== undefined) {
        // Nonempty: someone holds it. Empty: a claim whose writer was killed; we hold the lock, so no
        // writer of ours is still running: take the address over.
        if (existing.trim() !== '') return false;
        unlinkSync(path);
      }
      this.owners.note(ip, owner);
      this.hooks.at?.('after-intent');
      let fd: number;
      try {
        fd = openSync(path, 'wx', 0o600);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw err;
      }
      try {
        this.hooks.at?.('after-claim');
        writeSync(fd, ownerRecord(owner));
      } catch (err) {
        closeSync(fd);
        unlinkQuiet(path);
        throw err;
      }
      closeSync(fd);
      this.hooks.at?.('after-write');
      overwriteSmallFile(join(this.dir, `${LAST_PREFIX}${rangeSet}`), ip);
      return true;
    });
  }

  async lastReserved(rangeSet: number): Promise<string | undefined> {
    return this.io('reading the last reserved IP', () =>
      // Not trimmed: host-local's net.ParseIP refuses "10.1.2.5\n", so such a cursor restarts at rangeStart.
      readOrUndefined(join(this.dir, `${LAST_PREFIX}${rangeSet}`)),
    );
  }

  /**
   * Index entries of `owner`, verified: [held exactly, held in the legacy id-only form, listed but
   * empty (a killed claim)]. A file the index lists for (id, ifname) that now reads `<id>` alone (an
   * older host-local, or a tool, rewrote it) counts as legacy-held, as host-local's id-only fallback.
   */
  private verified(owner: Owner): { held: string[]; legacy: string[]; empty: string[]; bytes: number } {
    const { ips, bytes } = this.owners.lookup(owner);
    const id = owner.containerId.trim();
    const held: string[] = [];
    const legacy: string[] = [];
    const empty: string[] = [];
    for (const ip of ips) {
      if (!isAddressFileName(ip)) continue;
      const o = this.ownerOf(ip);
      if (o === 'empty') empty.push(ip);
      else if (o && o.containerId === id && o.ifname === owner.ifname) held.push(ip);
      else if (o && o.containerId === id && o.ifname === '') legacy.push(ip);
    }
    return { held, legacy, empty, bytes };
  }

  /** Legacy id-only holdings of `owner`'s container, from both its own and the id-only index entries. */
  private legacyHeld(owner: Owner, fromExact: readonly string[]): string[] {
    const idOnly = this.verified({ containerId: owner.containerId, ifname: '' });
    return [...new Set([...fromExact, ...idOnly.held])];
  }

  async heldBy(owner: Owner): Promise<string[]> {
    return this.io('looking up an attachment', () => {
      const v = this.verified(owner);
      if (v.held.length > 0 || owner.ifname === '') return v.held;
      return this.legacyHeld(owner, v.legacy);
    });
  }

  async release(ip: string): Promise<void> {
    this.io(`releasing ${ip}`, () => unlinkQuiet(join(this.dir, ip)));
  }

  async releaseOwner(owner: Owner): Promise<string[]> {
    return this.io('releasing an attachment', () => {
      const exact = this.verified(owner);
      const held = exact.held.length > 0 || owner.ifname === '' ? exact.held : this.legacyHeld(owner, exact.legacy);
      for (const ip of [...held, ...exact.empty]) unlinkQuiet(join(this.dir, ip));
      if (exact.held.length === 0 && owner.ifname !== '') {
        // A killed claim noted under the id-only form (an ADD by an id-only caller) goes too.
        for (const ip of this.verified({ containerId: owner.containerId, ifname: '' }).empty)
          unlinkQuiet(join(this.dir, ip));
      }
      this.owners.compactIfLarge(owner, exact.bytes, (l) => {
        const o = this.ownerOf(l.ip);
        return (
          o === 'empty' || (o !== undefined && o.containerId === l.owner.containerId && o.ifname === l.owner.ifname)
        );
      });
      return held;
    });
  }

  async list(): Promise<Holding[]> {
    return this.io('listing reservations', () => this.scan());
  }

  async reindex(): Promise<void> {
    this.io('rebuilding the index', () => this.buildIndex());
  }

  private noteRanges(json: string): void {
    const path = join(this.indexDir, 'ranges.json');
    if (readOrUndefined(path) !== json) writeFileSync(path, json);
  }
}
