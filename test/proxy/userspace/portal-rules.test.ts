import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadManifests } from '../../../src/cluster/load.js';
import { resolveProxyConfig } from '../../../src/proxy/config.js';
import { buildProxyState } from '../../../src/proxy/state.js';
import { FULL_SYNC } from '../../../src/proxy/types.js';
import { userspaceMode } from '../../../src/proxy/userspace/mode.js';
import { renderPortalRules } from '../../../src/proxy/userspace/portal-rules.js';
import { manifest } from './support.js';

async function state() {
  const f = join(mkdtempSync(join(tmpdir(), 'kp-portal-')), 'c.yaml');
  writeFileSync(
    f,
    manifest([
      {
        ns: 'shop',
        name: 'web',
        clusterIP: '10.96.0.10',
        port: 80,
        targetPort: 8080,
        endpoints: { '10.244.0.5': true },
      },
    ]),
  );
  const { objects } = await loadManifests([f]);
  return buildProxyState(objects, 'IPv4', resolveProxyConfig(objects, {}));
}

describe('portal rules (proxier.go openOnePortal)', () => {
  test('a bound proxy DNATs both chains to its listener from the port map', async () => {
    const map = {
      ports: [
        {
          service: 'shop/web',
          portName: 'p',
          protocol: 'TCP' as const,
          clusterIP: '10.96.0.10',
          port: 80,
          listen: '10.0.0.2:41000',
        },
      ],
    };
    const text = renderPortalRules(await state(), { portMap: map, listenHost: '10.0.0.2' });
    expect(text).toContain(
      '-A KUBE-PORTALS-CONTAINER -m comment --comment "shop/web:p" -p tcp -m tcp --dport 80 -d 10.96.0.10/32 -j DNAT --to-destination 10.0.0.2:41000',
    );
    expect(text).toContain(
      '-A KUBE-PORTALS-HOST -m comment --comment "shop/web:p" -p tcp -m tcp --dport 80 -d 10.96.0.10/32 -j DNAT --to-destination 10.0.0.2:41000',
    );
    expect(text).toContain(
      '-A PREROUTING -m comment --comment "handle ClusterIPs; NOTE: this must be before the NodePort rules" -j KUBE-PORTALS-CONTAINER',
    );
  });

  test('bound to 0.0.0.0, container traffic is REDIRECTed; without a map ports are numbered and said so', async () => {
    const r = userspaceMode.createSyncer({ family: 'IPv4', profile: 'default', format: 'text' });
    const text = r.sync(await state(), FULL_SYNC, r.initialMemo, 0).payloads[0]!.text;
    expect(text).toContain('# no port map: proxy ports numbered from 36000');
    expect(renderPortalRules(await state(), { listenHost: '0.0.0.0', hostIP: '192.168.1.5' })).toContain(
      '-d 10.96.0.10/32 -j REDIRECT --to-ports 36000',
    );
  });
});
