import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'kp-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kubeplane bench', () => {
  test('piped: writes the JSON and the chart, prints nothing', () => {
    const json = join(dir, 'r.json');
    const svg = join(dir, 'r.svg');
    const r = runCli([
      'bench',
      '--modes',
      'iptables',
      '--services',
      '30,60',
      '--endpoints',
      '3',
      '--nodes',
      '4',
      '--repeat',
      '1',
      '--warmup',
      '0',
      '--no-kernel',
      '--json',
      json,
      '--chart',
      svg,
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.command).toContain('bench --modes iptables --services 30,60');
    expect(report.cases.map((c: { sync: string }) => c.sync)).toEqual([
      'full',
      'partial-service',
      'partial-endpoint',
      'partial-1pct',
      'full',
      'partial-service',
      'partial-endpoint',
      'partial-1pct',
    ]);
    expect(report.cases[0].nodes).toBe(4);
    expect(readFileSync(svg, 'utf8')).toContain('>iptables render</text>');
  });

  test.each([
    { name: 'an unknown scale', args: ['--scale', 'huge'], want: '--scale: unknown scale "huge": use k8s-limits' },
    {
      name: 'a scale with sizes',
      args: ['--scale', 'k8s-limits', '--services', '5'],
      want: '--scale k8s-limits sets --services',
    },
    { name: 'a peer that is not go=DIR', args: ['--peer', 'rust=/x'], want: '--peer: "rust=/x" must be go=DIR' },
    { name: 'a chart that is not SVG', args: ['--chart', 'c.png'], want: '--chart: "c.png" must name an .svg file' },
    { name: 'zero nodes', args: ['--nodes', '0'], want: '--nodes: "0" must be an integer >= 1' },
  ])('refuses $name (exit 2)', ({ args, want }) => {
    const r = runCli(['bench', '--no-kernel', ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(want);
    expect(r.stdout).toBe('');
  });
});
