// The lab check's rows as a table a person reads: one line per target, the emulator's and the
// kernel's outcomes side by side, and the reasons under any row that disagrees.
import type { CheckRow } from './run.js';

function share(m: ReadonlyMap<string, number>, total: number): string {
  return [...m]
    .filter(([, v]) => v > 0)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k} ${Math.round((100 * v) / total)}%`)
    .join(', ');
}

export function checkTable(rows: readonly CheckRow[]): string {
  const lines: string[][] = [['SERVICE PORT', 'TARGET', 'EMULATOR', 'KERNEL', 'P', 'OK']];
  const notes: string[] = [];
  for (const r of rows) {
    const n = [...r.observed.counts.values()].reduce((a, b) => a + b, 0);
    const t = r.target;
    const emu = `${share(r.predicted.split, 1)}${r.predicted.sticky ? ' (sticky)' : ''}${r.predicted.masquerade === true ? ' masq' : ''}`;
    const ker = `${share(r.observed.counts, n)} of ${n}${r.observed.masqueraded > 0 ? ' masq' : ''}`;
    lines.push([
      `${t.servicePort}/${t.protocol}`,
      `${t.kind} ${t.ip}:${t.port}`,
      emu,
      ker,
      r.comparison.chiSquareP.toPrecision(3),
      r.comparison.agree ? 'yes' : 'NO',
    ]);
    for (const p of r.comparison.problems) notes.push(`${t.servicePort} ${t.ip}:${t.port}: ${p}`);
  }
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  let out = lines.map((l) => l.map((c, i) => (i === l.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
  out += '\n';
  const bad = rows.filter((r) => !r.comparison.agree).length;
  out += `\n${rows.length} targets, ${rows.length - bad} agree, ${bad} disagree\n`;
  for (const n of notes) out += `disagreement: ${n}\n`;
  return out;
}
