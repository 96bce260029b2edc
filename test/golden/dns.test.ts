// Golden DNS answers: dns/<fixture>.answers lists every name and type a fixture serves with its
// rcode and records. `npm run rules:update` rewrites them; CI fails when they are stale.
import { expect, test } from 'vitest';
import { loadManifests } from '../../src/cluster/load.js';
import { answersText } from '../../src/dns/answers.js';
import { ZoneIndex } from '../../src/dns/index.js';
import { DEFAULT_ZONE_OPTIONS } from '../../src/dns/zone.js';
import { fixture } from '../support/cli.js';

test.each([
  { name: 'demo', path: ['demo'], pods: 'disabled' as const },
  { name: 'two-ns', path: ['dns', 'two-ns'], pods: 'insecure' as const },
])('dns/$name.answers', async ({ name, path, pods }) => {
  const index = new ZoneIndex((await loadManifests([fixture(...path)])).objects);
  const text = answersText(index, { ...DEFAULT_ZONE_OPTIONS, pods, serial: 1700000000 }, `fixtures/${path.join('/')}`);
  await expect(text).toMatchFileSnapshot(`../../dns/${name}.answers`);
});
