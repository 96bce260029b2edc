// servicePortsOf against kube-proxy's TestServiceToServiceMap (pkg/proxy/servicechangetracker_test.go):
// which Services and ports become service ports, per IP family, and the fields that test compares
// (cluster IP, port, protocol, health-check node port, external IPs, source ranges, LB VIPs).
// Services are plain objects here, not loaded, as upstream's test builds them.
import { describe, expect, test } from 'vitest';
import type { IPFamily, Service } from '../../src/cluster/types.js';
import { clusterIPForFamily, servicePortsOf } from '../../src/proxy/service-port.js';

type Spec = Service['spec'];
type Ingress = NonNullable<NonNullable<NonNullable<Service['status']>['loadBalancer']>['ingress']>;

function svc(ns: string, name: string, spec: Spec, ingress?: Ingress): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, annotations: {} },
    spec,
    ...(ingress ? { status: { loadBalancer: { ingress } } } : {}),
  };
}

const port = (name: string, protocol: 'TCP' | 'UDP' | 'SCTP', p: number, nodePort = 0) => ({
  name,
  protocol,
  port: p,
  nodePort,
});

interface Expected {
  key: string;
  clusterIP: string;
  port: number;
  protocol: string;
  healthCheckNodePort?: number;
  externalIPs?: string[];
  sourceRanges?: string[];
  vips?: string[];
}

const v4 = { cluster: '10.0.0.1', external: '8.8.8.8', range: '0.0.0.0/1' };
const v6 = {
  cluster: '2001:db8:85a3:0:0:8a2e:370:7334',
  external: '2001:db8:85a3:0:0:8a2e:370:7335',
  range: '2001:db8::/32',
};
const bothIngress: Ingress = [{ ip: v4.external }, { ip: v6.external }];

const lb = (ingress: Ingress, extra: Partial<Spec> = {}) =>
  svc(
    'ns1',
    'load-balancer',
    {
      type: 'LoadBalancer',
      clusterIP: '172.16.55.11',
      loadBalancerIP: '5.6.7.8',
      ports: [port('port3', 'UDP', 8675, 30061), port('port4', 'UDP', 8676, 30062)],
      ...extra,
    },
    ingress,
  );
const lbPorts = (vips: string[]): Expected[] => [
  { key: 'ns1/load-balancer:port3/UDP', clusterIP: '172.16.55.11', port: 8675, protocol: 'UDP', vips },
  { key: 'ns1/load-balancer:port4/UDP', clusterIP: '172.16.55.11', port: 8676, protocol: 'UDP', vips },
];

const rows: { name: string; family: IPFamily; service: Service; expected: Expected[] }[] = [
  {
    name: 'headless service',
    family: 'IPv4',
    service: svc('ns2', 'headless', { type: 'ClusterIP', clusterIP: 'None', ports: [port('rpc', 'UDP', 1234)] }),
    expected: [],
  },
  {
    name: 'headless sctp service',
    family: 'IPv4',
    service: svc('ns2', 'headless', { type: 'ClusterIP', clusterIP: 'None', ports: [port('sip', 'SCTP', 7777)] }),
    expected: [],
  },
  {
    name: 'headless service without port',
    family: 'IPv4',
    service: svc('ns2', 'headless-without-port', { type: 'ClusterIP', clusterIP: 'None' }),
    expected: [],
  },
  {
    name: 'cluster ip service',
    family: 'IPv4',
    service: svc('ns2', 'cluster-ip', {
      type: 'ClusterIP',
      clusterIP: '172.16.55.4',
      ports: [port('p1', 'UDP', 1234, 4321), port('p2', 'UDP', 1235, 5321)],
    }),
    expected: [
      { key: 'ns2/cluster-ip:p1/UDP', clusterIP: '172.16.55.4', port: 1234, protocol: 'UDP' },
      { key: 'ns2/cluster-ip:p2/UDP', clusterIP: '172.16.55.4', port: 1235, protocol: 'UDP' },
    ],
  },
  {
    name: 'nodeport service',
    family: 'IPv4',
    service: svc('ns2', 'node-port', {
      type: 'NodePort',
      clusterIP: '172.16.55.10',
      ports: [port('port1', 'UDP', 345, 678), port('port2', 'TCP', 344, 677)],
    }),
    expected: [
      { key: 'ns2/node-port:port1/UDP', clusterIP: '172.16.55.10', port: 345, protocol: 'UDP' },
      { key: 'ns2/node-port:port2/TCP', clusterIP: '172.16.55.10', port: 344, protocol: 'TCP' },
    ],
  },
  {
    name: 'load balancer service',
    family: 'IPv4',
    service: lb([{ ip: '10.1.2.4' }]),
    expected: lbPorts(['10.1.2.4']),
  },
  {
    name: 'load balancer service ipMode VIP',
    family: 'IPv4',
    service: lb([{ ip: '10.1.2.4', ipMode: 'VIP' }]),
    expected: lbPorts(['10.1.2.4']),
  },
  {
    // LoadBalancerIPMode is GA: the "feature gate enabled" row applies.
    name: 'load balancer service ipMode Proxy',
    family: 'IPv4',
    service: lb([{ ip: '10.1.2.4', ipMode: 'Proxy' }]),
    expected: lbPorts([]),
  },
  {
    name: 'load balancer service with only local traffic policy',
    family: 'IPv4',
    service: svc(
      'ns1',
      'only-local-load-balancer',
      {
        type: 'LoadBalancer',
        clusterIP: '172.16.55.12',
        loadBalancerIP: '5.6.7.8',
        ports: [port('portx', 'UDP', 8677, 30063), port('porty', 'UDP', 8678, 30064)],
        externalTrafficPolicy: 'Local',
        healthCheckNodePort: 345,
      },
      [{ ip: '10.1.2.3' }],
    ),
    expected: [
      {
        key: 'ns1/only-local-load-balancer:portx/UDP',
        clusterIP: '172.16.55.12',
        port: 8677,
        protocol: 'UDP',
        healthCheckNodePort: 345,
        vips: ['10.1.2.3'],
      },
      {
        key: 'ns1/only-local-load-balancer:porty/UDP',
        clusterIP: '172.16.55.12',
        port: 8678,
        protocol: 'UDP',
        healthCheckNodePort: 345,
        vips: ['10.1.2.3'],
      },
    ],
  },
  {
    name: 'external name service',
    family: 'IPv4',
    service: svc('ns2', 'external-name', {
      type: 'ExternalName',
      clusterIP: '172.16.55.4',
      externalName: 'foo2.bar.com',
      ports: [port('portz', 'UDP', 1235, 5321)],
    }),
    expected: [],
  },
  {
    name: 'service with ipv6 clusterIP under ipv4 mode, service should be filtered',
    family: 'IPv4',
    service: svc(
      'test',
      'invalidIPv6InIPV4Mode',
      { clusterIP: v6.cluster, ports: [port('testPort', 'TCP', 12345)] },
      bothIngress,
    ),
    expected: [],
  },
  {
    name: 'service with ipv4 clusterIP under ipv6 mode, service should be filtered',
    family: 'IPv6',
    service: svc(
      'test',
      'invalidIPv4InIPV6Mode',
      { clusterIP: v4.cluster, ports: [port('testPort', 'TCP', 12345)] },
      bothIngress,
    ),
    expected: [],
  },
  // The next four rows carry LB ingress on a Service with no type, as upstream's do: kube-proxy
  // reads the ingress whatever the type (the API server forbids it on non-LoadBalancer Services
  // since 1.29, and our loader rejects it; see test/cluster/validate).
  {
    name: 'service with ipv4 configurations under ipv4 mode',
    family: 'IPv4',
    service: svc(
      'test',
      'validIPv4',
      {
        clusterIP: v4.cluster,
        externalIPs: [v4.external],
        loadBalancerSourceRanges: [v4.range],
        ports: [port('testPort', 'TCP', 12345)],
      },
      bothIngress,
    ),
    expected: [
      {
        key: 'test/validIPv4:testPort/TCP',
        clusterIP: v4.cluster,
        port: 12345,
        protocol: 'TCP',
        externalIPs: [v4.external],
        sourceRanges: [v4.range],
        vips: [v4.external],
      },
    ],
  },
  {
    name: 'service with ipv6 configurations under ipv6 mode',
    family: 'IPv6',
    service: svc(
      'test',
      'validIPv6',
      {
        clusterIP: v6.cluster,
        externalIPs: [v6.external],
        loadBalancerSourceRanges: [v6.range],
        ports: [port('testPort', 'TCP', 12345)],
      },
      bothIngress,
    ),
    expected: [
      {
        key: 'test/validIPv6:testPort/TCP',
        clusterIP: '2001:db8:85a3::8a2e:370:7334',
        port: 12345,
        protocol: 'TCP',
        externalIPs: ['2001:db8:85a3::8a2e:370:7335'],
        sourceRanges: [v6.range],
        vips: ['2001:db8:85a3::8a2e:370:7335'],
      },
    ],
  },
  {
    name: 'service with both ipv4 and ipv6 configurations under ipv4 mode, ipv6 fields should be filtered',
    family: 'IPv4',
    service: svc(
      'test',
      'filterIPv6InIPV4Mode',
      {
        clusterIP: v4.cluster,
        externalIPs: [v4.external, v6.external],
        loadBalancerSourceRanges: [v4.range, v6.range],
        ports: [port('testPort', 'TCP', 12345)],
      },
      bothIngress,
    ),
    expected: [
      {
        key: 'test/filterIPv6InIPV4Mode:testPort/TCP',
        clusterIP: v4.cluster,
        port: 12345,
        protocol: 'TCP',
        externalIPs: [v4.external],
        sourceRanges: [v4.range],
        vips: [v4.external],
      },
    ],
  },
  {
    name: 'service with both ipv4 and ipv6 configurations under ipv6 mode, ipv4 fields should be filtered',
    family: 'IPv6',
    service: svc(
      'test',
      'filterIPv4InIPV6Mode',
      {
        clusterIP: v6.cluster,
        externalIPs: [v4.external, v6.external],
        loadBalancerSourceRanges: [v4.range, v6.range],
        ports: [port('testPort', 'TCP', 12345)],
      },
      bothIngress,
    ),
    expected: [
      {
        key: 'test/filterIPv4InIPV6Mode:testPort/TCP',
        clusterIP: '2001:db8:85a3::8a2e:370:7334',
        port: 12345,
        protocol: 'TCP',
        externalIPs: ['2001:db8:85a3::8a2e:370:7335'],
        sourceRanges: [v6.range],
        vips: ['2001:db8:85a3::8a2e:370:7335'],
      },
    ],
  },
  {
    name: 'service with extra space in LoadBalancerSourceRanges',
    family: 'IPv4',
    service: svc('test', 'extra-space', {
      clusterIP: v4.cluster,
      loadBalancerSourceRanges: [' 10.1.2.0/28'],
      ports: [port('testPort', 'TCP', 12345)],
    }),
    expected: [
      {
        key: 'test/extra-space:testPort/TCP',
        clusterIP: v4.cluster,
        port: 12345,
        protocol: 'TCP',
        sourceRanges: ['10.1.2.0/28'],
      },
    ],
  },
];

describe('servicePortsOf: upstream TestServiceToServiceMap rows', () => {
  test.each(rows)('$name', ({ service, family, expected }) => {
    const got = servicePortsOf(service, family).map((p) => ({
      key: p.key,
      clusterIP: p.clusterIP,
      port: p.port,
      protocol: p.protocol,
      healthCheckNodePort: p.healthCheckNodePort,
      externalIPs: p.externalIPs,
      sourceRanges: p.loadBalancerSourceRanges,
      vips: p.loadBalancerVIPs,
    }));
    expect(got).toEqual(
      expected.map((e) => ({
        healthCheckNodePort: 0,
        externalIPs: [],
        sourceRanges: [],
        vips: [],
        ...e,
      })),
    );
  });
});

describe('servicePortsOf: fields upstream derives in newBaseServiceInfo', () => {
  test.each([
    {
      name: 'healthCheckNodePort only for LoadBalancer with externalTrafficPolicy Local',
      spec: { type: 'NodePort', externalTrafficPolicy: 'Local', healthCheckNodePort: 345 } as Partial<Spec>,
      hc: 0,
      externalLocal: true,
    },
    {
      name: 'externalTrafficPolicy Local is ignored on a ClusterIP Service without external IPs',
      spec: { externalTrafficPolicy: 'Local' } as Partial<Spec>,
      hc: 0,
      externalLocal: false,
    },
    {
      name: 'externalTrafficPolicy Local counts on a ClusterIP Service with external IPs',
      spec: { externalTrafficPolicy: 'Local', externalIPs: ['192.168.99.1'] } as Partial<Spec>,
      hc: 0,
      externalLocal: true,
    },
  ])('$name', ({ spec, hc, externalLocal }) => {
    const [p] = servicePortsOf(
      svc('ns', 's', { clusterIP: '10.0.0.1', ports: [port('p', 'TCP', 80, 30080)], ...spec }),
      'IPv4',
    );
    expect(p?.healthCheckNodePort).toBe(hc);
    expect(p?.externalPolicyLocal).toBe(externalLocal);
  });

  test('ClientIP affinity without a timeout uses the API default, 10800 s', () => {
    const [p] = servicePortsOf(
      svc('ns', 's', { clusterIP: '10.0.0.1', sessionAffinity: 'ClientIP', ports: [port('p', 'TCP', 80)] }),
      'IPv4',
    );
    expect(p?.stickyMaxAgeSeconds).toBe(10800);
  });
});

// pkg/proxy/util TestGetClusterIPByFamily, every row.
describe('clusterIPForFamily: upstream TestGetClusterIPByFamily rows', () => {
  const old = (ip: string): Spec => ({ clusterIP: ip });
  const stack = (ips: string[], fams: IPFamily[]): Spec => ({ clusterIPs: ips, ipFamilies: fams });
  test.each([
    { name: 'old style service ipv4. want ipv4', spec: old('10.0.0.10'), family: 'IPv4', want: '10.0.0.10' },
    { name: 'old style service ipv4. want ipv6', spec: old('10.0.0.10'), family: 'IPv6', want: undefined },
    { name: 'old style service ipv6. want ipv6', spec: old('2000::1'), family: 'IPv6', want: '2000::1' },
    { name: 'old style service ipv6. want ipv4', spec: old('2000::1'), family: 'IPv4', want: undefined },
    {
      name: 'service single stack ipv4. want ipv4',
      spec: stack(['10.0.0.10'], ['IPv4']),
      family: 'IPv4',
      want: '10.0.0.10',
    },
    {
      name: 'service single stack ipv4. want ipv6',
      spec: stack(['10.0.0.10'], ['IPv4']),
      family: 'IPv6',
      want: undefined,
    },
    {
      name: 'service single stack ipv6. want ipv6',
      spec: stack(['2000::1'], ['IPv6']),
      family: 'IPv6',
      want: '2000::1',
    },
    {
      name: 'service single stack ipv6. want ipv4',
      spec: stack(['2000::1'], ['IPv6']),
      family: 'IPv4',
      want: undefined,
    },
    {
      name: 'service dual stack ipv4,6. want ipv4',
      spec: stack(['10.0.0.10', '2000::1'], ['IPv4', 'IPv6']),
      family: 'IPv4',
      want: '10.0.0.10',
    },
    {
      name: 'service dual stack ipv4,6. want ipv6',
      spec: stack(['10.0.0.10', '2000::1'], ['IPv4', 'IPv6']),
      family: 'IPv6',
      want: '2000::1',
    },
    {
      name: 'service dual stack ipv6,4. want ipv6',
      spec: stack(['2000::1', '10.0.0.10'], ['IPv6', 'IPv4']),
      family: 'IPv6',
      want: '2000::1',
    },
    {
      name: 'service dual stack ipv6,4. want ipv4',
      spec: stack(['2000::1', '10.0.0.10'], ['IPv6', 'IPv4']),
      family: 'IPv4',
      want: '10.0.0.10',
    },
    { name: 'ClusterIP None', spec: old('None'), family: 'IPv4', want: undefined },
  ] as { name: string; spec: Spec; family: IPFamily; want: string | undefined }[])(
    '$name',
    ({ spec, family, want }) => {
      expect(clusterIPForFamily(svc('ns', 's', spec), family)).toBe(want);
    },
  );
});
