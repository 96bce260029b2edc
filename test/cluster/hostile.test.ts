// Hostile manifests (issue 18): each is refused with a limit error naming file and document, and
// costs bounded work; legitimate anchors still load.
import { describe, expect, test } from 'vitest';
import { MAX_DEPTH, MAX_SERVICE_PORTS, MAX_SLICE_ENDPOINTS } from '../../src/cluster/limits/index.js';
import { loadManifests, loadTexts } from '../../src/cluster/load.js';
import { ManifestLimitError, ManifestSetError } from '../../src/errors.js';
import { fixture } from '../support/cli.js';
import { deepJson, deepYaml, manyPortsService } from '../support/hostile.js';

async function problems(file: string, text: string): Promise<ManifestSetError> {
  const err = await loadTexts([{ file, bytes: Buffer.from(text) }]).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ManifestSetError);
  return err as ManifestSetError;
}

describe('hostile manifests', () => {
  test('the 10^8-node alias bomb is refused as excessive aliasing', async () => {
    const err = await loadManifests([fixture('hostile', 'alias-bomb.yaml')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManifestSetError);
    const [first] = (err as ManifestSetError).errors;
    expect(first).toBeInstanceOf(ManifestLimitError);
    expect(first?.code).toBe('KP_MANIFEST_LIMIT');
    expect(first?.message).toMatch(/alias-bomb\.yaml: document 1: excessive aliasing/);
  });

  test('an alias inside its own anchor (a cyclic value) is refused', async () => {
    const err = await loadManifests([fixture('hostile', 'recursive-alias.yaml')]).catch((e: unknown) => e);
    expect((err as ManifestSetError).errors[0]?.message).toMatch(
      /recursive-alias\.yaml: document 1: alias \*a refers to a value that contains it/,
    );
  });

  test('a manifest with a few legitimate anchors still loads', async () => {
    const loaded = await loadManifests([fixture('hostile', 'few-anchors.yaml')]);
    expect(loaded.counts).toEqual({ Service: 2 });
  });

  test('a wide but shallow alias fan-out below the ratio loads (go-yaml allows 99% under 400k nodes)', async () => {
    const items = Array.from({ length: 300 }, () => '*l').join(', ');
    const text = `apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\nx: &l [a, b, c]\ny: [${items}]\n`;
    expect((await loadTexts([{ file: 'fan.yaml', bytes: Buffer.from(text) }])).counts).toEqual({ Namespace: 1 });
  });

  test('a Service with 200,000 ports is one limit error, not a stack overflow', async () => {
    const err = await problems('ports.json', manyPortsService(200_000));
    expect(err.errors).toHaveLength(1);
    expect(err.errors[0]?.message).toBe(
      `ports.json: document 1 (Service default/many): spec.ports: 200000 items; at most ${MAX_SERVICE_PORTS} (more than etcd can store for one Service)`,
    );
  });

  test('just under the port limit, every duplicate is reported without a stack overflow', async () => {
    const err = await problems('ports.json', manyPortsService(MAX_SERVICE_PORTS));
    expect(err.errors.length).toBeGreaterThan(30_000);
    expect(err.message.split('\n').at(-1)).toMatch(/^\.\.\. and \d+ more$/);
  });

  test('100,000-deep nesting is refused, in YAML and in JSON', async () => {
    const yaml = deepYaml(100_000);
    expect((await problems('deep.yaml', yaml)).message).toMatch(/deep\.yaml:\d+: YAML: nesting exceeded maxDepth/);
    const json = await problems('deep.json', deepJson(100_000));
    expect(json.errors[0]).toBeInstanceOf(ManifestLimitError);
    expect(json.message).toMatch(/deep\.json: document 1: spec\.x\[0\]\[0\].*: nested deeper than 100 levels/);
    // At the limit it loads (the document is level 1, spec 2, the arrays in x 3 and on).
    const ok = await loadTexts([{ file: 'ok.json', bytes: Buffer.from(deepJson(MAX_DEPTH - 2, 'Namespace')) }]);
    expect(ok.counts).toEqual({ Namespace: 1 });
    await expect(
      loadTexts([{ file: 'no.json', bytes: Buffer.from(deepJson(MAX_DEPTH - 1, 'Namespace')) }]),
    ).rejects.toThrow(/nested deeper than 100 levels/);
  });

  test('an EndpointSlice with more than 1000 endpoints is refused as the API server does', async () => {
    const endpoints = Array.from({ length: MAX_SLICE_ENDPOINTS + 1 }, (_, i) => ({
      addresses: [`10.1.${i >> 8}.${i & 255}`],
    }));
    const slice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 's', namespace: 'default', labels: { 'kubernetes.io/service-name': 'x' } },
      addressType: 'IPv4',
      endpoints,
      ports: [{ port: 80 }],
    };
    const err = await problems('slice.json', JSON.stringify(slice));
    expect(err.errors.map((e) => e.message)).toEqual([
      'slice.json: document 1 (EndpointSlice default/s): endpoints: 1001 items; at most 1000 (the API server’s maximum)',
    ]);
  });

  test('a describe() of a cyclic or huge value stays short', async () => {
    const text =
      'apiVersion: v1\nkind: Service\nmetadata: {name: c}\nspec:\n  ports:\n  - port: ' +
      `"${'x'.repeat(5_000_000)}"\n`;
    const err = await problems('long.yaml', text);
    expect(err.message.length).toBeLessThan(300);
  });
});
