// CoreDNS's Kubernetes integration tests (coredns/ci at baaf458, test/kubernetes: address_test,
// srv_test, ptr_test, endpoints_test, nsexposure_test, pods_test), which run a real CoreDNS in a
// real cluster, on that cluster (fixtures/dns/coredns-ci) with the options of each test's Corefile.
// Expected answers are upstream's; their TTLs (303, or 5) and SOA serials are not what those tests
// compare (test.SortAndCheck checks owners, types and data), so ours carry ttl 5 and a pinned serial.
// CoreDNS's own address (`localIPs`) is its pod, 10.244.0.10, an endpoint of kube-dns.

import { cidrReverseZones } from '../../src/dns/reverse.js';
import { DEFAULT_ZONE_OPTIONS } from '../../src/dns/zone.js';
import { runTable, type Profile as TableProfile, type Row as TableRow } from './table.js';

const SERIAL = 1502313310;
const soa = (zone: string) => `${zone}. 5 IN SOA ns.dns.${zone}. hostmaster.${zone}. ${SERIAL} 7200 1800 86400 5`;
const CL = soa('cluster.local');
const T1 = 'test-1.svc.cluster.local';
const T3 = 'test-3.svc.cluster.local';

const base = { ...DEFAULT_ZONE_OPTIONS, serial: SERIAL, nsAddresses: ['10.244.0.10'] };
/** `kubernetes cluster.local 10.in-addr.arpa { namespaces test-1 }` */
const test1 = { ...base, reverseZones: [...base.reverseZones, '10.in-addr.arpa'], namespaces: ['test-1'] };
/** `kubernetes cluster.local 10.96.0.0/24 172.17.0.0/24 1234:abcd::0/64 { namespaces test-1 }`, no fallthrough */
const ptrZones = [
  ...cidrReverseZones('IPv4', '10.96.0.0', 24),
  ...cidrReverseZones('IPv4', '172.17.0.0', 24),
  ...cidrReverseZones('IPv6', '1234:abcd::', 64),
];
const PROFILES = {
  a: { fixture: 'coredns-ci', options: test1 },
  ptr: {
    fixture: 'coredns-ci',
    options: { ...base, reverseZones: [...base.reverseZones, ...ptrZones], namespaces: ['test-1'], fallthrough: [] },
  },
  podNames: { fixture: 'coredns-ci', options: { ...test1, namespaces: ['test-3'], endpointPodNames: true } },
  allExposed: { fixture: 'coredns-ci', options: base },
  insecure: { fixture: 'coredns-ci', options: { ...base, namespaces: ['test-1'], pods: 'insecure' } },
  verified: { fixture: 'coredns-ci', options: { ...base, namespaces: ['test-1'], pods: 'verified' } },
} satisfies Record<string, TableProfile>;
type Row = TableRow<keyof typeof PROFILES>;

const ROWS: Row[] = [
  // address_test.go dnsTestCasesA
  {
    name: 'A: service',
    profile: 'a',
    qname: `svc-1-a.${T1}.`,
    qtype: 'A',
    rcode: 'NOERROR',
    answer: [`svc-1-a.${T1}. 5 IN A 10.96.0.100`],
  },
  {
    name: 'A: headless service lists its IPv4 endpoints',
    profile: 'a',
    qname: `headless-svc.${T1}.`,
    qtype: 'A',
    rcode: 'NOERROR',
    answer: [`headless-svc.${T1}. 5 IN A 172.17.0.254`, `headless-svc.${T1}. 5 IN A 172.17.0.255`],
  },
  {
    name: 'A: service that does not exist',
    profile: 'a',
    qname: `bogusservice.${T1}.`,
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [CL],
  },
  {
    name: 'A: endpoint that does not exist',
    profile: 'a',
    qname: `bogusendpoint.svc-1-a.${T1}.`,
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [CL],
  },
  {
    name: 'A: pods are disabled by default',
    profile: 'a',
    qname: '10-20-0-101.test-1.pod.cluster.local.',
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [CL],
  },
  {
    name: 'TXT: dns-version',
    profile: 'a',
    qname: 'dns-version.cluster.local.',
    qtype: 'TXT',
    rcode: 'NOERROR',
    answer: ['dns-version.cluster.local. 28800 IN TXT "1.1.0"'],
  },
  {
    name: 'AAAA: headless service lists its IPv6 endpoints',
    profile: 'a',
    qname: `headless-svc.${T1}.`,
    qtype: 'AAAA',
    rcode: 'NOERROR',
    answer: [`headless-svc.${T1}. 5 IN AAAA 1234:abcd::1`, `headless-svc.${T1}. 5 IN AAAA 1234:abcd::2`],
  },
  {
    name: 'A: headless service whose only endpoint is not ready',
    profile: 'a',
    qname: `svc-unready.${T1}.`,
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [CL],
  },
  {
    name: 'NS: the apex names kube-dns, the Service CoreDNS is an endpoint of',
    profile: 'a',
    qname: 'cluster.local.',
    qtype: 'NS',
    rcode: 'NOERROR',
    answer: ['cluster.local. 5 IN NS kube-dns.kube-system.svc.cluster.local.'],
    extra: ['kube-dns.kube-system.svc.cluster.local. 5 IN A 10.96.0.10'],
  },

  // srv_test.go
  {
    name: 'SRV: bare service name lists every port',
    profile: 'a',
    qname: `svc-1-a.${T1}.`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: [`svc-1-a.${T1}. 5 IN SRV 0 50 443 svc-1-a.${T1}.`, `svc-1-a.${T1}. 5 IN SRV 0 50 80 svc-1-a.${T1}.`],
    extra: [`svc-1-a.${T1}. 5 IN A 10.96.0.100`],
  },

  // code: two ports with one number (dns/UDP and dns-tcp/TCP 53) are two entries (weight 50) but
  // one SRV record, with one address record (backend_lookup.go SRV isDuplicate)
  {
    name: 'code: SRV of kube-dns, one port number on two protocols',
    profile: 'allExposed',
    qname: 'kube-dns.kube-system.svc.cluster.local.',
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: ['kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 50 53 kube-dns.kube-system.svc.cluster.local.'],
    extra: ['kube-dns.kube-system.svc.cluster.local. 5 IN A 10.96.0.10'],
  },
  {
    name: 'code: _dns-tcp._tcp SRV of kube-dns',
    profile: 'allExposed',
    qname: '_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local.',
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: [
      '_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 100 53 kube-dns.kube-system.svc.cluster.local.',
    ],
    extra: ['kube-dns.kube-system.svc.cluster.local. 5 IN A 10.96.0.10'],
  },
  {
    name: 'code: an endpoint of kube-dns by its dashed address, SRV per port',
    profile: 'allExposed',
    qname: '10-244-0-10.kube-dns.kube-system.svc.cluster.local.',
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: [
      '10-244-0-10.kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 50 53 10-244-0-10.kube-dns.kube-system.svc.cluster.local.',
    ],
    extra: ['10-244-0-10.kube-dns.kube-system.svc.cluster.local. 5 IN A 10.244.0.10'],
  },

  // ptr_test.go (reverse zones from CIDRs; no fallthrough, no forward)
  {
    name: 'PTR: cluster IP',
    profile: 'ptr',
    qname: '100.0.96.10.in-addr.arpa.',
    qtype: 'PTR',
    rcode: 'NOERROR',
    answer: [`100.0.96.10.in-addr.arpa. 5 IN PTR svc-1-a.${T1}.`],
  },
  {
    name: 'PTR: endpoint',
    profile: 'ptr',
    qname: '253.0.17.172.in-addr.arpa.',
    qtype: 'PTR',
    rcode: 'NOERROR',
    answer: [`253.0.17.172.in-addr.arpa. 5 IN PTR svc-1-a.svc-1-a.${T1}.`],
  },
  {
    name: 'PTR: IPv6 endpoint',
    profile: 'ptr',
    qname: '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.4.3.2.1.ip6.arpa.',
    qtype: 'PTR',
    rcode: 'NOERROR',
    answer: [
      `1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.4.3.2.1.ip6.arpa. 5 IN PTR headless-svc-3.headless-svc.${T1}.`,
    ],
  },
  {
    name: 'PTR: cluster IP of a service in a namespace not exposed',
    profile: 'ptr',
    qname: '120.0.96.10.in-addr.arpa.',
    qtype: 'PTR',
    rcode: 'NXDOMAIN',
    ns: [soa('0.96.10.in-addr.arpa')],
  },
  {
    name: 'PTR: endpoint in a namespace not exposed',
    profile: 'ptr',
    qname: '252.0.17.172.in-addr.arpa.',
    qtype: 'PTR',
    rcode: 'NXDOMAIN',
    ns: [soa('0.17.172.in-addr.arpa')],
  },
  {
    name: 'PTR: address nobody has',
    profile: 'ptr',
    qname: '200.0.17.172.in-addr.arpa.',
    qtype: 'PTR',
    rcode: 'NXDOMAIN',
    ns: [soa('0.17.172.in-addr.arpa')],
  },

  // endpoints_test.go TestKubernetesEndpointPodNames (upstream checks counts and a target pattern)
  {
    name: 'endpoint_pod_names: SRV targets the pod name',
    profile: 'podNames',
    qname: `headless-1.${T3}.`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: [`headless-1.${T3}. 5 IN SRV 0 100 80 test-name.headless-1.${T3}.`],
    extra: [`test-name.headless-1.${T3}. 5 IN A 172.17.0.166`],
  },
  {
    name: 'endpoint_pod_names: a pod name longer than 63 falls back to the dashed address',
    profile: 'podNames',
    qname: `headless-2.${T3}.`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: [`headless-2.${T3}. 5 IN SRV 0 100 80 172-17-0-167.headless-2.${T3}.`],
    extra: [`172-17-0-167.headless-2.${T3}. 5 IN A 172.17.0.167`],
  },

  // nsexposure_test.go: without `namespaces`, every namespace answers
  {
    name: 'every namespace exposed: test-1',
    profile: 'allExposed',
    qname: `svc-1-a.${T1}.`,
    qtype: 'A',
    rcode: 'NOERROR',
    answer: [`svc-1-a.${T1}. 5 IN A 10.96.0.100`],
  },
  {
    name: 'every namespace exposed: test-2',
    profile: 'allExposed',
    qname: 'svc-c.test-2.svc.cluster.local.',
    qtype: 'A',
    rcode: 'NOERROR',
    answer: ['svc-c.test-2.svc.cluster.local. 5 IN A 10.96.0.120'],
  },

  // pods_test.go
  {
    name: 'pods insecure: any address in an exposed namespace',
    profile: 'insecure',
    qname: '10-20-0-101.test-1.pod.cluster.local.',
    qtype: 'A',
    rcode: 'NOERROR',
    answer: ['10-20-0-101.test-1.pod.cluster.local. 5 IN A 10.20.0.101'],
  },
  {
    name: 'pods insecure: namespace that does not exist',
    profile: 'insecure',
    qname: '10-20-0-101.test-X.pod.cluster.local.',
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [soa('cluster.local')],
  },
  {
    name: 'pods verified: no pod has the address',
    profile: 'verified',
    qname: '10-20-0-101.test-1.pod.cluster.local.',
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [CL],
  },
  {
    name: 'pods verified: namespace that does not exist',
    profile: 'verified',
    qname: '10-20-0-101.test-X.pod.cluster.local.',
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [CL],
  },
];

runTable(PROFILES, ROWS);
