// Golden DNS answers: dns/<fixture>.answers lists every name and type a fixture serves with its
// rcode and records; dns/<fixture>.axfr is the zone transfer `dns serve --transfer` sends.
// `npm run rules:update` rewrites them; CI fails when they are stale.
import { expect, test } from 'vitest';
import { loadManifests } from '../../src/cluster/load.js';
import { answersText } from '../../src/dns/answers.js';
import { ZoneIndex } from '../../src/dns/index.js';
import { rrText } from '../../src/dns/text.js';
import { zoneTransfer } from '../../src/dns/transfer.js';
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

test('dns/two-ns.axfr', async () => {
  const index = new ZoneIndex((await loadManifests([fixture('dns', 'two-ns')])).objects);
  const rrs = zoneTransfer(index, { ...DEFAULT_ZONE_OPTIONS, serial: 1700000000, transfer: true }, 'cluster.local');
  const header = [
    '; fixtures/dns/two-ns: the AXFR of cluster.local that `kubeplane dns serve --transfer` sends, in order',
    '; (CoreDNS kubernetes plugin xfr.go); server address 127.0.0.1; SOA serial pinned to 1700000000',
  ];
  await expect([...header, ...(rrs ?? []).map(rrText)].join('\n') + '\n').toMatchFileSnapshot('../../dns/two-ns.axfr');
});
