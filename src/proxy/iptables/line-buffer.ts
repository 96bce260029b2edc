// Line buffers for the restore payload, like kube-proxy's proxyutil.LineBuffer: text is collected
// in pieces and joined once. A CountingBuffer has the same interface but keeps nothing, so a
// partial sync runs the same code for unchanged services and still counts what it skipped.

export interface RuleBuffer {
  /** Append one line (without its trailing newline). */
  line(text: string): void;
  /** Append pre-built text of `lines` complete lines (each ending in "\n"). */
  raw(text: string, lines: number): void;
  readonly lines: number;
}

export class LineBuffer implements RuleBuffer {
  private readonly parts: string[] = [];
  lines = 0;

  line(text: string): void {
    this.parts.push(`${text}\n`);
    this.lines++;
  }

  raw(text: string, lines: number): void {
    if (text !== '') this.parts.push(text);
    this.lines += lines;
  }

  /** Move this buffer's pieces onto `out` (the one final join happens there). */
  drainInto(out: string[]): void {
    for (const p of this.parts) out.push(p);
  }

  toString(): string {
    return this.parts.join('');
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
