// Line buffers for the restore payload, like kube-proxy's proxyutil.LineBuffer: text is written
// as bytes (byte-writer.ts) and read back once. Long strings that already exist (the kept text of
// unchanged ports in a partial sync) are kept as they are and joined with the rest, as that costs
// less than copying them into bytes and reading them back. A CountingBuffer has the same interface
// but keeps nothing, so a partial sync runs the same code for unchanged services and still counts
// what it skipped.
import { ByteWriter } from './byte-writer.js';

export interface RuleBuffer {
  /** Append one line (without its trailing newline). */
  line(text: string): void;
  /** Append pre-built text of `lines` complete lines (each ending in "\n"). */
  raw(text: string, lines: number): void;
  readonly lines: number;
}

const NEWLINE = 10;
/** Strings at least this long are kept as strings. */
const KEEP = 1024;

export class LineBuffer implements RuleBuffer {
  /** The bytes; renderers may write pieces of lines here directly and count them with `count`. */
  readonly out: ByteWriter;
  lines = 0;
  /** Text before `out`'s, where long strings were kept. */
  private readonly parts: string[] = [];

  constructor(out: ByteWriter = new ByteWriter()) {
    this.out = out;
  }

  line(text: string): void {
    this.out.ascii(text);
    this.out.byte(NEWLINE);
    this.lines++;
  }

  raw(text: string, lines: number): void {
    if (text.length >= KEEP) {
      this.cut();
      this.parts.push(text);
    } else this.out.ascii(text);
    this.lines += lines;
  }

  /** Whether all the text is in `out`. */
  get whole(): boolean {
    return this.parts.length === 0;
  }

  private cut(): void {
    if (this.out.length === 0) return;
    this.parts.push(this.out.text());
    this.out.reset();
  }

  /** Move the text, in pieces, onto `into` (for a join). */
  drainInto(into: string[]): void {
    this.cut();
    for (const p of this.parts) into.push(p);
    this.parts.length = 0;
  }

  /** Count `lines` lines written to `out` directly. */
  count(lines: number): void {
    this.lines += lines;
  }

  toString(): string {
    const parts: string[] = [];
    this.drainInto(parts);
    return parts.join('');
  }
}

export class CountingBuffer implements RuleBuffer {
  lines = 0;

  line(_text: string): void {
    this.lines++;
  }

  raw(_text: string, lines: number): void {
    this.lines += lines;
  }
}
