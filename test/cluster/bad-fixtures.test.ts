// Every file in fixtures/bad/ states the error it must produce; the loader and the CLI must both
// produce it, and nothing from the set may be stored or rendered.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadManifests } from '../../src/cluster/load.js';
import { ManifestError, ManifestParseError, ManifestSetError } from '../../src/errors.js';
import { fixture, runCli } from '../support/cli.js';

const BAD = fixture('bad');

interface BadCase {
  name: string;
  file: string;
  code: string;
  field: string;
}

const cases: BadCase[] = readdirSync(BAD)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => {
    const head = readFileSync(join(BAD, f), 'utf8').split('\n')[0]!;
    const m = /^# expect: (KP_[A-Z_]+) (.+)$/.exec(head);
    if (!m) throw new Error(`${f}: first line must be "# expect: KP_CODE field"`);
    return { name: f, file: join(BAD, f), code: m[1]!, field: m[2]! };
  });

async function loadError(paths: string[]): Promise<ManifestSetError> {
  try {
    await loadManifests(paths);
  } catch (err) {
    if (err instanceof ManifestSetError) return err;
    throw err;
  }
  throw new Error(`${paths.join(', ')}: loaded without error`);
}

describe('fixtures/bad through the loader', () => {
  test('has one file per validation rule', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
  });

  test.each(cases)('$name gives $code at $field', async ({ file, code, field }) => {
    const err = await loadError([file]);
    const first = err.errors[0]!;
    expect(first.code).toBe(code);
    if (first instanceof ManifestError) expect(first.at.field).toBe(field);
    else if (first instanceof ManifestParseError) expect(`line ${first.line}`).toBe(field);
    else throw new Error(`unexpected ${first.code}`);
    expect(first.message.startsWith(file)).toBe(true);
  });
});

describe('fixtures/bad through the CLI', () => {
  test.each(cases)(
    'kubeplane validate -f $name exits 2 naming file, document, object and field',
    ({ file, field, code }) => {
      const r = runCli(['validate', '-f', file]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      const line = r.stderr.split('\n')[0]!;
      expect(line.startsWith(`${file}`)).toBe(true);
      if (code === 'KP_MANIFEST_FIELD') {
        expect(line).toMatch(/: document \d+/);
        expect(line).toContain(`: ${field}: `);
      } else {
        expect(line).toContain(`:${field.replace('line ', '')}: `);
      }
    },
  );

  test('a good set plus one bad file exits 2 and renders nothing', () => {
    const r = runCli(['validate', '-f', fixture('demo'), '-f', join(BAD, 'service-port-range.yaml')]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('service-port-range.yaml: document 1 (Service shop/web): spec.ports[0].port:');
    expect(r.stderr).toContain('nothing was applied');
  });

  test('every error in the input is reported, one a line', () => {
    const files = ['service-port-range.yaml', 'service-protocol.yaml', 'node-address.yaml'].map((f) => join(BAD, f));
    const r = runCli(['validate', ...files.flatMap((f) => ['-f', f])]);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain('spec.ports[0].port');
    expect(lines[1]).toContain('spec.ports[0].protocol');
    expect(lines[2]).toContain('(Node node-a): status.addresses[0].address');
  });
});
