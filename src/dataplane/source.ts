// Where a parse failed: the line, the column and the neighbouring lines (like upstream's
// utiliptables.ExtractLines), so a bad dump points at its own text.
import { RuleParseError } from '../errors.js';

/** Lines lineNo-2 .. lineNo+2 with numbers, the failing one marked and a caret under the column. */
export function lineContext(lines: readonly string[], lineNo: number, column: number): string {
  const out: string[] = [];
  for (let n = Math.max(1, lineNo - 2); n <= Math.min(lines.length, lineNo + 2); n++) {
    const text = lines[n - 1] ?? '';
    const shown = text.length > 200 ? `${text.slice(0, 200)}...` : text;
    out.push(`${n === lineNo ? '>' : ' '} ${String(n).padStart(5)} | ${shown}`);
    if (n === lineNo && column > 0 && column <= 200) out.push(`${' '.repeat(10)}${' '.repeat(column - 1)}^`);
  }
  return out.join('\n');
}

export function ruleParseError(lines: readonly string[], lineNo: number, column: number, problem: string) {
  return new RuleParseError(lineNo, column, problem, lineContext(lines, lineNo, column));
}
