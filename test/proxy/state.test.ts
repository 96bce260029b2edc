// The proxy state built from real manifests through the loader: merging slices, deduplication,
// endpoint choice per service in the demo cluster, and change tracking.
import { describe, expect, test } from 'vitest';
import { loadManifests, loadTexts } from '../../src/cluster/load.js';
import type { ClusterObject, EndpointSlice } from '../../src/cluster/types.js';
import { resolveProxyConfig } from '../../src/proxy/config.js';
import { buildProxyState, ProxyTracker } from '../../src/proxy/state.js';
import { fixture } from '../support/cli.js';

async function yaml(text: string): Promise<ClusterObject[]> {
  return (await loadTexts([{ file: 'test.yaml', bytes: text }])).objects;
}

const demo = await loadManifests([fixture('demo')]);
const demoConfig = resolveProxyConfig(demo.objects);
const v4 = buildProxyState(demo.objects, 'IPv4', demoConfig);

function reach(name: string, protocol = 'TCP'): string[] {
  const port = v4.ports.find((p) => p.name === name && p.protocol === protocol);
  if (!port) throw new Error(`no port ${name}`);
  return v4.categorized(port).reachable.map((e) => e.endpoint);
}

describe('demo cluster, node-a', () => {
  test('config comes from the KubeProxyConfiguration and node-a', () => {
    expect(demoConfig.nodeName).toBe('node-a');
    expect(demoConfig.nodeIPs).toEqual({ IPv4: ['192.168.49.2'], IPv6: ['fd00:192:168:49::2'] });
    expect(demoConfig.clusterCIDRs).toEqual({ IPv4: ['10.244.0.0/16'], IPv6: ['fd00:10:244::/56'] });
    expect(demoConfig.zone).toBe('zone-a');
  });

  test('headless and ExternalName services have no service ports', () => {
    expect(v4.ports.some((p) => p.service === 'shop/redis' || p.service === 'shop/db')).toBe(false);
  });

  test('service ports are sorted by name then protocol', () => {
    const keys = v4.ports.map((p) => p.key);
    expect(keys.slice(0, 4)).toEqual([
      'default/kubernetes:https/TCP',
      'kube-system/kube-dns:dns/UDP',
      'kube-system/kube-dns:dns-tcp/TCP',
      'kube-system/kube-dns:metrics/TCP',
    ]);
    const pairs = v4.ports.map((p) => [p.name, p.protocol] as const);
    const sorted = [...pairs].sort((a, b) => (a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] < b[1] ? -1 : 1));
    expect(pairs).toEqual(sorted);
  });

  test.each([
    { name: 'shop/api:http', want: ['10.244.0.20:8080', '10.244.1.20:8080'] },
    { name: 'shop/cart:http', want: ['10.244.0.30:8080', '10.244.1.30:8080', '10.244.2.30:8080'] },
    { name: 'shop/search:http', want: ['10.244.0.40:9200', '10.244.1.40:9200', '10.244.2.40:9200'] },
    { name: 'shop/checkout:http', want: ['10.244.0.90:8080'] },
    { name: 'shop/reviews:http', want: [] },
    { name: 'shop/node-cache:http', want: [] },
    { name: 'shop/catalog:http', want: ['10.244.0.100:8080', '10.244.2.100:8080'] },
    { name: 'shop/legacy', want: ['10.244.1.110:8080', '10.244.2.110:8080'] },
    { name: 'shop/frontend:http', want: ['10.244.0.10:8080', '10.244.1.10:8080'] },
  ])('$name reaches $want', ({ name, want }) => {
    expect(reach(name)).toEqual(want);
  });

  test('UDP and TCP ports of one service are separate service ports', () => {
    expect(reach('kube-system/kube-dns:dns', 'UDP')).toEqual(['10.244.0.3:53', '10.244.1.3:53']);
    expect(reach('kube-system/kube-dns:dns-tcp')).toEqual(['10.244.0.3:53', '10.244.1.3:53']);
  });

  test('frontend (ETP Local, LoadBalancer) has its local endpoint, a health-check port and trimmed ranges', () => {
    const p = v4.ports.find((x) => x.name === 'shop/frontend:http')!;
    expect(v4.categorized(p).local.map((e) => e.endpoint)).toEqual(['10.244.0.10:8080']);
    expect(p.healthCheckNodePort).toBe(32000);
    expect(p.loadBalancerVIPs).toEqual(['203.0.113.10']);
    expect(p.loadBalancerSourceRanges).toEqual(['198.51.100.0/24', '203.0.113.0/25']);
    expect(p.externalPolicyLocal).toBe(true);
  });

  test('node-cache (ITP Local) has endpoints elsewhere, so hasAny but nothing reachable here', () => {
    const p = v4.ports.find((x) => x.name === 'shop/node-cache:http')!;
    expect(v4.categorized(p).hasAny).toBe(true);
  });

  test('the IPv6 state holds only the dual-stack service', () => {
    const v6 = buildProxyState(demo.objects, 'IPv6', demoConfig);
    expect(v6.ports.map((p) => `${p.name} ${p.clusterIP}`)).toEqual(['shop/orders:http fd00:10:96::50']);
    expect(v6.categorized(v6.ports[0]!).reachable.map((e) => e.endpoint)).toEqual([
      '[fd00:10:244:2::60]:8080',
      '[fd00:10:244::60]:8080',
    ]);
  });
});

const BASE = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: app}
spec:
  clusterIP: 172.30.0.10
  ports: [{name: http, port: 80}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: app, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
endpoints:
- addresses: [10.180.0.10]
- addresses: [10.180.0.2, 10.180.0.99]
  conditions: {ready: false, serving: true, terminating: true}
ports: [{name: http, port: 8080}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-2, namespace: app, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
endpoints:
- addresses: [10.180.0.2]
- addresses: [10.180.0.3]
ports: [{name: http, port: 8080}, {name: other, port: 9090}]
`;

describe('endpoints from several slices', () => {
  test('merge, keep addresses[0] only, prefer non-terminating duplicates, sort as strings', async () => {
    const objects = await yaml(BASE);
    const state = buildProxyState(objects, 'IPv4', resolveProxyConfig(objects, { node: 'n1' }));
    const eps = state.endpointsOf(state.ports[0]!);
    expect(eps.map((e) => `${e.endpoint} ${e.ready ? 'ready' : 'notready'}`)).toEqual([
      '10.180.0.10:8080 ready',
      '10.180.0.2:8080 ready',
      '10.180.0.3:8080 ready',
    ]);
  });

  test('a slice port that matches no service port is ignored', async () => {
    const objects = await yaml(BASE);
    const state = buildProxyState(objects, 'IPv4', resolveProxyConfig(objects, { node: 'n1' }));
    expect(state.ports).toHaveLength(1);
    expect(state.endpointCount).toBe(3);
  });

  test('services labelled service.kubernetes.io/service-proxy-name are not proxied', async () => {
    const objects = await yaml(
      BASE.replace(
        'metadata: {name: web, namespace: app}',
        'metadata: {name: web, namespace: app, labels: {service.kubernetes.io/service-proxy-name: other}}',
      ),
    );
    const state = buildProxyState(objects, 'IPv4', resolveProxyConfig(objects, { node: 'n1' }));
    expect(state.ports).toHaveLength(0);
  });

  // kube-proxy's informers use one selector for both kinds:
  // !service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless
  test.each([
    {
      name: 'a Service labelled service.kubernetes.io/headless is not proxied',
      from: 'metadata: {name: web, namespace: app}',
      to: "metadata: {name: web, namespace: app, labels: {service.kubernetes.io/headless: ''}}",
      ports: 0,
      endpoints: 0,
    },
    {
      name: 'a slice labelled service.kubernetes.io/service-proxy-name is ignored',
      from: 'metadata: {name: web-2, namespace: app, labels: {kubernetes.io/service-name: web}}',
      to: 'metadata: {name: web-2, namespace: app, labels: {kubernetes.io/service-name: web, service.kubernetes.io/service-proxy-name: x}}',
      ports: 1,
      endpoints: 2,
    },
    {
      name: 'a slice labelled service.kubernetes.io/headless is ignored',
      from: 'metadata: {name: web-2, namespace: app, labels: {kubernetes.io/service-name: web}}',
      to: "metadata: {name: web-2, namespace: app, labels: {kubernetes.io/service-name: web, service.kubernetes.io/headless: ''}}",
      ports: 1,
      endpoints: 2,
    },
  ])('$name', async ({ from, to, ports, endpoints }) => {
    const objects = await yaml(BASE.replace(from, to));
    const state = buildProxyState(objects, 'IPv4', resolveProxyConfig(objects, { node: 'n1' }));
    expect(state.ports).toHaveLength(ports);
    expect(state.endpointCount).toBe(endpoints);
  });
});

describe('ProxyTracker change sets', () => {
  async function tracker() {
    const objects = await yaml(BASE);
    const t = new ProxyTracker('IPv4', resolveProxyConfig(objects, { node: 'n1' }));
    for (const o of objects) t.upsert(o);
    return { t, objects, first: t.sync() };
  }

  test('the first sync is full and names every service', async () => {
    const { first } = await tracker();
    expect(first.changes.full).toBe(true);
    expect([...first.changes.services]).toEqual(['app/web']);
  });

  test('re-applying identical objects is a no-op', async () => {
    const { t, objects } = await tracker();
    for (const o of objects) t.upsert(structuredClone(o));
    const r = t.sync();
    expect(r.changes.full).toBe(false);
    expect(r.changes.services.size).toBe(0);
  });

  test('an endpoint change names its service; deleting a slice does too', async () => {
    const { t, objects } = await tracker();
    const slice = structuredClone(objects[2]!) as Extract<ClusterObject, { kind: 'EndpointSlice' }>;
    slice.endpoints![1]!.conditions = { ready: false };
    t.upsert(slice);
    let r = t.sync();
    expect([...r.changes.services]).toEqual(['app/web']);
    expect(r.state.categorized(r.state.ports[0]!).reachable.map((e) => e.ip)).toEqual(['10.180.0.10', '10.180.0.2']);
    t.delete(slice);
    r = t.sync();
    expect([...r.changes.services]).toEqual(['app/web']);
    expect(r.state.endpointCount).toBe(2);
  });

  // Upstream's TestEsDataChanged: a slice counts as changed when it differs in any field, and its
  // Service is then reported (and rewritten by a partial sync) even if its endpoints are the same.
  test.each([
    {
      name: 'endpoints reordered',
      edit: (s: EndpointSlice) => {
        s.endpoints!.reverse();
      },
      named: ['app/web'],
    },
    {
      name: 'ports reordered',
      edit: (s: EndpointSlice) => {
        s.ports = [{ name: 'other', port: 9090 }, ...(s.ports ?? [])];
      },
      named: ['app/web'],
    },
    {
      name: 'a label added',
      edit: (s: EndpointSlice) => {
        s.metadata.labels = { ...s.metadata.labels, extra: 'x' };
      },
      named: ['app/web'],
    },
    { name: 'nothing changed', edit: () => {}, named: [] },
  ])('slice edit with the same endpoints ($name) is reported like upstream', async ({ edit, named }) => {
    const { t, objects } = await tracker();
    const slice = structuredClone(objects[1]!) as EndpointSlice;
    edit(slice);
    t.upsert(slice);
    const r = t.sync();
    expect([...r.changes.services]).toEqual(named);
    expect(r.state.endpointCount).toBe(3);
  });

  test("a slice of the other family is not reported by this family's tracker", async () => {
    const { t } = await tracker();
    t.upsert({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-v6', namespace: 'app', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv6',
      endpoints: [{ addresses: ['fd00::1'] }],
      ports: [{ name: 'http', port: 8080 }],
    });
    expect(t.sync().changes.services.size).toBe(0);
  });

  test('deleting a service names it and removes its ports', async () => {
    const { t, objects } = await tracker();
    t.delete(objects[0]!);
    const r = t.sync();
    expect([...r.changes.services]).toEqual(['app/web']);
    expect(r.state.ports).toHaveLength(0);
    expect(r.state.endpointCount).toBe(0);
  });

  test('a zone-label change on our node forces a full sync', async () => {
    const { t } = await tracker();
    t.upsert({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'z9' } },
    });
    expect(t.sync().changes.full).toBe(true);
  });
});

// pkg/proxy/servicechangetracker_test.go: TestServiceMapUpdateHeadless, TestUpdateServiceTypeExternalName,
// TestBuildServiceMapAddRemove and TestBuildServiceMapServiceUpdate, through ProxyTracker.
describe('ProxyTracker against upstream service change tracker tests', () => {
  type Port = { name: string; protocol: 'TCP' | 'UDP'; port: number; nodePort?: number };
  const port = (name: string, protocol: 'TCP' | 'UDP', p: number, nodePort = 0): Port => ({
    name,
    protocol,
    port: p,
    ...(nodePort ? { nodePort } : {}),
  });
  function svc(ns: string, name: string, spec: Record<string, unknown>, ingress?: string): ClusterObject {
    return {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: ns },
      spec,
      ...(ingress ? { status: { loadBalancer: { ingress: [{ ip: ingress }] } } } : {}),
    } as ClusterObject;
  }
  const tracker = () => new ProxyTracker('IPv4', resolveProxyConfig([], { node: 'test-hostname' }));
  const hcPorts = (t: ProxyTracker) => {
    const { state } = t.sync();
    return {
      state,
      hc: new Set(state.ports.filter((p) => p.healthCheckNodePort).map((p) => `${p.service}=${p.healthCheckNodePort}`)),
    };
  };

  test('headless services and ExternalName services are ignored', () => {
    const t = tracker();
    t.upsert(svc('ns2', 'headless', { type: 'ClusterIP', clusterIP: 'None', ports: [port('rpc', 'UDP', 1234)] }));
    t.upsert(svc('ns2', 'headless-without-port', { type: 'ClusterIP', clusterIP: 'None' }));
    t.upsert(
      svc('ns2', 'external-name', {
        type: 'ExternalName',
        clusterIP: '172.16.55.4',
        externalName: 'foo2.bar.com',
        ports: [port('blah', 'UDP', 1235, 5321)],
      }),
    );
    const r = t.sync();
    expect(r.state.ports).toHaveLength(0);
    expect(r.changes.services.size).toBe(0);
  });

  test('TestBuildServiceMapAddRemove', () => {
    const t = tracker();
    const services = [
      svc('ns2', 'cluster-ip', {
        type: 'ClusterIP',
        clusterIP: '172.16.55.4',
        ports: [port('port1', 'UDP', 1234, 4321), port('port2', 'UDP', 1235, 5321)],
      }),
      svc('ns2', 'node-port', {
        type: 'NodePort',
        clusterIP: '172.16.55.10',
        ports: [port('port1', 'UDP', 345, 678), port('port2', 'TCP', 344, 677)],
      }),
      svc(
        'ns1',
        'load-balancer',
        {
          type: 'LoadBalancer',
          clusterIP: '172.16.55.11',
          loadBalancerIP: '5.6.7.8',
          ports: [port('foobar', 'UDP', 8675, 30061), port('baz', 'UDP', 8676, 30062)],
        },
        '10.1.2.4',
      ),
      svc(
        'ns1',
        'only-local-load-balancer',
        {
          type: 'LoadBalancer',
          clusterIP: '172.16.55.12',
          loadBalancerIP: '5.6.7.8',
          ports: [port('foobar2', 'UDP', 8677, 30063), port('baz', 'UDP', 8678, 30064)],
          externalTrafficPolicy: 'Local',
          healthCheckNodePort: 345,
        },
        '10.1.2.3',
      ),
    ];
    for (const s of services) t.upsert(s);
    let r = t.sync();
    expect(r.state.ports).toHaveLength(8);
    expect([...r.changes.services].sort()).toEqual([
      'ns1/load-balancer',
      'ns1/only-local-load-balancer',
      'ns2/cluster-ip',
      'ns2/node-port',
    ]);
    expect(
      r.state.ports.filter((p) => p.healthCheckNodePort).map((p) => `${p.service}=${p.healthCheckNodePort}`),
    ).toEqual(['ns1/only-local-load-balancer=345', 'ns1/only-local-load-balancer=345']);

    t.upsert(
      svc('ns2', 'cluster-ip', { type: 'ClusterIP', clusterIP: '172.16.55.4', ports: [port('p2', 'UDP', 1235, 5321)] }),
    );
    for (const s of services.slice(1)) t.delete(s);
    r = t.sync();
    expect(r.state.ports.map((p) => p.name)).toEqual(['ns2/cluster-ip:p2']);
    expect(r.changes.services.size).toBe(4);
    expect(r.state.ports.some((p) => p.healthCheckNodePort)).toBe(false);
  });

  test('TestBuildServiceMapServiceUpdate', () => {
    const t = tracker();
    const v1 = svc('ns1', 'svc1', {
      type: 'ClusterIP',
      clusterIP: '172.16.55.4',
      ports: [port('p1', 'UDP', 1234, 4321), port('p2', 'TCP', 1235, 5321)],
    });
    const v2 = svc(
      'ns1',
      'svc1',
      {
        type: 'LoadBalancer',
        clusterIP: '172.16.55.4',
        loadBalancerIP: '5.6.7.8',
        ports: [port('p1', 'UDP', 1234, 4321), port('p2', 'TCP', 1235, 5321)],
        externalTrafficPolicy: 'Local',
        healthCheckNodePort: 345,
      },
      '10.1.2.3',
    );
    t.upsert(v1);
    let { state, hc } = hcPorts(t);
    expect(state.ports).toHaveLength(2);
    expect(hc.size).toBe(0);
    t.upsert(v2);
    let r = t.sync();
    expect(r.changes.services.size).toBe(1);
    expect(new Set(r.state.ports.map((p) => p.healthCheckNodePort))).toEqual(new Set([345]));
    // No change: nothing reported.
    t.upsert(structuredClone(v2));
    r = t.sync();
    expect(r.changes.services.size).toBe(0);
    // And back to ClusterIP: the health check goes.
    t.upsert(v1);
    ({ state, hc } = hcPorts(t));
    expect(hc.size).toBe(0);
    expect(state.ports).toHaveLength(2);
  });
});
