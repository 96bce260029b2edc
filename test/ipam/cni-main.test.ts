// The plugin's start-up path: what dist/ipam/cni-main.js loads, statically, must stay small (no
// commander, yaml, cluster loader or ipaddr.js), and it must be an executable with a shebang.
import { readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { PLUGIN } from './cni-run.js';

function importGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else seen.add(spec);
    }
    for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) seen.add(m[1]!);
  };
  visit(entry);
  return seen;
}

describe('kubeplane-ipam entry point', () => {
  test('imports only its own ipam modules, errors.ts and node: built-ins', () => {
    const dist = resolve(dirname(PLUGIN), '..');
    const modules = [...importGraph(PLUGIN)].map((m) => (m.startsWith('/') ? relative(dist, m) : m)).sort();
    const foreign = modules.filter((m) => !m.startsWith('node:') && !m.startsWith('ipam/') && m !== 'errors.js');
    expect(foreign).toEqual([]);
    expect(modules).not.toContain('ipam/node-cidr-allocator.js');
    expect(modules.length).toBeLessThan(25);
  });

  test('is executable and starts with a node shebang', () => {
    expect(readFileSync(PLUGIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(statSync(PLUGIN).mode & 0o111).not.toBe(0);
  });
});
