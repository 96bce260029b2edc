// kube-controller-manager's EndpointSlice controller tests, ported as data: TestPodToEndpoint,
// TestGetEndpointPorts, TestNewEndpointSlice (labels) and TestSupportedServiceAddressType from
// staging/src/k8s.io/endpointslice/utils_test.go, and the reconciler's 100-per-slice split and
// placeholder slice (reconciler.go reconcileByAddressType).
import { describe, expect, test } from 'vitest';
import type { EndpointSliceEndpoint, Node, Pod, Service } from '../../src/cluster/types.js';
import {
  CONTROLLER_NAME,
  endpointPorts,
  podToEndpoint,
  serviceAddressTypes,
  sliceLabels,
  slicesFor,
} from '../../src/control/endpoint-slices.js';
import { seededRandom } from '../../src/control/seeded.js';

const NS = 'test';

/** newPod(n, namespace, ready, nPorts, terminating) of utils_test.go. */
function newPod(n: number, ready: boolean, terminating: boolean, edit: (p: Pod) => void = () => {}): Pod {
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace: NS,
      name: `pod${n}`,
      labels: { foo: 'bar' },
      ...(terminating ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
    },
    spec: { containers: [{ name: 'container-1' }], nodeName: 'node-1' },
    status: {
      podIP: `1.2.3.${4 + n}`,
      podIPs: [{ ip: `1.2.3.${4 + n}` }],
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
  edit(p);
  return p;
}

/** newServiceAndEndpointMeta(name, namespace). */
function newService(name: string, edit: (s: Service) => void = () => {}): Service {
  const s: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS },
    spec: {
      ports: [{ name, port: 80, targetPort: 80, protocol: 'TCP' }],
      selector: { foo: 'bar' },
      ipFamilies: ['IPv4'],
    },
  };
  edit(s);
  return s;
}

const node1: Node = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name: 'node-1',
    labels: { 'topology.kubernetes.io/zone': 'us-central1-a', 'topology.kubernetes.io/region': 'us-central1' },
  },
};

const svc = newService('foo');
const publishNotReady = newService('publishnotready', (s) => {
  s.spec.publishNotReadyAddresses = true;
});
const conditions = (ready: boolean, serving: boolean, terminating: boolean) => ({ ready, serving, terminating });
const target = (name = 'pod1') => ({ kind: 'Pod', namespace: NS, name });

describe('TestPodToEndpoint', () => {
  test.each<{ name: string; pod: Pod; node?: Node; svc: Service; want: EndpointSliceEndpoint }>([
    {
      name: 'Ready pod',
      pod: newPod(1, true, false),
      svc,
      want: {
        addresses: ['1.2.3.5'],
        conditions: conditions(true, true, false),
        nodeName: 'node-1',
        targetRef: target(),
      },
    },
    {
      name: 'Ready pod + publishNotReadyAddresses',
      pod: newPod(1, true, false),
      svc: publishNotReady,
      want: {
        addresses: ['1.2.3.5'],
        conditions: conditions(true, true, false),
        nodeName: 'node-1',
        targetRef: target(),
      },
    },
    {
      name: 'Unready pod',
      pod: newPod(1, false, false),
      svc,
      want: {
        addresses: ['1.2.3.5'],
        conditions: conditions(false, false, false),
        nodeName: 'node-1',
        targetRef: target(),
      },
    },
    {
      name: 'Unready pod + publishNotReadyAddresses',
      pod: newPod(1, false, false),
      svc: publishNotReady,
      want: {
        addresses: ['1.2.3.5'],
        conditions: conditions(true, false, false),
        nodeName: 'node-1',
        targetRef: target(),
      },
    },
    {
      name: 'Ready pod + node labels',
      pod: newPod(1, true, false),
      node: node1,
      svc,
      want: {
        addresses: ['1.2.3.5'],
        conditions: conditions(true, true, false),
        zone: 'us-central1-a',
        nodeName: 'node-1',
        targetRef: target(),
      },
    },
    {
      name: 'Multi IP Ready pod + node labels',
      pod: newPod(1, true, false, (p) => {
        p.status!.podIPs = [{ ip: '1.2.3.4' }, { ip: '1234::5678:0000:0000:9abc:def0' }];
      }),
      node: node1,
      svc,
      want: {
        addresses: ['1.2.3.4'],
        conditions: conditions(true, true, false),
        zone: 'us-central1-a',
        nodeName: 'node-1',
        targetRef: target(),
      },
    },
    {
      name: 'Ready pod + hostname',
      pod: newPod(1, true, false, (p) => {
        p.spec!.subdomain = 'foo';
        p.spec!.hostname = 'example-hostname';
      }),
      node: node1,
      svc,
      want: {
        addresses: ['1.2.3.5'],
        conditions: conditions(true, true, false),
        hostname: 'example-hostname',
        zone: 'us-central1-a',
        nodeName: 'node-1',
        targetRef: target(),
      },
    },
    {
      name: 'Ready terminating pod',
      pod: newPod(1, true, true),
      svc,
      want: {
        addresses: ['1.2.3.5'],
        conditions: conditions(false, true, true),
        nodeName: 'node-1',
        targetRef: target(),
      },
    },
    {
      name: 'Not ready terminating pod',
      pod: newPod(1, false, true),
      svc,
      want: {
        addresses: ['1.2.3.5'],
        conditions: conditions(false, false, true),
        nodeName: 'node-1',
        targetRef: target(),
      },
    },
  ])('$name', ({ pod, node, svc, want }) => {
    expect(podToEndpoint(pod, node, svc, 'IPv4')).toEqual(want);
  });
});

describe('TestGetEndpointPorts', () => {
  const pod = (ports: { name: string; containerPort: number; protocol: 'TCP' }[]): Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'c', ports }] },
  });
  test('service with AppProtocol on one port', () => {
    const s = newService('x', (s) => {
      s.spec.ports = [
        { name: 'http', port: 80, targetPort: 80, protocol: 'TCP', appProtocol: 'example.com/custom-protocol' },
      ];
    });
    expect(endpointPorts(s, pod([]))).toEqual([
      { name: 'http', port: 80, protocol: 'TCP', appProtocol: 'example.com/custom-protocol' },
    ]);
  });
  test('service with named port for one and AppProtocol on the named one', () => {
    const s = newService('x', (s) => {
      s.spec.ports = [
        { name: 'http', port: 80, targetPort: 80, protocol: 'TCP' },
        { name: 'https', port: 443, protocol: 'TCP', targetPort: 'https', appProtocol: 'https' },
      ];
    });
    expect(endpointPorts(s, pod([{ name: 'https', containerPort: 443, protocol: 'TCP' }]))).toEqual([
      { name: 'http', port: 80, protocol: 'TCP' },
      { name: 'https', port: 443, protocol: 'TCP', appProtocol: 'https' },
    ]);
  });
  test('a named targetPort the Pod does not have is left out (FindPort fails, the port is skipped)', () => {
    const s = newService('x', (s) => {
      s.spec.ports = [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'https' }];
    });
    expect(endpointPorts(s, pod([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]))).toEqual([]);
  });
});

describe('TestNewEndpointSlice: labels of a new slice', () => {
  const base = (edit: (s: Service) => void) => newService('foo', edit);
  const own = { 'kubernetes.io/service-name': 'foo', 'endpointslice.kubernetes.io/managed-by': CONTROLLER_NAME };
  test.each<{ name: string; svc: Service; want: Record<string, string> }>([
    { name: 'Service without labels', svc: base(() => {}), want: own },
    {
      name: 'Service with labels',
      svc: base((s) => {
        s.metadata.labels = { foo: 'bar' };
      }),
      want: { ...own, foo: 'bar' },
    },
    {
      name: 'Headless Service with labels',
      svc: base((s) => {
        s.metadata.labels = { foo: 'bar' };
        s.spec.clusterIP = 'None';
      }),
      want: { ...own, 'service.kubernetes.io/headless': '', foo: 'bar' },
    },
    {
      name: 'Service with multiple labels',
      svc: base((s) => {
        s.metadata.labels = { foo: 'bar', foo2: 'bar2' };
      }),
      want: { ...own, foo: 'bar', foo2: 'bar2' },
    },
    {
      name: 'Evil service hijacking endpoint slices labels',
      svc: base((s) => {
        s.metadata.labels = {
          'kubernetes.io/service-name': 'bad',
          'endpointslice.kubernetes.io/managed-by': 'actor',
          foo: 'bar',
        };
      }),
      want: { ...own, foo: 'bar' },
    },
    {
      name: 'Service with annotations (not copied)',
      svc: base((s) => {
        s.metadata.annotations = { foo: 'bar' };
      }),
      want: own,
    },
    {
      name: 'Non Headless service with Headless label (TestSetEndpointSliceLabels)',
      svc: base((s) => {
        s.metadata.labels = { 'service.kubernetes.io/headless': '' };
      }),
      want: own,
    },
  ])('$name', ({ svc, want }) => {
    expect(sliceLabels(svc)).toEqual(want);
  });
});

describe('TestSupportedServiceAddressType', () => {
  const spec = (s: Partial<Service['spec']>): Service => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's' },
    spec: s,
  });
  test.each<{ name: string; svc: Service; want: string[] }>([
    { name: 'v4 service with no ip families (cluster upgrade)', svc: spec({ clusterIP: '10.0.0.10' }), want: ['IPv4'] },
    { name: 'v6 service with no ip families (cluster upgrade)', svc: spec({ clusterIP: '2000::1' }), want: ['IPv6'] },
    { name: 'v4 service', svc: spec({ ipFamilies: ['IPv4'] }), want: ['IPv4'] },
    { name: 'v6 services', svc: spec({ ipFamilies: ['IPv6'] }), want: ['IPv6'] },
    { name: 'v4,v6 service', svc: spec({ ipFamilies: ['IPv4', 'IPv6'] }), want: ['IPv4', 'IPv6'] },
    { name: 'v6,v4 service', svc: spec({ ipFamilies: ['IPv6', 'IPv4'] }), want: ['IPv6', 'IPv4'] },
    {
      name: 'headless with no selector and no families (old api-server)',
      svc: spec({ clusterIP: 'None' }),
      want: ['IPv4', 'IPv6'],
    },
    {
      name: 'headless with selector and no families (old api-server)',
      svc: spec({ clusterIP: 'None', selector: { foo: 'bar' } }),
      want: ['IPv4', 'IPv6'],
    },
    {
      name: 'headless with no selector with families',
      svc: spec({ clusterIP: 'None', ipFamilies: ['IPv4', 'IPv6'] }),
      want: ['IPv4', 'IPv6'],
    },
  ])('$name', ({ svc, want }) => {
    expect([...serviceAddressTypes(svc)].sort()).toEqual([...want].sort());
  });
});

describe('reconciler: slices written for a Service', () => {
  const nodes = new Map([['node-1', node1]]);
  const run = (s: Service, pods: Pod[]) => slicesFor(s, pods, { rand: seededRandom(1), nodes, warnings: [] });

  test('TestReconcile1Pod shape: one slice, the Service port, the Pod as a ready endpoint', () => {
    const slices = run(svc, [newPod(1, true, false)]);
    expect(slices).toHaveLength(1);
    expect(slices[0]!.addressType).toBe('IPv4');
    expect(slices[0]!.ports).toEqual([{ name: 'foo', port: 80, protocol: 'TCP' }]);
    expect(slices[0]!.endpoints!.map((e) => e.addresses)).toEqual([['1.2.3.5']]);
    expect(slices[0]!.metadata.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'Service', name: 'foo', controller: true },
    ]);
  });

  test('TestReconcileManyPods: 250 Pods make slices of 100, 100 and 50', () => {
    const pods = Array.from({ length: 250 }, (_, i) =>
      newPod(i, true, false, (p) => {
        p.status!.podIP = `1.2.${i >> 8}.${i & 255}`;
        p.status!.podIPs = [{ ip: p.status!.podIP }];
      }),
    );
    expect(run(svc, pods).map((s) => s.endpoints!.length)).toEqual([100, 100, 50]);
  });

  test('a Service with no matching Pods gets the placeholder slice: no ports, no endpoints', () => {
    const slices = run(svc, []);
    expect(slices).toHaveLength(1);
    expect(slices[0]!.ports).toEqual([]);
    expect(slices[0]!.endpoints).toEqual([]);
    expect(slices[0]!.metadata.labels).toEqual({
      'kubernetes.io/service-name': 'foo',
      'endpointslice.kubernetes.io/managed-by': CONTROLLER_NAME,
    });
  });

  test('terminating Pods are kept with their conditions (ShouldPodBeInEndpoints(pod, true))', () => {
    const slices = run(svc, [newPod(1, true, true)]);
    expect(slices[0]!.endpoints!.map((e) => e.conditions)).toEqual([conditions(false, true, true)]);
  });

  test('a Pod on a Node that does not exist is skipped unless the Service publishes not-ready addresses', () => {
    const onGhost = newPod(1, true, false, (p) => {
      p.spec!.nodeName = 'ghost';
    });
    expect(run(svc, [onGhost])[0]!.endpoints).toEqual([]);
    expect(run(publishNotReady, [onGhost])[0]!.endpoints!.map((e) => e.addresses)).toEqual([['1.2.3.5']]);
  });

  test('succeeded and failed Pods and Pods without an address are not endpoints', () => {
    const done = newPod(1, true, false, (p) => {
      p.status!.phase = 'Succeeded';
    });
    const noIP = newPod(2, true, false, (p) => {
      p.status!.podIP = undefined;
      p.status!.podIPs = undefined;
    });
    expect(run(svc, [done, noIP])[0]!.endpoints).toEqual([]);
  });
});
