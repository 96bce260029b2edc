// Words of nft syntax with their columns: quoted strings, the punctuation nft separates ({ } , ;),
// and runs of anything else (names, addresses, "a:b" ports). Works for `nft list ruleset` output
// (commas glued to words) and for `nft -f` input written by us (everything spaced).
export interface NftToken {
  readonly text: string;
  readonly column: number;
  readonly quoted: boolean;
}

export class NftTokenizeError extends Error {
  constructor(
    readonly column: number,
    problem: string,
  ) {
    super(problem);
  }
}

const PUNCT = new Set(['{', '}', ',', ';']);

export function tokenizeNft(line: string): NftToken[] {
  const out: NftToken[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#') break; // a comment to the end of the line
    const start = i;
    if (c === '"') {
      const end = line.indexOf('"', i + 1);
      if (end < 0) throw new NftTokenizeError(start + 1, 'unterminated string');
      out.push({ text: line.slice(i + 1, end), column: start + 1, quoted: true });
      i = end + 1;
    } else if (PUNCT.has(c)) {
      out.push({ text: c, column: start + 1, quoted: false });
      i++;
    } else {
      while (i < n && line[i] !== ' ' && line[i] !== '\t' && !PUNCT.has(line[i]!) && line[i] !== '"') i++;
      out.push({ text: line.slice(start, i), column: start + 1, quoted: false });
    }
  }
  return out;
}
