// EndpointSlices -> endpoints per service port, against kube-proxy's TestEndpointsMapFromESC and
// TestEndpointInfoByServicePort (pkg/proxy/endpointslicecache_test.go). The slices are built by the
// same generator rule as upstream's generateEndpointSliceWithOffset and fed through ProxyTracker, so
// a later slice with the same name replaces the earlier one, as in upstream's cache.
import { describe, expect, test } from 'vitest';
import type { EndpointSlice, Service } from '../../src/cluster/types.js';
import { resolveProxyConfig } from '../../src/proxy/config.js';
import { ProxyTracker } from '../../src/proxy/state.js';

/** generateEndpointSliceWithOffset: endpoint i (1..n) is 10.0.<offset>.<i> on hosts[i % len]. */
function slice(
  service: string,
  namespace: string,
  sliceNum: number,
  offset: number,
  numEndpoints: number,
  unreadyMod: number,
  terminatingMod: number,
  hosts: string[],
  ports: (number | undefined)[],
): EndpointSlice {
  const endpoints = [];
  for (let i = 1; i <= numEndpoints; i++) {
    const readyCondition = i % unreadyMod !== 0;
    const terminating = i % terminatingMod === 0;
    endpoints.push({
      addresses: [`10.0.${offset}.${i}`],
      conditions: { ready: readyCondition && !terminating, serving: readyCondition, terminating },
      ...(hosts.length > 0 ? { nodeName: hosts[i % hosts.length] } : {}),
    });
  }
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-${sliceNum}`, namespace, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints,
    ports: ports.map((port, i) => ({ name: `port-${i}`, protocol: 'TCP' as const, ...(port ? { port } : {}) })),
  };
}

const gen = (
  sliceNum: number,
  n: number,
  unready: number,
  term: number,
  hosts: string[],
  ports: (number | undefined)[],
) => slice('svc1', 'ns1', sliceNum, sliceNum, n, unready, term, hosts, ports);

function service(namespace: string, name: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: {
      clusterIP: '172.30.0.1',
      ports: [
        { name: 'port-0', port: 80, protocol: 'TCP' },
        { name: 'port-1', port: 443, protocol: 'TCP' },
      ],
    },
  };
}

/** "endpoint local? ready serving terminating" per port name of ns1/svc1. */
function endpointsOf(hostname: string, slices: EndpointSlice[]): Record<string, string[]> {
  const t = new ProxyTracker('IPv4', resolveProxyConfig([], { node: hostname }));
  for (const o of [service('ns1', 'svc1'), service('ns1', 'svc2'), service('ns2', 'svc1'), ...slices]) t.upsert(o);
  const { state } = t.sync();
  const out: Record<string, string[]> = {};
  for (const p of state.portsOfService('ns1/svc1')) {
    const eps = state.endpointsOf(p);
    if (eps.length === 0) continue;
    out[p.portName] = eps.map(
      (e) =>
        `${e.endpoint}${e.isLocal ? ' local' : ''}${e.ready ? ' ready' : ''}${e.serving ? ' serving' : ''}${e.terminating ? ' terminating' : ''}`,
    );
  }
  return out;
}

const rs = (ip: string, local = false) => `${ip}${local ? ' local' : ''} ready serving`;

describe('endpoints from EndpointSlices: upstream TestEndpointsMapFromESC rows', () => {
  test.each([
    {
      name: '1 slice, 2 hosts, ports 80,443',
      hostname: 'host1',
      slices: [gen(1, 3, 999, 999, ['host1', 'host2'], [80, 443])],
      want: {
        'port-0': [rs('10.0.1.1:80'), rs('10.0.1.2:80', true), rs('10.0.1.3:80')],
        'port-1': [rs('10.0.1.1:443'), rs('10.0.1.2:443', true), rs('10.0.1.3:443')],
      },
    },
    {
      name: '2 slices, same port',
      hostname: 'other-node',
      slices: [gen(1, 3, 999, 999, [], [80]), gen(2, 3, 999, 999, [], [80])],
      want: {
        'port-0': ['10.0.1.1:80', '10.0.1.2:80', '10.0.1.3:80', '10.0.2.1:80', '10.0.2.2:80', '10.0.2.3:80'].map((e) =>
          rs(e),
        ),
      },
    },
    {
      name: '2 overlapping slices, same port',
      hostname: 'other-node',
      slices: [gen(1, 3, 999, 999, [], [80]), gen(1, 4, 999, 999, [], [80])],
      want: { 'port-0': ['10.0.1.1:80', '10.0.1.2:80', '10.0.1.3:80', '10.0.1.4:80'].map((e) => rs(e)) },
    },
    {
      name: '2 slices, overlapping endpoints, some endpoints unready in 1 or both',
      hostname: 'other-node',
      slices: [gen(1, 10, 3, 999, [], [80]), gen(1, 10, 6, 999, [], [80])],
      want: {
        'port-0': [
          rs('10.0.1.10:80'),
          rs('10.0.1.1:80'),
          rs('10.0.1.2:80'),
          rs('10.0.1.3:80'),
          rs('10.0.1.4:80'),
          rs('10.0.1.5:80'),
          '10.0.1.6:80',
          rs('10.0.1.7:80'),
          rs('10.0.1.8:80'),
          rs('10.0.1.9:80'),
        ],
      },
    },
    {
      name: '2 slices, overlapping endpoints, some endpoints unready and some endpoints terminating',
      hostname: 'other-node',
      slices: [gen(1, 10, 3, 5, [], [80]), gen(1, 10, 6, 5, [], [80])],
      want: {
        'port-0': [
          '10.0.1.10:80 serving terminating',
          rs('10.0.1.1:80'),
          rs('10.0.1.2:80'),
          rs('10.0.1.3:80'),
          rs('10.0.1.4:80'),
          '10.0.1.5:80 serving terminating',
          '10.0.1.6:80',
          rs('10.0.1.7:80'),
          rs('10.0.1.8:80'),
          rs('10.0.1.9:80'),
        ],
      },
    },
    {
      name: '2 slices, overlapping endpoints, all unready',
      hostname: 'other-node',
      slices: [gen(1, 10, 1, 999, [], [80]), gen(1, 10, 1, 999, [], [80])],
      want: {
        'port-0': ['10', '1', '2', '3', '4', '5', '6', '7', '8', '9'].map((i) => `10.0.1.${i}:80`),
      },
    },
    {
      name: '3 slices with different services and namespaces',
      hostname: 'other-node',
      slices: [
        gen(1, 3, 999, 999, [], [80]),
        slice('svc2', 'ns1', 2, 2, 3, 999, 999, [], [80]),
        slice('svc1', 'ns2', 3, 3, 3, 999, 999, [], [80]),
      ],
      want: { 'port-0': ['10.0.1.1:80', '10.0.1.2:80', '10.0.1.3:80'].map((e) => rs(e)) },
    },
    {
      name: 'Nil port should not break anything',
      hostname: 'host1',
      slices: [gen(1, 3, 999, 999, ['host1', 'host2'], [undefined])],
      want: {},
    },
    {
      name: 'Different endpoints with duplicate IPs should not be filtered',
      hostname: 'host1',
      slices: [
        slice('svc1', 'ns1', 1, 1, 2, 999, 999, ['host1', 'host2'], [80]),
        slice('svc1', 'ns1', 2, 1, 2, 999, 999, ['host1', 'host2'], [8080]),
      ],
      want: {
        'port-0': [rs('10.0.1.1:80'), rs('10.0.1.1:8080'), rs('10.0.1.2:80', true), rs('10.0.1.2:8080', true)],
      },
    },
  ])('$name', ({ hostname, slices, want }) => {
    expect(endpointsOf(hostname, slices)).toEqual(want);
  });

  test('a duplicate address in one slice: the later one wins unless it is terminating (addEndpoints)', () => {
    const s = slice('svc1', 'ns1', 1, 1, 1, 999, 999, [], [80]);
    const first = s.endpoints![0]!;
    s.endpoints = [
      first,
      { ...first, conditions: { ready: false, serving: false, terminating: false } },
      { ...first, conditions: { ready: false, serving: true, terminating: true } },
    ];
    expect(endpointsOf('other-node', [s])).toEqual({ 'port-0': ['10.0.1.1:80'] });
  });

  test('a duplicate address in two slices: the non-terminating one wins, whichever slice sorts first', () => {
    for (const [liveNum, dyingNum] of [
      [1, 2],
      [2, 1],
    ] as const) {
      const live = slice('svc1', 'ns1', liveNum, 1, 1, 999, 999, [], [80]);
      const dying = slice('svc1', 'ns1', dyingNum, 1, 1, 999, 1, [], [80]);
      expect(endpointsOf('other-node', [live, dying])).toEqual({ 'port-0': [rs('10.0.1.1:80')] });
    }
  });
});
