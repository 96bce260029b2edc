// Generated manifests through load + validate (+ control-plane completion) + render in every mode,
// and the rendered rules back through the dataplane parsers. A manifest is either loaded or refused
// with a typed input error; a loaded one renders in every mode without an exception, and what the
// iptables and nftables modes write parses.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { loadMode } from '../../src/cli/modes.js';
import { loadTexts } from '../../src/cluster/load.js';
import type { ClusterObject } from '../../src/cluster/types.js';
import { parseIptables } from '../../src/dataplane/iptables/parse.js';
import { parseNftJson } from '../../src/dataplane/nftables/parse-json.js';
import { parseNftText } from '../../src/dataplane/nftables/parse-text.js';
import { renderFullSync } from '../../src/proxy/run.js';
import { asText, hostileYaml, nearValidCluster, validCluster } from './arbitraries.js';
import { fuzzParams, fuzzTimeout, isInputError } from './params.js';

/** Loads `text`; undefined when refused with an input error (anything else fails the property). */
async function load(file: string, text: string): Promise<ClusterObject[] | undefined> {
  const r = await loadOrRefusal(file, text);
  return typeof r === 'string' ? undefined : r;
}

/** The loaded objects, or the message of the input error that refused them. */
async function loadOrRefusal(file: string, text: string): Promise<ClusterObject[] | string> {
  try {
    const loaded = await loadTexts([{ file, bytes: Buffer.from(text) }]);
    const { needsCompletion, completeCluster } = await import('../../src/control/complete.js');
    if (!needsCompletion(loaded.objects, loaded.workloads ?? [])) return loaded.objects;
    return (await completeCluster(loaded.objects, loaded.workloads ?? [], { nodes: 1 })).objects;
  } catch (err) {
    if (isInputError(err)) return (err as Error).message;
    throw err;
  }
}

const modes = await Promise.all(['iptables', 'nftables', 'ipvs'].map((m) => loadMode(m)));

/** Renders every mode; each renders or refuses with an input error; our own output parses. */
function renderAll(objects: readonly ClusterObject[]): number {
  let rendered = 0;
  for (const mode of modes)
    for (const format of mode.name === 'nftables' ? (['text', 'json'] as const) : (['text'] as const)) {
      let text: string;
      try {
        const r = renderFullSync(mode, objects, {}, { family: 'IPv4', format, profile: 'default' });
        text = r.payloads.map((p) => p.text).join('');
      } catch (err) {
        if (isInputError(err)) continue;
        throw err;
      }
      rendered++;
      if (mode.name === 'iptables') parseIptables(text);
      else if (mode.name === 'nftables') (format === 'json' ? parseNftJson : parseNftText)(text);
    }
  return rendered;
}

describe('fuzz: manifests through load, validate and render', () => {
  test(
    'valid clusters load and render in every mode, and the rules parse',
    async () => {
      let renders = 0;
      await fc.assert(
        fc.asyncProperty(
          validCluster,
          fc.constantFrom('yaml', 'json') as fc.Arbitrary<'yaml' | 'json'>,
          async (objs, f) => {
            const objects = await loadOrRefusal(`fuzz.${f}`, asText(objs, f));
            if (typeof objects === 'string') expect.fail(`a valid cluster is refused: ${objects}`);
            renders += renderAll(objects);
          },
        ),
        fuzzParams(100),
      );
      expect(renders).toBeGreaterThan(0);
    },
    fuzzTimeout(),
  );

  test(
    'near-valid clusters load or are refused with an input error, and what loads renders',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          nearValidCluster,
          fc.constantFrom('yaml', 'json') as fc.Arbitrary<'yaml' | 'json'>,
          async (objs, f) => {
            const objects = await load(`fuzz.${f}`, asText(objs, f));
            if (objects) renderAll(objects);
          },
        ),
        fuzzParams(200),
      );
    },
    fuzzTimeout(),
  );

  test(
    'hostile YAML is loaded or refused with an input error naming the file',
    async () => {
      await fc.assert(
        fc.asyncProperty(hostileYaml, async (text) => {
          try {
            const loaded = await loadTexts([{ file: 'hostile.yaml', bytes: Buffer.from(text) }]);
            renderAll(loaded.objects);
          } catch (err) {
            if (!isInputError(err)) throw err;
            expect((err as Error).message).toContain('hostile.yaml');
            expect((err as Error).message.length).toBeLessThan(20_000);
          }
        }),
        fuzzParams(300),
      );
    },
    fuzzTimeout(),
  );
});
