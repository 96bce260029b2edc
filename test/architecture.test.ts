// The import graph of src/, read from the source text: arrows point inward only (cli -> everything,
// modes -> proxy core -> cluster -> net), and there are no cycles. Each rule is one row of RULES.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

// Static imports and re-exports (`import x from`, `import type`, `export * from`, `import './side'`)
// and dynamic `import('...')` with a literal specifier.
const SPECIFIER = /(?:\b(?:import|export)\b[^'"`;]*?\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

/** `src/`-relative file -> the `src/`-relative files it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets = new Set<string>();
    for (const m of text.matchAll(SPECIFIER)) {
      const abs = resolve(dirname(file), m[1]!).replace(/\.js$/, '.ts');
      const target = existsSync(abs) ? abs : existsSync(join(abs, 'index.ts')) ? join(abs, 'index.ts') : undefined;
      if (!target) throw new Error(`${relative(ROOT, file)}: cannot resolve ${m[1]}`);
      targets.add(relative(SRC, target));
    }
    graph.set(relative(SRC, file), [...targets].sort());
  }
  return graph;
}

const MODES = ['iptables', 'nftables', 'ipvs', 'userspace'];
const top = (f: string) => (f.includes('/') ? f.slice(0, f.indexOf('/')) : f);
const modeOf = (f: string) => MODES.find((m) => f.startsWith(`proxy/${m}/`));
const isProxyCore = (f: string) => /^proxy\/[^/]+\.ts$/.test(f);
const under =
  (...tops: string[]) =>
  (f: string) =>
    tops.includes(top(f));
const isErrors = (f: string) => f === 'errors.ts';

interface Rule {
  name: string;
  /** Files the rule is about. */
  from: (f: string) => boolean;
  /** True when `from` may import `to`. */
  allows: (to: string, from: string) => boolean;
}

const RULES: Rule[] = [
  { name: 'nothing outside src/cli imports src/cli', from: (f) => !under('cli')(f), allows: (to) => !under('cli')(to) },
  {
    name: 'proxy core imports no mode folder, nor lab, cli, bench, serve, ui',
    from: isProxyCore,
    allows: (to) => !modeOf(to) && !under('lab', 'cli', 'bench', 'serve', 'ui')(to),
  },
  {
    name: 'a mode folder imports only proxy core, cluster, net, errors and its own folder',
    from: (f) => modeOf(f) !== undefined,
    allows: (to, from) => isProxyCore(to) || under('cluster', 'net')(to) || isErrors(to) || modeOf(to) === modeOf(from),
  },
  { name: 'src/proxy never imports src/lab', from: under('proxy'), allows: (to) => !under('lab')(to) },
  {
    name: 'src/cluster imports only src/cluster, src/net, src/errors',
    from: under('cluster'),
    allows: (to) => under('cluster', 'net')(to) || isErrors(to),
  },
  {
    name: 'src/net imports only src/net, src/errors',
    from: under('net'),
    allows: (to) => under('net')(to) || isErrors(to),
  },
  {
    name: 'src/dataplane imports no proxy mode folder',
    from: under('dataplane'),
    allows: (to) => modeOf(to) === undefined,
  },
];

/** Every elementary cycle found by a depth-first walk, each once, as a path a -> b -> ... -> a. */
function cycles(graph: Map<string, string[]>): string[] {
  const found = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      if (state.get(t) === 'open') {
        const loop = stack.slice(stack.indexOf(t));
        const at = loop.indexOf([...loop].sort()[0]!); // rotate: one text per cycle
        const rotated = [...loop.slice(at), ...loop.slice(0, at)];
        found.add([...rotated, rotated[0]].join(' -> '));
      } else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
  return [...found].sort();
}

describe('the import graph of src/', () => {
  const graph = importGraph();

  test('is read from the source (a sanity check of the reader itself)', () => {
    expect(graph.get('cli/main.ts')?.length).toBeGreaterThan(3);
    expect(graph.get('net/sloppy.ts')).toEqual(['net/cidr.ts', 'net/ip.ts']);
  });

  test.each(RULES)('$name', (rule) => {
    const bad: string[] = [];
    for (const [from, targets] of graph)
      if (rule.from(from)) for (const to of targets) if (!rule.allows(to, from)) bad.push(`${from} -> ${to}`);
    expect(bad).toEqual([]);
  });

  test('has no import cycles', () => {
    expect(cycles(graph)).toEqual([]);
  });
});
