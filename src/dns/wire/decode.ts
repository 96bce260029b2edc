// The query side of the wire: a 12-byte header gate in front of any parsing (miekg/dns acceptfunc,
// as CoreDNS uses it), then a bounded parse of the question and of an EDNS0 OPT record.
// Every read is bounds-checked; compression pointers must point backwards and hops are limited,
// so no packet can loop or read past its end.
import { escapeLabel } from '../labels.js';
import type { Question } from '../types.js';
import { RCODE, TYPE } from '../types.js';

export interface Edns {
  udpSize: number;
  version: number;
  dnssecOk: boolean;
  /** The options a reply echoes (CoreDNS edns0.go: NSID, EXPIRE, COOKIE, TCP-KEEPALIVE, PADDING), raw. */
  echo: Buffer;
}

const ECHOED_OPTIONS = new Set([3, 9, 10, 11, 12]);

/** Walk the OPT's options (bounds-checked) and keep the ones a reply echoes. */
function echoedOptions(buf: Buffer, start: number, end: number): Buffer {
  const keep: Buffer[] = [];
  let pos = start;
  while (pos < end) {
    if (pos + 4 > end) throw new WireError('truncated EDNS option');
    const code = (buf[pos]! << 8) | buf[pos + 1]!;
    const len = (buf[pos + 2]! << 8) | buf[pos + 3]!;
    if (pos + 4 + len > end) throw new WireError('EDNS option runs past its record');
    if (ECHOED_OPTIONS.has(code)) keep.push(buf.subarray(pos, pos + 4 + len));
    pos += 4 + len;
  }
  return keep.length === 0 ? EMPTY : Buffer.concat(keep);
}

const EMPTY = Buffer.alloc(0);

export interface Query {
  id: number;
  opcode: number;
  rd: boolean;
  cd: boolean;
  question: Question;
  edns: Edns | undefined;
  /** The serial of the SOA in the authority section (what an IXFR query carries). */
  authoritySoaSerial?: number | undefined;
}

export type Decoded =
  /** No reply at all (too short for a header, or a response). */
  | { kind: 'drop' }
  /** A header-only error reply (FORMERR, NOTIMP), keeping the question when it was read. */
  | {
      kind: 'error';
      id: number;
      opcode: number;
      rd: boolean;
      cd: boolean;
      rcode: number;
      question: Question | undefined;
    }
  | { kind: 'query'; query: Query };

class WireError extends Error {}

const MAX_HOPS = 64;

/** Read a (possibly compressed) name at `start`; returns the name and the offset after it. */
export function readName(buf: Buffer, start: number): { name: string; end: number } {
  let pos = start;
  let end = -1;
  let hops = 0;
  let length = 1;
  const labels: string[] = [];
  for (;;) {
    if (pos >= buf.length) throw new WireError('name runs past the message');
    const len = buf[pos]!;
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length) throw new WireError('truncated compression pointer');
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      if (end < 0) end = pos + 2;
      // Pointers must go strictly backwards: that alone rules out loops; the hop cap bounds work.
      if (target >= pos || ++hops > MAX_HOPS) throw new WireError('bad compression pointer');
      pos = target;
      continue;
    }
    if (kind !== 0) throw new WireError('reserved label type');
    if (len === 0) {
      if (end < 0) end = pos + 1;
      break;
    }
    if (pos + 1 + len > buf.length) throw new WireError('label runs past the message');
    length += len + 1;
    if (length > 255) throw new WireError('name longer than 255 bytes');
    labels.push(escapeLabel(buf, pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return { name: labels.join('.'), end };
}

function u16(buf: Buffer, pos: number): number {
  if (pos + 2 > buf.length) throw new WireError('message ends inside a field');
  return (buf[pos]! << 8) | buf[pos + 1]!;
}

/** Skip one resource record; returns its type, class, ttl and rdata bounds. */
function readRr(buf: Buffer, pos: number) {
  const { name, end } = readName(buf, pos);
  if (end + 10 > buf.length) throw new WireError('record header runs past the message');
  const type = u16(buf, end);
  const klass = u16(buf, end + 2);
  const ttl = buf.readUInt32BE(end + 4);
  const rdlen = u16(buf, end + 8);
  const rdata = end + 10;
  if (rdata + rdlen > buf.length) throw new WireError('rdata runs past the message');
  return { name, type, klass, ttl, rdata, next: rdata + rdlen };
}

/** SOA rdata: MNAME, RNAME, then the serial. */
function soaSerial(buf: Buffer, rdata: number, next: number): number {
  const mname = readName(buf, rdata);
  const rname = readName(buf, mname.end);
  if (rname.end + 4 > next) throw new WireError('SOA rdata too short');
  return buf.readUInt32BE(rname.end);
}

export function decodeQuery(buf: Buffer): Decoded {
  if (buf.length < 12) return { kind: 'drop' };
  const id = (buf[0]! << 8) | buf[1]!;
  const flags = buf[2]!;
  if (flags & 0x80) return { kind: 'drop' };
  const opcode = (flags >> 3) & 0x0f;
  const rd = (flags & 1) === 1;
  const cd = (buf[3]! & 0x10) !== 0;
  if (opcode !== 0) return { kind: 'error', id, opcode, rd, cd, rcode: RCODE.NOTIMP, question: undefined };
  const qd = (buf[4]! << 8) | buf[5]!;
  const an = (buf[6]! << 8) | buf[7]!;
  const ns = (buf[8]! << 8) | buf[9]!;
  const ar = (buf[10]! << 8) | buf[11]!;
  if (qd !== 1 || an > 1 || ns > 1 || ar > 2) {
    return { kind: 'error', id, opcode, rd, cd, rcode: RCODE.FORMERR, question: undefined };
  }
  let question: Question | undefined;
  try {
    const { name, end } = readName(buf, 12);
    question = { name, type: u16(buf, end), class: u16(buf, end + 2) };
    let pos = end + 4;
    let authoritySoaSerial: number | undefined;
    for (let i = 0; i < an + ns; i++) {
      const rr = readRr(buf, pos);
      if (i >= an && rr.type === TYPE.SOA) authoritySoaSerial = soaSerial(buf, rr.rdata, rr.next);
      pos = rr.next;
    }
    let edns: Edns | undefined;
    for (let i = 0; i < ar; i++) {
      const rr = readRr(buf, pos);
      pos = rr.next;
      if (rr.type !== TYPE.OPT) continue;
      if (edns || rr.name !== '') throw new WireError('more than one OPT, or an OPT not at the root');
      edns = {
        udpSize: rr.klass,
        version: (rr.ttl >>> 16) & 0xff,
        dnssecOk: (rr.ttl & 0x8000) !== 0,
        echo: echoedOptions(buf, rr.rdata, rr.next),
      };
    }
    return { kind: 'query', query: { id, opcode, rd, cd, question, edns, authoritySoaSerial } };
  } catch (err) {
    if (!(err instanceof WireError)) throw err;
    return { kind: 'error', id, opcode, rd, cd, rcode: RCODE.FORMERR, question };
  }
}
