// Our own answer encoder: one pass into a reusable Buffer, RFC 1035 §4.1.4 name compression, and
// truncation to a size limit the way miekg/dns Truncate does it (whole records in order answer ->
// authority -> additional while they fit, TC set when any was dropped, the OPT always kept).
import ipaddr from 'ipaddr.js';
import { labelBytes } from '../labels.js';
import type { Question, Rr } from '../types.js';
import { TYPE } from '../types.js';

export interface ReplyOpt {
  udpSize: number;
  /** The upper 8 bits of a 12-bit rcode (BADVERS = 16 -> 1). */
  extendedRcode: number;
  dnssecOk: boolean;
  /** Raw EDNS options to carry (already filtered by the caller). */
  options?: Buffer | undefined;
}

export interface Reply {
  id: number;
  opcode: number;
  rcode: number;
  aa: boolean;
  rd: boolean;
  cd: boolean;
  question: Question | undefined;
  answer: readonly Rr[];
  authority: readonly Rr[];
  additional: readonly Rr[];
  opt: ReplyOpt | undefined;
}

class EncodeError extends Error {}
/** The 64 KiB message limit was reached: the record is rolled back and TC set. */
class SizeError extends EncodeError {}

const OPT_SIZE = 11;
const addrCache = new Map<string, Uint8Array>();

function addressBytes(ip: string): Uint8Array {
  let b = addrCache.get(ip);
  if (b) return b;
  b = Uint8Array.from(ipaddr.parse(ip).toByteArray());
  if (addrCache.size > 100_000) addrCache.clear();
  addrCache.set(ip, b);
  return b;
}

/** Writes one message. Reused across messages (reset() between them); not re-entrant. */
export class MessageWriter {
  private buf = Buffer.allocUnsafe(65535 + 512);
  pos = 0;
  private names = new Map<string, number>();
  /** Names registered since the last mark, so a rolled-back record leaves no dangling pointers. */
  private added: string[] = [];

  reset(): void {
    this.pos = 0;
    this.names.clear();
    this.added.length = 0;
  }

  private need(n: number): void {
    if (this.pos + n > 65535) throw new SizeError('message exceeds 65535 bytes');
  }

  u8(v: number): void {
    this.need(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.need(2);
    this.buf[this.pos++] = (v >> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
  }

  u32(v: number): void {
    this.need(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }

  u16At(at: number, v: number): void {
    this.buf[at] = (v >> 8) & 0xff;
    this.buf[at + 1] = v & 0xff;
  }

  name(name: string, compress: boolean): void {
    if (name === '') {
      this.u8(0);
      return;
    }
    const escaped = name.includes('\\');
    let start = 0;
    let total = 1;
    for (;;) {
      const suffix = start === 0 ? name : name.slice(start);
      if (compress) {
        const at = this.names.get(suffix);
        if (at !== undefined) {
          this.u16(0xc000 | at);
          return;
        }
      }
      if (this.pos < 0x3fff && !this.names.has(suffix)) {
        this.names.set(suffix, this.pos);
        this.added.push(suffix);
      }
      let dot = name.indexOf('.', start);
      if (escaped) while (dot > 0 && isEscaped(name, dot)) dot = name.indexOf('.', dot + 1);
      const label = dot < 0 ? name.slice(start) : name.slice(start, dot);
      const len = escaped ? this.escapedLabel(label) : this.plainLabel(label);
      total += len + 1;
      if (total > 255) throw new EncodeError(`name too long: ${name}`);
      if (dot < 0) break;
      start = dot + 1;
    }
    this.u8(0);
  }

  private plainLabel(label: string): number {
    const len = label.length;
    if (len === 0 || len > 63) throw new EncodeError(`bad label length ${len}`);
    this.need(len + 1);
    this.buf[this.pos++] = len;
    this.buf.write(label, this.pos, 'latin1');
    this.pos += len;
    return len;
  }

  private escapedLabel(label: string): number {
    const bytes = labelBytes(label);
    if (bytes.length === 0 || bytes.length > 63) throw new EncodeError(`bad label length ${bytes.length}`);
    this.need(bytes.length + 1);
    this.buf[this.pos++] = bytes.length;
    bytes.copy(this.buf, this.pos);
    this.pos += bytes.length;
    return bytes.length;
  }

  rr(rr: Rr): void {
    this.name(rr.name, true);
    this.u16(rr.type);
    this.u16(1);
    this.u32(rr.ttl);
    const lenAt = this.pos;
    this.u16(0);
    const start = this.pos;
    switch (rr.type) {
      case TYPE.A:
      case TYPE.AAAA: {
        const b = addressBytes(rr.data);
        this.need(b.length);
        this.buf.set(b, this.pos);
        this.pos += b.length;
        break;
      }
      case TYPE.NS:
      case TYPE.CNAME:
      case TYPE.PTR:
        this.name(rr.data, true);
        break;
      case TYPE.TXT:
        for (const s of rr.data) {
          const b = Buffer.from(s, 'utf8');
          if (b.length > 255) throw new EncodeError('TXT string longer than 255 bytes');
          this.u8(b.length);
          this.need(b.length);
          b.copy(this.buf, this.pos);
          this.pos += b.length;
        }
        break;
      case TYPE.SRV:
        this.u16(rr.data.priority);
        this.u16(rr.data.weight);
        this.u16(rr.data.port);
        // RFC 2782: the target is not compressed (later names may still point into it).
        this.name(rr.data.target, false);
        break;
      case TYPE.SOA:
        this.name(rr.data.mname, true);
        this.name(rr.data.rname, true);
        this.u32(rr.data.serial);
        this.u32(rr.data.refresh);
        this.u32(rr.data.retry);
        this.u32(rr.data.expire);
        this.u32(rr.data.minimum);
        break;
    }
    this.u16At(lenAt, this.pos - start);
  }

  /** Start of a record that may be rolled back. */
  mark(): number {
    this.added.length = 0;
    return this.pos;
  }

  rollback(to: number): void {
    for (const n of this.added) this.names.delete(n);
    this.added.length = 0;
    this.pos = to;
  }

  raw(b: Buffer): void {
    this.need(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }

  bytes(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

function isEscaped(s: string, i: number): boolean {
  let n = 0;
  for (let j = i - 1; j >= 0 && s[j] === '\\'; j--) n++;
  return n % 2 === 1;
}

const shared = new MessageWriter();

/** Encode a reply no larger than `limit` bytes (512..65535); sets TC when records had to go. */
export function encodeReply(r: Reply, limit = 65535): Buffer {
  const w = shared;
  w.reset();
  const budget = limit - (r.opt ? OPT_SIZE + (r.opt.options?.length ?? 0) : 0);
  w.u16(r.id);
  w.u8(0x80 | ((r.opcode & 0x0f) << 3) | (r.aa ? 0x04 : 0) | (r.rd ? 0x01 : 0));
  w.u8((r.cd ? 0x10 : 0) | (r.rcode & 0x0f));
  w.u16(r.question ? 1 : 0);
  w.u16(0);
  w.u16(0);
  w.u16(0);
  if (r.question) {
    w.name(r.question.name, true);
    w.u16(r.question.type);
    w.u16(r.question.class);
  }
  let truncated = false;
  const counts = [0, 0, 0];
  const sections = [r.answer, r.authority, r.additional];
  for (let s = 0; s < 3 && !truncated; s++) {
    for (const rr of sections[s]!) {
      const at = w.mark();
      let over = false;
      try {
        w.rr(rr);
      } catch (err) {
        if (!(err instanceof SizeError)) throw err;
        over = true;
      }
      if (over || w.pos > budget) {
        w.rollback(at);
        truncated = true;
        break;
      }
      counts[s]!++;
    }
  }
  if (r.opt) {
    w.u8(0);
    w.u16(TYPE.OPT);
    w.u16(Math.max(512, r.opt.udpSize));
    w.u32(((r.opt.extendedRcode & 0xff) << 24) | (r.opt.dnssecOk ? 0x8000 : 0));
    const options = r.opt.options;
    w.u16(options?.length ?? 0);
    if (options) w.raw(options);
  }
  const out = w.bytes();
  if (truncated) out[2]! |= 0x02;
  out.writeUInt16BE(counts[0]!, 6);
  out.writeUInt16BE(counts[1]!, 8);
  out.writeUInt16BE(counts[2]! + (r.opt ? 1 : 0), 10);
  return out;
}
