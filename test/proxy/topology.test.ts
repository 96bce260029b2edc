// categorizeEndpoints: the one place that decides which endpoints each traffic policy uses.
// Cases follow kube-proxy's pkg/proxy/topology_test.go (TestCategorizeEndpoints).
import { describe, expect, test } from 'vitest';
import { categorizeEndpoints } from '../../src/proxy/topology.js';
import type { Endpoint, ServicePortInfo } from '../../src/proxy/types.js';
import { endpoint as ep, servicePort } from './builders.js';

const node = { nodeName: 'node-local', zone: 'zone-a', preferSameNode: true };

interface Case {
  name: string;
  port: ServicePortInfo;
  endpoints: Endpoint[];
  nodeZone?: string;
  cluster: string[] | null;
  local: string[] | null;
  reachable: string[];
  hasAny: boolean;
}

const names = (eps: readonly Endpoint[]) => eps.map((e) => e.ip);

const cases: Case[] = [
  {
    name: 'hints disabled (no hints): every ready endpoint',
    port: servicePort(),
    endpoints: [ep('10.1.2.3'), ep('10.1.2.4'), ep('10.1.2.5'), ep('10.1.2.6')],
    cluster: ['10.1.2.3', '10.1.2.4', '10.1.2.5', '10.1.2.6'],
    local: null,
    reachable: ['10.1.2.3', '10.1.2.4', '10.1.2.5', '10.1.2.6'],
    hasAny: true,
  },
  {
    name: 'zone hints: only endpoints hinted for this zone',
    port: servicePort(),
    endpoints: [
      ep('10.1.2.3', { zones: ['zone-a'] }),
      ep('10.1.2.4', { zones: ['zone-b'] }),
      ep('10.1.2.5', { zones: ['zone-c'] }),
      ep('10.1.2.6', { zones: ['zone-a'] }),
    ],
    cluster: ['10.1.2.3', '10.1.2.6'],
    local: null,
    reachable: ['10.1.2.3', '10.1.2.6'],
    hasAny: true,
  },
  {
    name: 'zone hints, one endpoint without hints: hints ignored',
    port: servicePort(),
    endpoints: [ep('10.1.2.3', { zones: ['zone-a'] }), ep('10.1.2.4', { zones: ['zone-b'] }), ep('10.1.2.5')],
    cluster: ['10.1.2.3', '10.1.2.4', '10.1.2.5'],
    local: null,
    reachable: ['10.1.2.3', '10.1.2.4', '10.1.2.5'],
    hasAny: true,
  },
  {
    name: 'zone hints, none for this zone: hints ignored',
    port: servicePort(),
    endpoints: [ep('10.1.2.3', { zones: ['zone-b'] }), ep('10.1.2.4', { zones: ['zone-c'] })],
    cluster: ['10.1.2.3', '10.1.2.4'],
    local: null,
    reachable: ['10.1.2.3', '10.1.2.4'],
    hasAny: true,
  },
  {
    name: 'zone hints only count ready endpoints',
    port: servicePort(),
    endpoints: [
      ep('10.1.2.3', { zones: ['zone-a'] }),
      ep('10.1.2.4', { ready: false }),
      ep('10.1.2.5', { zones: ['zone-b'] }),
    ],
    cluster: ['10.1.2.3'],
    local: null,
    reachable: ['10.1.2.3'],
    hasAny: true,
  },
  {
    name: 'node hints win over zone hints',
    port: servicePort(),
    endpoints: [
      ep('10.1.2.3', { zones: ['zone-a'], nodes: ['node-local'] }),
      ep('10.1.2.4', { zones: ['zone-a'], nodes: ['node-x'] }),
    ],
    cluster: ['10.1.2.3'],
    local: null,
    reachable: ['10.1.2.3'],
    hasAny: true,
  },
  {
    name: 'not-ready endpoints are never used while ready ones exist',
    port: servicePort(),
    endpoints: [
      ep('10.1.2.3'),
      ep('10.1.2.4', { ready: false, serving: true, terminating: true }),
      ep('10.1.2.5', { ready: false }),
    ],
    cluster: ['10.1.2.3'],
    local: null,
    reachable: ['10.1.2.3'],
    hasAny: true,
  },
  {
    name: 'no ready endpoints: fall back to serving terminating ones',
    port: servicePort(),
    endpoints: [
      ep('10.1.2.3', { ready: false, serving: true, terminating: true }),
      ep('10.1.2.4', { ready: false, serving: false, terminating: true }),
      ep('10.1.2.5', { ready: false }),
    ],
    cluster: ['10.1.2.3'],
    local: null,
    reachable: ['10.1.2.3'],
    hasAny: true,
  },
  {
    name: 'nothing ready or serving: no endpoints',
    port: servicePort(),
    endpoints: [ep('10.1.2.3', { ready: false }), ep('10.1.2.4', { ready: false, serving: false, terminating: true })],
    cluster: [],
    local: null,
    reachable: [],
    hasAny: false,
  },
  {
    name: 'internalTrafficPolicy Local: only local ready endpoints',
    port: servicePort({ internalLocal: true }),
    endpoints: [ep('10.0.0.0', { isLocal: true }), ep('10.0.0.1', { isLocal: true }), ep('10.0.0.2'), ep('10.0.0.3')],
    cluster: null,
    local: ['10.0.0.0', '10.0.0.1'],
    reachable: ['10.0.0.0', '10.0.0.1'],
    hasAny: true,
  },
  {
    name: 'internalTrafficPolicy Local without local endpoints: none reachable but hasAny',
    port: servicePort({ internalLocal: true }),
    endpoints: [ep('10.0.0.2'), ep('10.0.0.3')],
    cluster: null,
    local: [],
    reachable: [],
    hasAny: true,
  },
  {
    name: 'internalTrafficPolicy Local: local terminating fallback',
    port: servicePort({ internalLocal: true }),
    endpoints: [ep('10.0.0.0', { isLocal: true, ready: false, serving: true, terminating: true }), ep('10.0.0.2')],
    cluster: null,
    local: ['10.0.0.0'],
    reachable: ['10.0.0.0'],
    hasAny: true,
  },
  {
    name: 'externalTrafficPolicy Local with a local ready endpoint: reachable is the cluster list',
    port: servicePort({ externalLocal: true, nodePort: 30080 }),
    endpoints: [ep('10.0.0.0', { isLocal: true }), ep('10.0.0.1'), ep('10.0.0.2', { ready: false })],
    cluster: ['10.0.0.0', '10.0.0.1'],
    local: ['10.0.0.0'],
    reachable: ['10.0.0.0', '10.0.0.1'],
    hasAny: true,
  },
  {
    name: 'externalTrafficPolicy Local, cluster ready but local only terminating: union of both',
    port: servicePort({ externalLocal: true, nodePort: 30080 }),
    endpoints: [ep('10.0.0.0', { isLocal: true, ready: false, serving: true, terminating: true }), ep('10.0.0.1')],
    cluster: ['10.0.0.1'],
    local: ['10.0.0.0'],
    reachable: ['10.0.0.0', '10.0.0.1'],
    hasAny: true,
  },
  {
    name: 'externalTrafficPolicy Local with zone hints: union of hinted cluster and local',
    port: servicePort({ externalLocal: true, nodePort: 30080 }),
    endpoints: [ep('10.0.0.0', { isLocal: true, zones: ['zone-b'] }), ep('10.0.0.1', { zones: ['zone-a'] })],
    cluster: ['10.0.0.1'],
    local: ['10.0.0.0'],
    reachable: ['10.0.0.0', '10.0.0.1'],
    hasAny: true,
  },
  {
    name: 'both policies Local, externally accessible: cluster used for the short-circuits',
    port: servicePort({ externalLocal: true, internalLocal: true, nodePort: 30080 }),
    endpoints: [ep('10.0.0.0', { isLocal: true }), ep('10.0.0.1')],
    cluster: ['10.0.0.0', '10.0.0.1'],
    local: ['10.0.0.0'],
    reachable: ['10.0.0.0', '10.0.0.1'],
    hasAny: true,
  },
  {
    name: 'externalTrafficPolicy Local but not externally accessible: plain cluster policy',
    port: servicePort({ externalLocal: true }),
    endpoints: [ep('10.0.0.0', { isLocal: true }), ep('10.0.0.1')],
    cluster: ['10.0.0.0', '10.0.0.1'],
    local: null,
    reachable: ['10.0.0.0', '10.0.0.1'],
    hasAny: true,
  },
];

describe('categorizeEndpoints', () => {
  test.each(cases)('$name', ({ port, endpoints, cluster, local, reachable, hasAny }) => {
    const got = categorizeEndpoints(endpoints, port, node);
    if (cluster !== null) expect(names(got.cluster)).toEqual(cluster);
    else expect(got.cluster).toEqual([]);
    if (local !== null) expect(names(got.local)).toEqual(local);
    else expect(got.local).toEqual([]);
    expect(names(got.reachable)).toEqual(reachable);
    expect(got.hasAny).toBe(hasAny);
  });

  test('node hints are ignored when the PreferSameTrafficDistribution gate is off', () => {
    const eps = [
      ep('10.1.2.3', { zones: ['zone-a'], nodes: ['node-local'] }),
      ep('10.1.2.4', { zones: ['zone-a'], nodes: ['node-x'] }),
    ];
    const got = categorizeEndpoints(eps, servicePort(), { ...node, preferSameNode: false });
    expect(names(got.cluster)).toEqual(['10.1.2.3', '10.1.2.4']);
  });
});
