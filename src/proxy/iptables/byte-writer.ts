// The restore payload written as bytes into one growing buffer. A full sync at 10,000 services
// writes about two million small pieces; as strings they cost a join per block, a 32 MB join at the
// end and the garbage of every piece. Written as bytes they cost a copy each, and the text is read
// back once. All rule text is ASCII (names, addresses, numbers, fixed words); a string that is not
// is written as UTF-8 and the whole buffer is then read back as UTF-8, so the text never changes.

/** Strings up to this length are copied by a loop; longer ones by Buffer's native write. */
const SHORT = 48;
/** Byte arrays up to this length are copied by a loop; longer ones by the native copy. */
const SHORT_BYTES = 16;

/** ASCII text as bytes, for fixed pieces and cached names. */
export function asciiBytes(s: string): Uint8Array {
  return Buffer.from(s, 'utf8');
}

// Buffer makes a string of more than about 1 MB external: its memory is counted apart from the
// heap, and V8 answers its growth with incremental marking that then runs on during later syncs
// (partial syncs after full ones took several times as long in the bench). Long text is decoded
// instead (ASCII is UTF-8), which makes an ordinary heap string, as a string join would.
const EXTERNAL = 1 << 19;
/** Keeps a leading U+FEFF, as the text had it. */
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

export class ByteWriter {
  private buf: Buffer;
  /** The text is buf[start, pos): room before it takes text written later (prepend). */
  private start = 0;
  private pos = 0;
  /** Whether a non-ASCII string was written (as UTF-8). */
  private utf8 = false;

  constructor(capacity = 4096) {
    this.buf = Buffer.allocUnsafe(Math.max(capacity, 64));
  }

  get length(): number {
    return this.pos - this.start;
  }

  /** Start again from empty, keeping the memory, with room for `front` bytes to be prepended. */
  reset(front = 0): this {
    this.pos = this.start = 0;
    this.ensure(front);
    this.pos = this.start = front;
    this.utf8 = false;
    return this;
  }

  /** Room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** One byte (an ASCII character code). */
  byte(c: number): void {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = c;
  }

  /** A string; ASCII in practice (see the file comment for the rest). */
  ascii(s: string): void {
    const n = s.length;
    if (n > SHORT) {
      this.long(s);
      return;
    }
    if (this.pos + n > this.buf.length) this.grow(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) {
        this.long(s);
        return;
      }
      b[p++] = c;
    }
    this.pos = p;
  }

  /** A long string through the native UTF-8 writer, which also tells whether it was ASCII. */
  private long(s: string): void {
    this.ensure(s.length * 3);
    const written = this.buf.write(s, this.pos, 'utf8');
    if (written !== s.length) this.utf8 = true;
    this.pos += written;
  }

  /** Pre-encoded bytes (ASCII). */
  bytes(u: Uint8Array): void {
    const n = u.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    const b = this.buf;
    let p = this.pos;
    if (n > SHORT_BYTES) {
      b.set(u, p);
      this.pos = p + n;
      return;
    }
    for (let i = 0; i < n; i++) b[p++] = u[i]!;
    this.pos = p;
  }

  /** Another writer's bytes. */
  writer(w: ByteWriter): void {
    const n = w.length;
    this.ensure(n);
    w.buf.copy(this.buf, this.pos, w.start, w.pos);
    this.pos += n;
    if (w.utf8) this.utf8 = true;
  }

  /** Another writer's bytes, before this one's: into the room left by reset(front) if they fit. */
  prepend(w: ByteWriter): void {
    const n = w.length;
    if (n > this.start) {
      const shift = n - this.start;
      this.ensure(shift);
      this.buf.copyWithin(this.start + shift, this.start, this.pos);
      this.start += shift;
      this.pos += shift;
    }
    w.buf.copy(this.buf, this.start - n, w.start, w.pos);
    this.start -= n;
    if (w.utf8) this.utf8 = true;
  }

  /** The text written so far. */
  text(): string {
    const { buf, start, pos } = this;
    if (this.utf8 || pos - start > EXTERNAL) return UTF8.decode(buf.subarray(start, pos));
    return buf.toString('latin1', start, pos);
  }
}
