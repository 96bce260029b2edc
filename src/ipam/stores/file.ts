// The disk store, in host-local's layout: <dataDir>/<network>/<ip> files holding `<id>\r\n<ifname>`,
// `last_reserved_ip.<set>` cursors and a `lock` file, so host-local tools and upgrades read it as theirs.
//
// Crash safety: an address is claimed by exclusive create (O_CREAT|O_EXCL) of its file, never by
// rename (which would silently replace a file another process owns); the owner record is written into
// that file with one write(2). A process killed between create and write leaves an empty file: the
// next ADD that meets it under the lock reclaims it, DEL of the crashed attachment removes it, and GC
// frees it.
//
// Speed: host-local reads every file per ADD/DEL (O(allocations)). Here each attachment has an index
// file, .kubeplane/a/<id>@<ifname>, listing the addresses it may hold. It is written *before* the claim
// (an append of one line), so it is always a superset of the truth, and every entry is verified
// against the address file before use; ADD, DEL and CHECK read only that file. The index is built by
// one scan the first time a directory is used (marker .kubeplane/indexed) and rebuilt after GC.
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { IpamError } from '../../errors.js';
import { parseIP } from '../ip.js';
import { type Holding, type IpamStore, type Owner, ownerRecord, parseOwnerRecord } from '../store.js';
import { withDirLock } from './lock.js';

const INDEX_DIR = '.kubeplane';
const LAST_PREFIX = 'last_reserved_ip.';

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
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

function fnv64(s: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < s.length; i++) h = ((h ^ BigInt(s.charCodeAt(i))) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16);
}

/** Is `name` an address file (as opposed to lock, last_reserved_ip.*, the index dir, temp files)? */
export function isAddressFileName(name: string): boolean {
  return parseIP(name) !== undefined;
}

/** Test-only crash points (KUBEPLANE_IPAM_TEST_PAUSE=after-intent|after-claim|after-write). */
function pausePoint(point: string): void {
  if (process.env.KUBEPLANE_IPAM_TEST_PAUSE !== point) return;
  writeSync(2, `paused:${point}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
}

export class FileIpamStore implements IpamStore {
  readonly dir: string;
  private readonly index: string;
  private readonly attachDir: string;

  constructor(dataDir: string, network: string) {
    this.dir = resolve(dataDir, network);
    this.index = join(this.dir, INDEX_DIR);
    this.attachDir = join(this.index, 'a');
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
      this.io('preparing the data dir', () => this.ensureIndexed());
      return fn();
    });
  }

  private attachmentPath(owner: Owner): string {
    const name = `${owner.containerId.trim()}@${encodeURIComponent(owner.ifname)}`;
    return join(this.attachDir, name.length <= 200 ? name : `#${fnv64(name)}`);
  }

  private ensureIndexed(): void {
    if (existsSync(join(this.index, 'indexed'))) return;
    mkdirSync(this.dir, { recursive: true, mode: 0o755 });
    if (!existsSync(join(this.dir, 'lock'))) writeFileSync(join(this.dir, 'lock'), '', { mode: 0o600 });
    this.buildIndex();
  }

  private buildIndex(): void {
    rmSync(this.attachDir, { recursive: true, force: true });
    mkdirSync(this.attachDir, { recursive: true });
    const lines = new Map<string, string[]>();
    for (const h of this.scan()) {
      if (!h.owner) continue;
      const p = this.attachmentPath(h.owner);
      lines.set(p, [...(lines.get(p) ?? []), h.ip]);
    }
    for (const [p, ips] of lines) writeFileSync(p, ips.map((ip) => `${ip}\n`).join(''));
    writeFileSync(join(this.index, 'indexed'), '');
  }

  private scan(): Holding[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: Holding[] = [];
    for (const name of names) {
      if (!isAddressFileName(name)) continue;
      const text = readOrUndefined(join(this.dir, name));
      if (text !== undefined) out.push({ ip: name, owner: parseOwnerRecord(text) });
    }
    return out;
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
      appendFileSync(this.attachmentPath(owner), `${ip}\n`);
      pausePoint('after-intent');
      let fd: number;
      try {
        fd = openSync(path, 'wx', 0o600);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw err;
      }
      try {
        pausePoint('after-claim');
        writeSync(fd, ownerRecord(owner));
      } catch (err) {
        closeSync(fd);
        unlinkQuiet(path);
        throw err;
      }
      closeSync(fd);
      pausePoint('after-write');
      writeFileSync(join(this.dir, `${LAST_PREFIX}${rangeSet}`), ip);
      return true;
    });
  }

  async lastReserved(rangeSet: number): Promise<string | undefined> {
    return this.io('reading the last reserved IP', () =>
      readOrUndefined(join(this.dir, `${LAST_PREFIX}${rangeSet}`))?.trim(),
    );
  }

  /** Verified entries of an attachment's index file: [held exactly, empty leftovers]. */
  private indexed(owner: Owner): { held: string[]; empty: string[] } {
    const listed = readOrUndefined(this.attachmentPath(owner));
    const held: string[] = [];
    const empty: string[] = [];
    if (listed === undefined) return { held, empty };
    for (const ip of new Set(listed.split('\n'))) {
      if (ip === '' || !isAddressFileName(ip)) continue;
      const text = readOrUndefined(join(this.dir, ip));
      if (text === undefined) continue;
      const o = parseOwnerRecord(text);
      if (!o) empty.push(ip);
      else if (o.containerId === owner.containerId.trim() && o.ifname === owner.ifname) held.push(ip);
    }
    return { held, empty };
  }

  async heldBy(owner: Owner): Promise<string[]> {
    return this.io('looking up an attachment', () => {
      const exact = this.indexed(owner).held;
      if (exact.length > 0 || owner.ifname === '') return exact;
      return this.indexed({ containerId: owner.containerId, ifname: '' }).held;
    });
  }

  async release(ip: string): Promise<void> {
    this.io(`releasing ${ip}`, () => unlinkQuiet(join(this.dir, ip)));
  }

  async releaseOwner(owner: Owner): Promise<string[]> {
    return this.io('releasing an attachment', () => {
      let target = owner;
      let { held, empty } = this.indexed(owner);
      if (held.length === 0 && owner.ifname !== '') {
        const legacy = { containerId: owner.containerId, ifname: '' };
        const l = this.indexed(legacy);
        if (l.held.length > 0) {
          for (const ip of empty) unlinkQuiet(join(this.dir, ip));
          unlinkQuiet(this.attachmentPath(owner));
          ({ held, empty } = l);
          target = legacy;
        }
      }
      for (const ip of [...held, ...empty]) unlinkQuiet(join(this.dir, ip));
      unlinkQuiet(this.attachmentPath(target));
      return held;
    });
  }

  async list(): Promise<Holding[]> {
    return this.io('listing reservations', () => this.scan());
  }

  async reindex(): Promise<void> {
    this.io('rebuilding the index', () => this.buildIndex());
  }

  /** Record the range sets in use, so `kubeplane ipam show` can report utilisation per range. */
  noteRanges(json: string): void {
    this.io('recording the ranges', () => {
      const path = join(this.index, 'ranges.json');
      if (readOrUndefined(path) !== json) writeFileSync(path, json);
    });
  }
}
