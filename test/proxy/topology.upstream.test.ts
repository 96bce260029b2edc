// categorizeEndpoints against every row of kube-proxy's TestCategorizeEndpoints
// (pkg/proxy/topology_test.go, the stored version without node hints), expected sets copied as data.
// Upstream's checker: nil cluster/local means "this kind is not used"; when only one of the two is
// used, allEndpoints equals it; hasAnyEndpoints = allEndpoints non-empty || onlyRemoteEndpoints.
// The node-hint rows at the end follow topology.go's topologyModeFromHints doc comment (the stored
// test file predates PreferSameNode), one row per branch of that comment.
import { describe, expect, test } from 'vitest';
import { categorizeEndpoints, type NodeTopology } from '../../src/proxy/topology.js';
import type { Endpoint } from '../../src/proxy/types.js';
import { endpoint, servicePort } from './builders.js';

interface EpSpec {
  ep: string;
  zones?: string[];
  nodes?: string[];
  ready: boolean;
  serving?: boolean;
  terminating?: boolean;
  isLocal?: boolean;
}

interface Row {
  name: string;
  zone?: string;
  preferSameNode?: boolean;
  svc: { internalLocal?: boolean; externalLocal?: boolean; nodePort?: number };
  endpoints: EpSpec[];
  cluster: string[] | null;
  local: string[] | null;
  all?: string[];
  onlyRemote?: boolean;
}

function build(spec: EpSpec): Endpoint {
  const [ip, port] = spec.ep.split(':') as [string, string];
  return endpoint(ip, {
    port: Number(port),
    ready: spec.ready,
    // Upstream's BaseEndpointInfo literals leave serving false unless set.
    serving: spec.serving ?? false,
    terminating: spec.terminating ?? false,
    isLocal: spec.isLocal ?? false,
    zones: spec.zones,
    nodes: spec.nodes,
  });
}

const four = (zones: (string[] | undefined)[], ready: boolean[] = [true, true, true, true]): EpSpec[] =>
  zones.map((z, i) => ({ ep: `10.1.2.${3 + i}:80`, zones: z, ready: ready[i]! }));

const rows: Row[] = [
  {
    name: "should use topology since all endpoints have hints, node has a zone label and and there are endpoints for the node's zone",
    zone: 'zone-a',
    svc: {},
    endpoints: four([['zone-a'], ['zone-b'], ['zone-c'], ['zone-a']]),
    cluster: ['10.1.2.3:80', '10.1.2.6:80'],
    local: null,
  },
  {
    name: 'externalTrafficPolicy: Local, topology ignored for Local endpoints',
    zone: 'zone-a',
    svc: { externalLocal: true, nodePort: 8080 },
    endpoints: [
      { ep: '10.1.2.3:80', zones: ['zone-a'], ready: true, isLocal: true },
      { ep: '10.1.2.4:80', zones: ['zone-b'], ready: true, isLocal: true },
      { ep: '10.1.2.5:80', zones: ['zone-c'], ready: true },
      { ep: '10.1.2.6:80', zones: ['zone-a'], ready: true },
    ],
    cluster: ['10.1.2.3:80', '10.1.2.6:80'],
    local: ['10.1.2.3:80', '10.1.2.4:80'],
    all: ['10.1.2.3:80', '10.1.2.4:80', '10.1.2.6:80'],
  },
  {
    name: 'internalTrafficPolicy: Local, topology ignored for Local endpoints',
    zone: 'zone-a',
    svc: { internalLocal: true, externalLocal: false, nodePort: 8080 },
    endpoints: [
      { ep: '10.1.2.3:80', zones: ['zone-a'], ready: true, isLocal: true },
      { ep: '10.1.2.4:80', zones: ['zone-b'], ready: true, isLocal: true },
      { ep: '10.1.2.5:80', zones: ['zone-c'], ready: true },
      { ep: '10.1.2.6:80', zones: ['zone-a'], ready: true },
    ],
    cluster: ['10.1.2.3:80', '10.1.2.6:80'],
    local: ['10.1.2.3:80', '10.1.2.4:80'],
    all: ['10.1.2.3:80', '10.1.2.4:80', '10.1.2.6:80'],
  },
  {
    name: 'empty node labels',
    svc: {},
    endpoints: [{ ep: '10.1.2.3:80', zones: ['zone-a'], ready: true }],
    cluster: ['10.1.2.3:80'],
    local: null,
  },
  {
    name: 'empty zone label',
    zone: '',
    svc: {},
    endpoints: [{ ep: '10.1.2.3:80', zones: ['zone-a'], ready: true }],
    cluster: ['10.1.2.3:80'],
    local: null,
  },
  {
    name: 'node in different zone, no endpoint filtering',
    zone: 'zone-b',
    svc: {},
    endpoints: [{ ep: '10.1.2.3:80', zones: ['zone-a'], ready: true }],
    cluster: ['10.1.2.3:80'],
    local: null,
  },
  {
    name: 'unready endpoint',
    zone: 'zone-a',
    svc: {},
    endpoints: four([['zone-a'], ['zone-b'], ['zone-c'], ['zone-a']], [true, true, true, false]),
    cluster: ['10.1.2.3:80'],
    local: null,
  },
  {
    name: 'only unready endpoints in same zone (should not filter)',
    zone: 'zone-a',
    svc: {},
    endpoints: four([['zone-a'], ['zone-b'], ['zone-c'], ['zone-a']], [false, true, true, false]),
    cluster: ['10.1.2.4:80', '10.1.2.5:80'],
    local: null,
  },
  {
    name: 'missing hints, no filtering applied',
    zone: 'zone-a',
    svc: {},
    endpoints: four([['zone-a'], ['zone-b'], undefined, ['zone-a']]),
    cluster: ['10.1.2.3:80', '10.1.2.4:80', '10.1.2.5:80', '10.1.2.6:80'],
    local: null,
  },
  {
    name: 'multiple hints per endpoint, filtering includes any endpoint with zone included',
    zone: 'zone-c',
    svc: {},
    endpoints: four([['zone-a', 'zone-b', 'zone-c'], ['zone-b', 'zone-c'], ['zone-b', 'zone-d'], ['zone-c']]),
    cluster: ['10.1.2.3:80', '10.1.2.4:80', '10.1.2.6:80'],
    local: null,
  },
  {
    name: 'conflicting topology and localness require merging allEndpoints',
    zone: 'zone-a',
    svc: { internalLocal: false, externalLocal: true, nodePort: 8080 },
    endpoints: [
      { ep: '10.0.0.0:80', zones: ['zone-a'], ready: true, isLocal: true },
      { ep: '10.0.0.1:80', zones: ['zone-b'], ready: true, isLocal: true },
      { ep: '10.0.0.2:80', zones: ['zone-a'], ready: true, isLocal: false },
      { ep: '10.0.0.3:80', zones: ['zone-b'], ready: true, isLocal: false },
    ],
    cluster: ['10.0.0.0:80', '10.0.0.2:80'],
    local: ['10.0.0.0:80', '10.0.0.1:80'],
    all: ['10.0.0.0:80', '10.0.0.1:80', '10.0.0.2:80'],
  },
  {
    name: 'internalTrafficPolicy: Local, with empty endpoints',
    svc: { internalLocal: true },
    endpoints: [],
    cluster: null,
    local: [],
  },
  {
    name: 'internalTrafficPolicy: Local, but all endpoints are remote',
    svc: { internalLocal: true },
    endpoints: [
      { ep: '10.0.0.0:80', ready: true, isLocal: false },
      { ep: '10.0.0.1:80', ready: true, isLocal: false },
    ],
    cluster: null,
    local: [],
    onlyRemote: true,
  },
  {
    name: 'internalTrafficPolicy: Local, all endpoints are local',
    svc: { internalLocal: true },
    endpoints: [
      { ep: '10.0.0.0:80', ready: true, isLocal: true },
      { ep: '10.0.0.1:80', ready: true, isLocal: true },
    ],
    cluster: null,
    local: ['10.0.0.0:80', '10.0.0.1:80'],
  },
  {
    name: 'internalTrafficPolicy: Local, some endpoints are local',
    svc: { internalLocal: true },
    endpoints: [
      { ep: '10.0.0.0:80', ready: true, isLocal: true },
      { ep: '10.0.0.1:80', ready: true, isLocal: false },
    ],
    cluster: null,
    local: ['10.0.0.0:80'],
  },
  {
    name: 'Cluster traffic policy, endpoints not Ready',
    svc: {},
    endpoints: [
      { ep: '10.0.0.0:80', ready: false },
      { ep: '10.0.0.1:80', ready: false },
    ],
    cluster: [],
    local: null,
  },
  {
    name: 'Cluster traffic policy, some endpoints are Ready',
    svc: {},
    endpoints: [
      { ep: '10.0.0.0:80', ready: false },
      { ep: '10.0.0.1:80', ready: true },
    ],
    cluster: ['10.0.0.1:80'],
    local: null,
  },
  {
    name: 'Cluster traffic policy, all endpoints are terminating',
    svc: {},
    endpoints: [
      { ep: '10.0.0.0:80', ready: false, serving: true, terminating: true, isLocal: true },
      { ep: '10.0.0.1:80', ready: false, serving: true, terminating: true, isLocal: false },
    ],
    cluster: ['10.0.0.0:80', '10.0.0.1:80'],
    local: null,
  },
  {
    name: 'iTP: Local, eTP: Cluster, some endpoints local',
    svc: { internalLocal: true, externalLocal: false, nodePort: 8080 },
    endpoints: [
      { ep: '10.0.0.0:80', ready: true, isLocal: true },
      { ep: '10.0.0.1:80', ready: true, isLocal: false },
    ],
    cluster: ['10.0.0.0:80', '10.0.0.1:80'],
    local: ['10.0.0.0:80'],
    all: ['10.0.0.0:80', '10.0.0.1:80'],
  },
  {
    name: 'iTP: Cluster, eTP: Local, some endpoints local',
    svc: { internalLocal: false, externalLocal: true, nodePort: 8080 },
    endpoints: [
      { ep: '10.0.0.0:80', ready: true, isLocal: true },
      { ep: '10.0.0.1:80', ready: true, isLocal: false },
    ],
    cluster: ['10.0.0.0:80', '10.0.0.1:80'],
    local: ['10.0.0.0:80'],
    all: ['10.0.0.0:80', '10.0.0.1:80'],
  },
  {
    name: 'iTP: Local, eTP: Local, some endpoints local',
    svc: { internalLocal: true, externalLocal: true, nodePort: 8080 },
    endpoints: [
      { ep: '10.0.0.0:80', ready: true, isLocal: true },
      { ep: '10.0.0.1:80', ready: true, isLocal: false },
    ],
    cluster: ['10.0.0.0:80', '10.0.0.1:80'],
    local: ['10.0.0.0:80'],
    all: ['10.0.0.0:80', '10.0.0.1:80'],
  },
  {
    name: 'iTP: Local, eTP: Local, all endpoints remote',
    svc: { internalLocal: true, externalLocal: true, nodePort: 8080 },
    endpoints: [
      { ep: '10.0.0.0:80', ready: true, isLocal: false },
      { ep: '10.0.0.1:80', ready: true, isLocal: false },
    ],
    cluster: ['10.0.0.0:80', '10.0.0.1:80'],
    local: [],
    all: ['10.0.0.0:80', '10.0.0.1:80'],
  },
  {
    name: 'iTP: Local, eTP: Local, all endpoints remote and terminating',
    svc: { internalLocal: true, externalLocal: true, nodePort: 8080 },
    endpoints: [
      { ep: '10.0.0.0:80', ready: false, serving: true, terminating: true, isLocal: false },
      { ep: '10.0.0.1:80', ready: false, serving: true, terminating: true, isLocal: false },
    ],
    cluster: ['10.0.0.0:80', '10.0.0.1:80'],
    local: [],
    all: ['10.0.0.0:80', '10.0.0.1:80'],
    onlyRemote: true,
  },
  {
    name: 'iTP: Cluster, eTP: Local, with terminating endpoints',
    svc: { internalLocal: false, externalLocal: true, nodePort: 8080 },
    endpoints: [
      { ep: '10.0.0.0:80', ready: true, isLocal: false },
      { ep: '10.0.0.1:80', ready: false, serving: false, isLocal: true },
      { ep: '10.0.0.2:80', ready: false, serving: true, terminating: true, isLocal: true },
      { ep: '10.0.0.3:80', ready: false, serving: true, terminating: true, isLocal: false },
    ],
    cluster: ['10.0.0.0:80'],
    local: ['10.0.0.2:80'],
    all: ['10.0.0.0:80', '10.0.0.2:80'],
  },
  {
    name: 'externalTrafficPolicy ignored if not externally accessible',
    svc: { externalLocal: true },
    endpoints: [
      { ep: '10.0.0.0:80', ready: true, isLocal: false },
      { ep: '10.0.0.1:80', ready: true, isLocal: true },
    ],
    cluster: ['10.0.0.0:80', '10.0.0.1:80'],
    local: null,
    all: ['10.0.0.0:80', '10.0.0.1:80'],
  },
  {
    name: 'no cluster endpoints for iTP:Local internal-only service',
    svc: { internalLocal: true },
    endpoints: [
      { ep: '10.0.0.0:80', ready: true, isLocal: false },
      { ep: '10.0.0.1:80', ready: true, isLocal: true },
    ],
    cluster: null,
    local: ['10.0.0.1:80'],
    all: ['10.0.0.1:80'],
  },
  // Node hints (PreferSameTrafficDistribution), from topologyModeFromHints' doc comment.
  {
    name: 'node hints: every ready endpoint hinted, one for this node: PreferSameNode',
    zone: 'zone-a',
    svc: {},
    endpoints: [
      { ep: '10.0.0.0:80', zones: ['zone-a'], nodes: ['node-local'], ready: true, isLocal: true },
      { ep: '10.0.0.1:80', zones: ['zone-a'], nodes: ['node-b'], ready: true },
      { ep: '10.0.0.2:80', zones: ['zone-b'], nodes: ['node-c'], ready: true },
    ],
    cluster: ['10.0.0.0:80'],
    local: null,
  },
  {
    name: 'node hints but none for this node: falls back to same zone',
    zone: 'zone-a',
    svc: {},
    endpoints: [
      { ep: '10.0.0.1:80', zones: ['zone-a'], nodes: ['node-b'], ready: true },
      { ep: '10.0.0.2:80', zones: ['zone-b'], nodes: ['node-c'], ready: true },
    ],
    cluster: ['10.0.0.1:80'],
    local: null,
  },
  {
    name: 'one ready endpoint without a node hint: node hints ignored, zone hints used',
    zone: 'zone-a',
    svc: {},
    endpoints: [
      { ep: '10.0.0.0:80', zones: ['zone-a'], nodes: ['node-local'], ready: true },
      { ep: '10.0.0.1:80', zones: ['zone-a'], ready: true },
      { ep: '10.0.0.2:80', zones: ['zone-b'], nodes: ['node-c'], ready: true },
    ],
    cluster: ['10.0.0.0:80', '10.0.0.1:80'],
    local: null,
  },
  {
    name: 'an unready endpoint without a node hint does not disable node hints',
    zone: 'zone-a',
    svc: {},
    endpoints: [
      { ep: '10.0.0.0:80', zones: ['zone-a'], nodes: ['node-local'], ready: true },
      { ep: '10.0.0.1:80', ready: false },
      { ep: '10.0.0.2:80', zones: ['zone-b'], nodes: ['node-c'], ready: true },
    ],
    cluster: ['10.0.0.0:80'],
    local: null,
  },
  {
    name: 'PreferSameTrafficDistribution off: node hints ignored, zone hints used',
    zone: 'zone-a',
    preferSameNode: false,
    svc: {},
    endpoints: [
      { ep: '10.0.0.0:80', zones: ['zone-a'], nodes: ['node-local'], ready: true },
      { ep: '10.0.0.1:80', zones: ['zone-a'], nodes: ['node-b'], ready: true },
      { ep: '10.0.0.2:80', zones: ['zone-b'], nodes: ['node-c'], ready: true },
    ],
    cluster: ['10.0.0.0:80', '10.0.0.1:80'],
    local: null,
  },
  {
    name: 'node hints, no zone hints, none for this node: no topology',
    zone: 'zone-a',
    svc: {},
    endpoints: [
      { ep: '10.0.0.1:80', nodes: ['node-b'], ready: true },
      { ep: '10.0.0.2:80', nodes: ['node-c'], ready: true },
    ],
    cluster: ['10.0.0.1:80', '10.0.0.2:80'],
    local: null,
  },
  {
    name: 'PreferSameNode with eTP Local: union of the same-node cluster list and the local list',
    zone: 'zone-a',
    svc: { externalLocal: true, nodePort: 8080 },
    endpoints: [
      { ep: '10.0.0.0:80', nodes: ['node-b'], ready: true, isLocal: true },
      { ep: '10.0.0.1:80', nodes: ['node-local'], ready: true },
    ],
    cluster: ['10.0.0.1:80'],
    local: ['10.0.0.0:80'],
    all: ['10.0.0.0:80', '10.0.0.1:80'],
  },
];

const strings = (eps: readonly Endpoint[]) => eps.map((e) => e.endpoint).sort();

describe('categorizeEndpoints: upstream TestCategorizeEndpoints rows', () => {
  test.each(rows)('$name', (row) => {
    const node: NodeTopology = {
      nodeName: 'node-local',
      zone: row.zone ?? '',
      preferSameNode: row.preferSameNode ?? true,
    };
    const port = servicePort(row.svc);
    const got = categorizeEndpoints(row.endpoints.map(build), port, node);
    // nil in upstream = the service port never uses that kind of endpoint.
    expect(port.usesClusterEndpoints).toBe(row.cluster !== null);
    expect(port.usesLocalEndpoints).toBe(row.local !== null);
    expect(strings(got.cluster)).toEqual([...(row.cluster ?? [])].sort());
    expect(strings(got.local)).toEqual([...(row.local ?? [])].sort());
    const all =
      row.cluster !== null && row.local === null
        ? row.cluster
        : row.local !== null && row.cluster === null
          ? row.local
          : (row.all ?? []);
    expect(strings(got.reachable)).toEqual([...all].sort());
    // Every mode writes endpoint chains in this order, so it must be sorted (upstream: Go map order).
    expect(got.reachable.map((e) => e.endpoint)).toEqual([...got.reachable.map((e) => e.endpoint)].sort());
    expect(got.hasAny).toBe(all.length > 0 || (row.onlyRemote ?? false));
  });
});
