// mirrorEndpoints against the EndpointSlice mirroring controller's rules (reconciler.go, utils.go and
// RepackSubsets): what becomes a slice, with which endpoints, conditions, ports and labels.
import { describe, expect, test } from 'vitest';
import { MAX_ENDPOINTS_PER_SUBSET, mirrorEndpoints } from '../../src/cluster/endpoints-mirror.js';
import type { Endpoints } from '../../src/cluster/types.js';

type Subsets = NonNullable<Endpoints['subsets']>;

function endpoints(subsets: Subsets, meta: Partial<Endpoints['metadata']> = {}): Endpoints {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'svc', namespace: 'ns', ...meta }, subsets };
}

const http = [{ name: 'http', port: 80, protocol: 'TCP' as const }];

/** "ip ready|notready" per slice, slices as "addressType ports". */
function summary(ep: Endpoints): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of mirrorEndpoints(ep)) {
    const key = `${s.addressType} ${(s.ports ?? []).map((p) => `${p.name}:${p.port}/${p.protocol}`).join(',')}`;
    out[key] = (s.endpoints ?? []).map((e) => `${e.addresses[0]} ${e.conditions?.ready ? 'ready' : 'notready'}`);
  }
  return out;
}

describe('mirrorEndpoints', () => {
  test.each([
    {
      name: 'one subset, both families: one slice per family',
      subsets: [
        { addresses: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }], notReadyAddresses: [{ ip: '10.0.0.2' }], ports: http },
      ],
      want: {
        'IPv4 http:80/TCP': ['10.0.0.1 ready', '10.0.0.2 notready'],
        'IPv6 http:80/TCP': ['fd00::1 ready'],
      },
    },
    {
      name: 'an address both ready and not ready is ready (RepackSubsets)',
      subsets: [{ addresses: [{ ip: '10.0.0.1' }], notReadyAddresses: [{ ip: '10.0.0.1' }], ports: http }],
      want: { 'IPv4 http:80/TCP': ['10.0.0.1 ready'] },
    },
    {
      name: 'ready in a later subset with the same ports still wins',
      subsets: [
        { notReadyAddresses: [{ ip: '10.0.0.1' }], ports: http },
        { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.3' }], ports: http },
      ],
      want: { 'IPv4 http:80/TCP': ['10.0.0.1 ready', '10.0.0.3 ready'] },
    },
    {
      name: 'subsets with different ports stay apart',
      subsets: [
        { addresses: [{ ip: '10.0.0.1' }], ports: http },
        { addresses: [{ ip: '10.0.0.2' }], ports: [{ name: 'metrics', port: 9090, protocol: 'TCP' as const }] },
      ],
      want: { 'IPv4 http:80/TCP': ['10.0.0.1 ready'], 'IPv4 metrics:9090/TCP': ['10.0.0.2 ready'] },
    },
    {
      name: 'invalid addresses are skipped, sloppy IPv4 is restringified',
      subsets: [{ addresses: [{ ip: 'not-an-ip' }, { ip: '10.000.0.07' }], ports: http }],
      want: { 'IPv4 http:80/TCP': ['10.0.0.7 ready'] },
    },
    {
      name: 'a subset without addresses gives no slice',
      subsets: [{ ports: http }],
      want: {},
    },
  ])('$name', ({ subsets, want }) => {
    expect(summary(endpoints(subsets as Subsets))).toEqual(want);
  });

  test('skip-mirror "true" and a leader-election record are not mirrored; skip-mirror "false" is', () => {
    const subsets: Subsets = [{ addresses: [{ ip: '10.0.0.1' }], ports: http }];
    expect(
      mirrorEndpoints(endpoints(subsets, { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } })),
    ).toEqual([]);
    expect(
      mirrorEndpoints(endpoints(subsets, { annotations: { 'control-plane.alpha.kubernetes.io/leader': '{}' } })),
    ).toEqual([]);
    expect(
      mirrorEndpoints(endpoints(subsets, { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'false' } })),
    ).toHaveLength(1);
  });

  test('labels are copied, then service-name and managed-by are set', () => {
    const [slice] = mirrorEndpoints(
      endpoints([{ addresses: [{ ip: '10.0.0.1' }], ports: http }], {
        labels: { app: 'x', 'kubernetes.io/service-name': 'other', 'service.kubernetes.io/headless': '' },
      }),
    );
    expect(slice?.metadata.labels).toEqual({
      app: 'x',
      'service.kubernetes.io/headless': '',
      'kubernetes.io/service-name': 'svc',
      'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io',
    });
  });

  test(`at most ${MAX_ENDPOINTS_PER_SUBSET} addresses per subset, ready ones first`, () => {
    const ready = Array.from({ length: MAX_ENDPOINTS_PER_SUBSET - 1 }, (_, i) => ({
      ip: `10.1.${i >> 8}.${i & 255}`,
    }));
    const notReady = [{ ip: '10.9.0.1' }, { ip: '10.9.0.2' }];
    const [slice] = mirrorEndpoints(endpoints([{ addresses: ready, notReadyAddresses: notReady, ports: http }]));
    const eps = slice?.endpoints ?? [];
    expect(eps).toHaveLength(MAX_ENDPOINTS_PER_SUBSET);
    expect(eps.at(-1)).toEqual({ addresses: ['10.9.0.1'], conditions: { ready: false } });
  });
});
