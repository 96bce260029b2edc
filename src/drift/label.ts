// `kubeplane label`: a dump printed back with a `#` note under every per-service chain naming its
// service port or endpoint, so a person can read a 100k-line dump. Notes are comment lines, so the
// labelled dump still loads (iptables-restore and nft -f skip them).
import { type LabelSource, labelOf } from './chain-labels.js';
import { type DriftMode, loadRules } from './ruleset.js';
import { recognisedShapes } from './shapes.js';

export interface LabelResult {
  readonly text: string;
  readonly labelled: Record<LabelSource, number>;
  /** Per-service chains nothing names (no comment, no readable name, no matching hash). */
  readonly unlabelled: string[];
  readonly shapes: string[];
}

export function labelDump(mode: DriftMode, text: string, hashes?: ReadonlyMap<string, string>): LabelResult {
  const { chains } = loadRules(mode, text, []);
  const notes = new Map<number, string>();
  const labelled: Record<LabelSource, number> = { comment: 0, name: 0, hash: 0 };
  const unlabelled: string[] = [];
  for (const c of chains) {
    const l = labelOf(c, hashes);
    if (l) labelled[l.source]++;
    else unlabelled.push(c.chain);
    const note = l
      ? `# ${c.chain}: ${l.label} (from ${l.source === 'name' ? 'its name' : `the ${l.source}`})`
      : `# ${c.chain}: unknown (no comment, and no service port of the cluster hashes to it)`;
    if (c.line > 0) notes.set(c.line, notes.has(c.line) ? `${notes.get(c.line)}\n${note}` : note);
  }
  const shapes = recognisedShapes(mode, text);
  const json = mode === 'nftables' && text.trimStart().startsWith('{');
  const head = `# kubeplane label: ${chains.length} per-service chains; shapes: ${shapes.join('; ') || 'none recognised'}\n`;
  if (json) return { text: head + [...notes.values()].join('\n') + '\n', labelled, unlabelled, shapes };
  const lines = text.split('\n');
  const out: string[] = [];
  for (let n = 1; n <= lines.length; n++) {
    out.push(lines[n - 1]!);
    const note = notes.get(n);
    if (note !== undefined) out.push(note);
  }
  return { text: head + out.join('\n'), labelled, unlabelled, shapes };
}
