// Splits one iptables-save / iptables-restore line into words with their columns. A word may be
// double-quoted (iptables-save quotes comments with spaces, escaping `"` and `\` with a backslash).
// Dumps run to hundreds of thousands of lines, so this scans char codes and slices, no regexps.
export interface Token {
  readonly text: string;
  /** 1-based column of the word's first character. */
  readonly column: number;
  readonly quoted: boolean;
}

export class TokenizeError extends Error {
  constructor(
    readonly column: number,
    problem: string,
  ) {
    super(problem);
  }
}

const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const BACKSLASH = 92;

export function tokenize(line: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === SPACE || c === TAB) {
      i++;
      continue;
    }
    const start = i;
    if (c === QUOTE) {
      i++;
      let text = '';
      let from = i;
      for (;;) {
        if (i >= n) throw new TokenizeError(start + 1, 'unterminated quoted word');
        const d = line.charCodeAt(i);
        if (d === BACKSLASH && i + 1 < n) {
          text += line.slice(from, i) + line[i + 1];
          i += 2;
          from = i;
        } else if (d === QUOTE) {
          text += line.slice(from, i);
          i++;
          break;
        } else i++;
      }
      if (i < n && line.charCodeAt(i) !== SPACE && line.charCodeAt(i) !== TAB)
        throw new TokenizeError(i + 1, 'a quoted word must be followed by a space');
      out.push({ text, column: start + 1, quoted: true });
    } else {
      while (i < n) {
        const d = line.charCodeAt(i);
        if (d === SPACE || d === TAB) break;
        i++;
      }
      out.push({ text: line.slice(start, i), column: start + 1, quoted: false });
    }
  }
  return out;
}
