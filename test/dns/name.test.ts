import { expect, test } from 'vitest';
import { parseName } from '../../src/dns/name.js';

const Z = { zones: ['cluster.local', 'corp.internal'], reverseZones: ['in-addr.arpa', 'ip6.arpa'] };

test.each([
  { name: 'apex', qname: 'cluster.local', want: { kind: 'apex', zone: 'cluster.local' } },
  { name: 'apex in the case asked', qname: 'Cluster.LOCAL', want: { kind: 'apex', zone: 'Cluster.LOCAL' } },
  {
    name: 'second zone',
    qname: 'web.default.svc.corp.internal',
    want: { kind: 'service', zone: 'corp.internal', namespace: 'default', service: 'web' },
  },
  {
    name: 'service',
    qname: 'web.default.svc.cluster.local',
    want: { kind: 'service', zone: 'cluster.local', namespace: 'default', service: 'web' },
  },
  {
    name: 'endpoint',
    qname: 'db-0.db.prod.svc.cluster.local',
    want: { kind: 'endpoint', zone: 'cluster.local', namespace: 'prod', service: 'db', endpoint: 'db-0' },
  },
  {
    name: 'port with underscores',
    qname: '_http._tcp.web.default.svc.cluster.local',
    want: { kind: 'port', zone: 'cluster.local', namespace: 'default', service: 'web', port: 'http', protocol: 'tcp' },
  },
  {
    name: 'port without underscores parses alike',
    qname: 'http.tcp.web.default.svc.cluster.local',
    want: { kind: 'port', zone: 'cluster.local', namespace: 'default', service: 'web', port: 'http', protocol: 'tcp' },
  },
  {
    name: 'three labels left of the service',
    qname: 'a.b.c.web.default.svc.cluster.local',
    want: { kind: 'invalid', zone: 'cluster.local' },
  },
  {
    name: 'namespace',
    qname: 'prod.svc.cluster.local',
    want: { kind: 'namespace', zone: 'cluster.local', namespace: 'prod', under: 'svc' },
  },
  { name: 'svc root', qname: 'svc.cluster.local', want: { kind: 'type-root', zone: 'cluster.local' } },
  {
    name: 'pod',
    qname: '10-244-1-7.default.pod.cluster.local',
    want: { kind: 'pod', zone: 'cluster.local', namespace: 'default', label: '10-244-1-7' },
  },
  {
    // CoreDNS parseRequest reads pod names with the service grammar; findPods uses the label left
    // of the namespace and ignores what stands before it.
    name: 'pod name under an endpoint-like label',
    qname: 'x.10-244-1-7.default.pod.cluster.local',
    want: { kind: 'pod', zone: 'cluster.local', namespace: 'default', label: '10-244-1-7' },
  },
  {
    name: 'pod name under _port._proto labels',
    qname: '_http._tcp.10-244-1-7.default.pod.cluster.local',
    want: { kind: 'pod', zone: 'cluster.local', namespace: 'default', label: '10-244-1-7' },
  },
  {
    name: 'pod name three labels deep is too long',
    qname: 'a.b.c.10-244-1-7.default.pod.cluster.local',
    want: { kind: 'invalid', zone: 'cluster.local' },
  },
  {
    name: 'last label neither svc nor pod',
    qname: 'foo.cluster.local',
    want: { kind: 'invalid', zone: 'cluster.local' },
  },
  { name: 'schema version', qname: 'dns-version.cluster.local', want: { kind: 'dns-version', zone: 'cluster.local' } },
  { name: 'the server name', qname: 'ns.dns.cluster.local', want: { kind: 'ns-self', zone: 'cluster.local' } },
  {
    name: 'the server name in a reverse zone (CoreDNS isDefaultNS)',
    qname: 'ns.dns.in-addr.arpa',
    want: { kind: 'ns-self', zone: 'in-addr.arpa' },
  },
  {
    name: 'reverse IPv4',
    qname: '100.0.96.10.in-addr.arpa',
    want: { kind: 'reverse', zone: 'in-addr.arpa', ip: '10.96.0.100' },
  },
  {
    name: 'partial reverse name',
    qname: '96.10.in-addr.arpa',
    want: { kind: 'reverse', zone: 'in-addr.arpa', ip: undefined },
  },
  {
    name: 'reverse with leading zero',
    qname: '100.0.96.010.in-addr.arpa',
    want: { kind: 'reverse', zone: 'in-addr.arpa', ip: undefined },
  },
  { name: 'outside', qname: 'example.com', want: { kind: 'outside' } },
  { name: 'zone name as a suffix of a longer label is outside', qname: 'notcluster.local', want: { kind: 'outside' } },
])('$name', ({ qname, want }) => {
  expect(parseName(qname, Z)).toEqual(want);
});

// CoreDNS parse_test.go TestParseRequest / TestParseInvalidRequest, zonal rows (zone inter.webs.tests).
const ZONAL = { zones: ['inter.webs.tests'], reverseZones: [], zonal: true };
const W = 'webs.mynamespace.svc.inter.webs.tests';
test.each([
  {
    name: 'pin',
    qname: `us-west-2a.pin._zone.${W}`,
    want: { zone: 'us-west-2a', prefer: false },
  },
  { name: 'prefer', qname: `us-west-2a.prefer._zone.${W}`, want: { zone: 'us-west-2a', prefer: true } },
  {
    name: 'a zone value with dots',
    qname: `corp.example.com.pin._zone.${W}`,
    want: { zone: 'corp.example.com', prefer: false },
  },
])('zonal: $name', ({ qname, want }) => {
  expect(parseName(qname, ZONAL)).toEqual({
    kind: 'service',
    zone: 'inter.webs.tests',
    namespace: 'mynamespace',
    service: 'webs',
    pin: want,
  });
});

test('zonal: two labels left of the service with an underscore still read as port and protocol', () => {
  expect(parseName(`us-west-2a._zone.${W}`, ZONAL)).toMatchObject({
    kind: 'port',
    port: 'us-west-2a',
    protocol: 'zone',
  });
});

test.each([
  { name: 'zonal shape without the option', qname: `us-west-2a.pin._zone.${W}`, zonal: false },
  { name: 'zonal shape under pod', qname: 'us-west-2a.pin._zone.webs.mynamespace.pod.inter.webs.tests', zonal: true },
  { name: 'unknown directive', qname: `us-west-2a.florp._zone.${W}`, zonal: true },
])('zonal invalid: $name', ({ qname, zonal }) => {
  expect(parseName(qname, { ...ZONAL, zonal }).kind).toBe('invalid');
});
