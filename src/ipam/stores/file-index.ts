// The owner index of the disk store: which addresses an attachment (container ID + ifname) may hold,
// without reading every address file as host-local does. Lines `<ip>\t<containerId>\t<ifname>` are
// appended to one of 256 bucket files (.kubeplane/owners/<hash of the attachment>), *before* the
// address is claimed, so the index is always a superset of the truth; every line is verified against
// the address file before use. Appending to an existing file is cheap; creating a file is not (about
// 0.8 ms on this ext4), which is why attachments share buckets instead of having a file each. DEL
// leaves its lines behind; a bucket over COMPACT_BYTES is rewritten with only the lines that still
// hold (temp file + rename: the bucket is ours alone, unlike address files).
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Owner } from '../store.js';
import { overwriteSmallFile } from './overwrite.js';
import { readdirOrEmpty } from './read-dir.js';

const COMPACT_BYTES = 16 * 1024;
/** Written last by rebuild(), then holds the directory stamp; sorts after every bucket name (two hex digits). */
const COMPLETE_MARKER = 'indexed';

export interface IndexLine {
  readonly ip: string;
  readonly owner: Owner;
}

function bucketOf(owner: Owner): string {
  const key = `${owner.containerId}\t${owner.ifname}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return ((h >>> 0) & 0xff).toString(16).padStart(2, '0');
}

function encode(s: string): string {
  return s.replace(/[%\t\n]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function decode(s: string): string {
  return s.replace(/%([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}

function lineOf(ip: string, o: Owner): string {
  return `${ip}\t${encode(o.containerId)}\t${encode(o.ifname)}\n`;
}

function parseLines(text: string): IndexLine[] {
  const out: IndexLine[] = [];
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f.length !== 3) continue; // a torn last line after a crash: ignore
    out.push({ ip: f[0]!, owner: { containerId: decode(f[1]!), ifname: decode(f[2]!) } });
  }
  return out;
}

export class OwnerIndex {
  private readonly dir: string;

  constructor(indexDir: string) {
    this.dir = join(indexDir, 'owners');
  }

  private read(bucket: string): string {
    try {
      return readFileSync(join(this.dir, bucket), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw err;
    }
  }

  /** Addresses listed for exactly `owner` (unverified), and the bucket size for compaction. */
  lookup(owner: Owner): { ips: string[]; bytes: number } {
    const text = this.read(bucketOf(owner));
    const ips = new Set<string>();
    for (const l of parseLines(text))
      if (l.owner.containerId === owner.containerId && l.owner.ifname === owner.ifname) ips.add(l.ip);
    return { ips: [...ips], bytes: text.length };
  }

  /** Record that `owner` is about to claim `ip`. */
  note(ip: string, owner: Owner): void {
    appendFileSync(join(this.dir, bucketOf(owner)), lineOf(ip, owner));
  }

  /** Rewrite `owner`'s bucket if it has grown past the threshold, keeping lines `holds` confirms. */
  compactIfLarge(owner: Owner, bytes: number, holds: (l: IndexLine) => boolean): void {
    if (bytes < COMPACT_BYTES) return;
    const bucket = bucketOf(owner);
    const kept = parseLines(this.read(bucket)).filter(holds);
    const tmp = join(this.dir, `.tmp-${process.pid}-${bucket}`);
    writeFileSync(tmp, kept.map((l) => lineOf(l.ip, l.owner)).join(''));
    renameSync(tmp, join(this.dir, bucket));
  }

  /**
   * True when a full rebuild finished, nothing removed its marker since, and the network directory is
   * as the last operation of ours left it (`stamp`, see FileIpamStore). A file created or removed by
   * anyone else (host-local sharing the directory, a tool, a process of ours killed mid-operation)
   * changes the directory's mtime, so the next operation rescans instead of trusting the index.
   */
  isCurrent(stamp: string): boolean {
    try {
      return readFileSync(join(this.dir, COMPLETE_MARKER), 'utf8') === stamp;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** Note the directory state after an operation of ours (only once the index is complete). */
  markCurrent(stamp: string): void {
    if (existsSync(join(this.dir, COMPLETE_MARKER))) overwriteSmallFile(join(this.dir, COMPLETE_MARKER), stamp);
  }

  /** Every line of every bucket (a rebuild keeps those whose claim was never written). */
  allLines(): IndexLine[] {
    return readdirOrEmpty(this.dir)
      .filter((n) => /^[0-9a-f]{2}$/.test(n))
      .flatMap((n) => parseLines(this.read(n)));
  }

  /** Replace the whole index with `lines` (first use of a directory, a changed directory, after GC). */
  rebuild(lines: readonly IndexLine[]): void {
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
    const byBucket = new Map<string, string[]>();
    for (const l of lines) {
      const b = bucketOf(l.owner);
      byBucket.set(b, [...(byBucket.get(b) ?? []), lineOf(l.ip, l.owner)]);
    }
    for (const [b, text] of byBucket) writeFileSync(join(this.dir, b), text.join(''));
    writeFileSync(join(this.dir, COMPLETE_MARKER), '');
  }
}
