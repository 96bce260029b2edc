// Issue 18's acceptance: each hostile file exits 2 naming the file, in bounded time and memory. The
// bounds here are generous (10 s, 400 MB) so the test never races a loaded machine; the issue's
// figures (2 s, 200 MB) are measured and reported, not asserted. Peak RSS comes from GNU time.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CLI, fixture, ROOT, runCli } from '../support/cli.js';
import { describeWith } from '../support/env.js';
import { deepJson, deepYaml, manyPortsService } from '../support/hostile.js';

const TIME = '/usr/bin/time';

function run(file: string): { status: number | null; stderr: string; rssMB: number; seconds: number } {
  const r = spawnSync(TIME, ['-f', '%M %e', process.execPath, CLI, 'validate', '-f', file], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const lines = r.stderr.trimEnd().split('\n');
  const [kb, secs] = (lines.pop() ?? '').split(' ').map(Number);
  return { status: r.status, stderr: lines.join('\n'), rssMB: (kb ?? Number.NaN) / 1024, seconds: secs ?? Number.NaN };
}

const dir = mkdtempSync(join(tmpdir(), 'kp-hostile-'));
function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describeWith(
  existsSync(TIME) ? undefined : `${TIME} (GNU time) not installed`,
  undefined,
  'hostile files through the CLI',
  () => {
    const cases: [string, () => string][] = [
      ['alias-bomb.yaml', () => fixture('hostile', 'alias-bomb.yaml')],
      ['ports.json', () => write('ports.json', manyPortsService(200_000))],
      ['deep.yaml', () => write('deep.yaml', deepYaml(100_000))],
      ['deep.json', () => write('deep.json', deepJson(100_000))],
    ];
    for (const [name, make] of cases) {
      test(`${name} exits 2 naming the file, within 10 s and 400 MB`, () => {
        const r = run(make());
        expect(r.status).toBe(2);
        expect(r.stderr).toContain(name);
        expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
        expect(r.seconds).toBeLessThan(10);
        expect(r.rssMB).toBeLessThan(400);
      }, 60_000);
    }
  },
);

describe('hostile rule dumps through trace --rules', () => {
  test('a dump over the size bound is refused before it is read (a sparse 300 MiB file)', () => {
    const p = join(dir, 'huge.rules');
    writeFileSync(p, '');
    truncateSync(p, 300 * 2 ** 20);
    const r = runCli(['trace', '--mode', 'iptables', '--rules', p, '--from', '10.0.0.1', '--to', '10.0.0.2:80']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--rules ${p}: 314572800 bytes; at most 268435456 are read`);
  });

  test.each([
    { file: 'loop.iptables', mode: 'iptables' },
    { file: 'goto-loop.nft', mode: 'nftables' },
  ])('$file (chains that loop) exits 2 with the reason, no stack trace', ({ file, mode }) => {
    const args = ['trace', '--mode', mode, '--rules', fixture('hostile', 'dumps', file)];
    const r = runCli([...args, '--from', '10.0.0.1', '--to', '10.0.0.2:80']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/the chains loop/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
