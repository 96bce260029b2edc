// Splits one iptables-save / iptables-restore line into words with their columns. A word may be
// double-quoted (iptables-save quotes comments with spaces, escaping `"` and `\` with a backslash).
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

export function tokenize(line: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9) {
      i++;
      continue;
    }
    const start = i;
    if (c === 34) {
      let text = '';
      i++;
      for (;;) {
        if (i >= n) throw new TokenizeError(start + 1, 'unterminated quoted word');
        const d = line[i]!;
        if (d === '\\' && i + 1 < n) {
          text += line[i + 1];
          i += 2;
        } else if (d === '"') {
          i++;
          break;
        } else {
          text += d;
          i++;
        }
      }
      if (i < n && line[i] !== ' ' && line[i] !== '\t')
        throw new TokenizeError(i + 1, 'a quoted word must be followed by a space');
      out.push({ text, column: start + 1, quoted: true });
    } else {
      while (i < n && line[i] !== ' ' && line[i] !== '\t') i++;
      out.push({ text: line.slice(start, i), column: start + 1, quoted: false });
    }
  }
  return out;
}
