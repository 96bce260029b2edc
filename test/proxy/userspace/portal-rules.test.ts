import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadManifests } from '../../../src/cluster/load.js';
import { resolveProxyConfig } from '../../../src/proxy/config.js';
import { buildProxyState } from '../../../src/proxy/state.js';
import { FULL_SYNC } from '../../../src/proxy/types.js';
import { userspaceMode } from '../../../src/proxy/userspace/mode.js';
import { renderPortalCleanup, renderPortalRules } from '../../../src/proxy/userspace/portal-rules.js';
import { manifest } from './support.js';

async function state(extra = '') {
  const f = join(mkdtempSync(join(tmpdir(), 'kp-portal-')), 'c.yaml');
  writeFileSync(
    f,
    extra +
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

  test('a NodePort gets KUBE-NODEPORT-CONTAINER/-HOST rules on its node port and an ACCEPT of the proxy port', async () => {
    const np = `apiVersion: v1
kind: Service
metadata: { name: shop, namespace: shop }
spec:
  type: NodePort
  clusterIP: 10.96.0.30
  clusterIPs: [10.96.0.30]
  ports:
    - { name: http, port: 80, targetPort: 8080, nodePort: 30080, protocol: TCP }
---
`;
    const map = {
      ports: [
        {
          service: 'shop/shop',
          portName: 'http',
          protocol: 'TCP' as const,
          clusterIP: '10.96.0.30',
          port: 80,
          listen: '0.0.0.0:41000',
        },
      ],
    };
    const text = renderPortalRules(await state(np), { portMap: map, listenHost: '0.0.0.0', hostIP: '192.168.1.5' });
    const c = '-m comment --comment "shop/shop:http" -p tcp -m tcp';
    expect(text.split('\n').filter((l) => l.includes('shop/shop:http'))).toEqual([
      `-A KUBE-PORTALS-CONTAINER ${c} --dport 80 -d 10.96.0.30/32 -j REDIRECT --to-ports 41000`,
      `-A KUBE-PORTALS-HOST ${c} --dport 80 -d 10.96.0.30/32 -j DNAT --to-destination 192.168.1.5:41000`,
      `-A KUBE-NODEPORT-CONTAINER ${c} --dport 30080 -j REDIRECT --to-ports 41000`,
      `-A KUBE-NODEPORT-HOST ${c} --dport 30080 -j DNAT --to-destination 192.168.1.5:41000`,
      `-A KUBE-NODEPORT-NON-LOCAL ${c} --dport 41000 -m state --state NEW -j ACCEPT`,
    ]);
    // Portals before node ports in PREROUTING (iptablesInit prepends one and appends the other).
    const pre = text.split('\n').filter((l) => l.startsWith('-A PREROUTING'));
    expect(pre.map((l) => l.split(' -j ')[1])).toEqual(['KUBE-PORTALS-CONTAINER', 'KUBE-NODEPORT-CONTAINER']);
    expect(pre[1]).toContain('-m addrtype --dst-type LOCAL');
  });

  test('without jumps only the chains are written; the cleanup deletes every jump and chain', async () => {
    const text = renderPortalRules(await state(), { listenHost: '10.0.0.2', jumps: false });
    expect(text).not.toMatch(/^-A (PREROUTING|OUTPUT|INPUT) /m);
    const cleanup = renderPortalCleanup();
    for (const chain of ['PREROUTING', 'OUTPUT', 'INPUT'])
      expect(cleanup).toMatch(new RegExp(`^-D ${chain} .*-j KUBE-`, 'm'));
    expect(cleanup.match(/^-X /gm)).toHaveLength(5);
  });
});
