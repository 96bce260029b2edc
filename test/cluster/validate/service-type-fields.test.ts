// The type-dependent Service rules, on what the API server *accepts* (the rejections are files in
// fixtures/bad/, checked by bad-fixtures.test.ts). Validation upstream runs after defaulting and
// allocation, so fields those fill in are optional here.
import { describe, expect, test } from 'vitest';
import { loadTexts } from '../../../src/cluster/load.js';

function service(spec: string, status = ''): string {
  return `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
${spec}
${status}`;
}

async function load(text: string) {
  return loadTexts([{ file: 't.yaml', bytes: text }]);
}

describe('Service fields the API server accepts', () => {
  test.each([
    {
      name: 'externalTrafficPolicy Local on a ClusterIP Service with external IPs',
      text: service(`  clusterIP: 10.96.0.20
  externalIPs: [192.0.2.7]
  externalTrafficPolicy: Local
  ports: [{name: http, port: 80}]`),
    },
    {
      name: 'LoadBalancer with externalTrafficPolicy Local and no healthCheckNodePort (allocated)',
      text: service(`  type: LoadBalancer
  clusterIP: 10.96.0.20
  externalTrafficPolicy: Local
  loadBalancerSourceRanges: [' 203.0.113.0/24']
  allocateLoadBalancerNodePorts: false
  ports: [{name: http, port: 80}]`),
    },
    {
      name: 'LB ingress with an ip and no ipMode (defaulted to VIP), and a hostname-only entry',
      text: service(
        `  type: LoadBalancer
  clusterIP: 10.96.0.20
  ports: [{name: http, port: 80, nodePort: 30080}]`,
        `status:
  loadBalancer:
    ingress: [{ip: 192.0.2.10}, {hostname: lb.example.com}]`,
      ),
    },
    {
      name: 'the same port number on TCP and UDP',
      text: service(`  type: NodePort
  clusterIP: 10.96.0.20
  ports:
  - {name: dns, port: 53, protocol: UDP, nodePort: 30053}
  - {name: dns-tcp, port: 53, protocol: TCP, nodePort: 30053}`),
    },
    {
      name: 'ExternalName without a cluster IP',
      text: service(`  type: ExternalName
  externalName: db.example.com`),
    },
    {
      name: 'ExternalName ports with a nodePort (only ClusterIP forbids it)',
      text: service(`  type: ExternalName
  externalName: db.example.com
  ports: [{name: sql, port: 5432, nodePort: 30432}]`),
    },
    {
      name: 'ClientIP affinity with its config, and every trafficDistribution value',
      text: service(`  clusterIP: 10.96.0.20
  sessionAffinity: ClientIP
  sessionAffinityConfig: {clientIP: {timeoutSeconds: 86400}}
  trafficDistribution: PreferSameNode
  ports: [{name: http, port: 80}]`),
    },
  ])('$name', async ({ text }) => {
    const loaded = await load(text);
    expect(loaded.objects).toHaveLength(1);
    expect(loaded.warnings).toEqual([]);
  });

  test('healthCheckNodePort without LoadBalancer+Local loads with a warning (upstream proxier tests build such Services)', async () => {
    const loaded = await load(
      service(`  type: NodePort
  clusterIP: 10.96.0.20
  healthCheckNodePort: 30000
  ports: [{name: http, port: 80}]`),
    );
    expect(loaded.objects).toHaveLength(1);
    expect(loaded.warnings.map((w) => w.at.field)).toEqual(['spec.healthCheckNodePort']);
  });
});

// The API server refuses these (ValidateEndpointIP); kube-proxy programs them, so they load with a warning.
describe('endpoint addresses the API server refuses (ValidateEndpointIP) are warnings', () => {
  test.each([
    { name: 'unspecified IPv4', type: 'IPv4', ip: '0.0.0.0', bad: true },
    { name: 'link-local multicast IPv4', type: 'IPv4', ip: '224.0.0.5', bad: true },
    { name: 'ordinary multicast IPv4 is allowed', type: 'IPv4', ip: '224.0.1.5', bad: false },
    { name: 'loopback IPv6', type: 'IPv6', ip: '::1', bad: true },
    { name: 'link-local IPv6', type: 'IPv6', ip: 'febf::1', bad: true },
    { name: 'link-local multicast IPv6 with flags', type: 'IPv6', ip: 'ff12::1', bad: true },
    { name: 'site multicast IPv6 is allowed', type: 'IPv6', ip: 'ff05::1', bad: false },
    { name: 'unique-local IPv6 is allowed', type: 'IPv6', ip: 'fd00:10:244::5', bad: false },
  ])('$name: $ip', async ({ type, ip, bad }) => {
    const text = `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: ${type}
endpoints: [{addresses: ['${ip}']}]
ports: [{name: http, port: 80}]`;
    const r = await load(text);
    expect(r.objects).toHaveLength(1);
    expect(r.warnings.some((w) => w.at.field === 'endpoints[0].addresses[0]')).toBe(bad);
  });
});
