// CoreDNS's kubernetes plugin tests beyond handler_test.go and reverse_test.go (coredns/coredns at
// 4b26cced3, plugin/kubernetes): kubernetes_apex_test, handler_case_test, handler_pod_{insecure,
// verified,disabled}_test, handler_ignore_emptyservice_test, kubernetes_test (TestServices,
// TestServicesAuthority, TestEndpointHostname) and ns_test (TestNsAddrs), plus the options a user
// sets on `dns serve` (endpoint_pod_names, noendpoints, namespaces) and answers that follow from
// CoreDNS's code with no upstream test (rows marked "code:"). Tests that check Go values
// (msg.Service lists) are written as the DNS answers the handler builds from them. Every row runs
// on the pure zone and, with the real dig, through the server over UDP and TCP.
import { expect, test } from 'vitest';
import { DEFAULT_ZONE_OPTIONS } from '../../src/dns/zone.js';
import { commandUnavailableReason, describeWith } from '../support/env.js';
import { dig } from './dig.js';
import { header, parse, query, tcpExchange } from './raw.js';
import { runTable, type Profile as TableProfile, type Row as TableRow } from './table.js';

const SERIAL = 1499347823;
const soa = (zone: string) => `${zone}. 5 IN SOA ns.dns.${zone}. hostmaster.${zone}. ${SERIAL} 7200 1800 86400 5`;
const CL = soa('cluster.local');
const IW = soa('interwebs.test');
const T = 'testns.svc.cluster.local';
const TI = 'testns.svc.interwebs.test';

const base = { ...DEFAULT_ZONE_OPTIONS, serial: SERIAL };
const interwebs = { ...base, zones: ['interwebs.test'] };
/** Each profile: a fixture and the plugin options CoreDNS's test sets. */
const PROFILES = {
  handler: { fixture: 'coredns-handler', options: base },
  insecure: { fixture: 'coredns-handler', options: { ...base, pods: 'insecure' } },
  verified: { fixture: 'coredns-handler', options: { ...base, pods: 'verified' } },
  emptyService: { fixture: 'coredns-handler', options: { ...base, ignoreEmptyService: true } },
  services: { fixture: 'coredns-kubernetes', options: interwebs },
  selfV4: { fixture: 'coredns-kubernetes', options: { ...interwebs, nsAddresses: ['1.2.3.4'] } },
  selfV6: { fixture: 'coredns-kubernetes', options: { ...interwebs, nsAddresses: ['1:2::3:4'] } },
  selfDual: { fixture: 'coredns-kubernetes', options: { ...interwebs, nsAddresses: ['1.2.3.4', '1:2::3:4'] } },
  nsAddrs: {
    fixture: 'coredns-kubernetes',
    options: { ...base, zones: ['inter.webs.test'], nsAddresses: ['10.244.0.20'] },
  },
  podNames: { fixture: 'coredns-kubernetes', options: { ...interwebs, endpointPodNames: true } },
  noEndpoints: { fixture: 'coredns-kubernetes', options: { ...interwebs, noEndpoints: true } },
  namespaces: { fixture: 'coredns-kubernetes', options: { ...interwebs, namespaces: ['kube-system'] } },
  chains: { fixture: 'cname-chains', options: base },
  zonal: { fixture: 'coredns-zonal', options: { ...base, zonal: true, namespaces: ['testns'] } },
  zonalOff: { fixture: 'coredns-zonal', options: { ...base, namespaces: ['testns'] } },
} satisfies Record<string, TableProfile>;
type Profile = keyof typeof PROFILES;

type Row = TableRow<Profile>;

const NW = 'kube-system.svc.inter.webs.test';
const V4_REV = soa('in-addr.arpa');

const ROWS: Row[] = [
  // kubernetes_apex_test.go kubeApexCases
  { name: 'apex SOA', profile: 'handler', qname: 'cluster.local.', qtype: 'SOA', rcode: 'NOERROR', answer: [CL] },
  { name: 'apex HINFO', profile: 'handler', qname: 'cluster.local.', qtype: 'HINFO', rcode: 'NOERROR', ns: [CL] },
  {
    name: 'apex NS',
    profile: 'handler',
    qname: 'cluster.local.',
    qtype: 'NS',
    rcode: 'NOERROR',
    answer: ['cluster.local. 5 IN NS ns.dns.cluster.local.'],
    extra: ['ns.dns.cluster.local. 5 IN A 127.0.0.1'],
  },
  { name: 'apex A', profile: 'handler', qname: 'cluster.local.', qtype: 'A', rcode: 'NOERROR', ns: [CL] },
  { name: 'apex AAAA', profile: 'handler', qname: 'cluster.local.', qtype: 'AAAA', rcode: 'NOERROR', ns: [CL] },
  { name: 'apex SRV', profile: 'handler', qname: 'cluster.local.', qtype: 'SRV', rcode: 'NOERROR', ns: [CL] },

  // handler_case_test.go dnsPreserveCaseCases (with ignore empty_service, as the test sets it)
  {
    name: 'case: negative answer keeps the zone as asked',
    profile: 'emptyService',
    qname: 'not-a-service.testns.svc.ClUsTeR.lOcAl.',
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [soa('ClUsTeR.lOcAl')],
  },
  {
    name: 'case: A service',
    profile: 'emptyService',
    qname: 'SvC1.TeStNs.SvC.cLuStEr.LoCaL.',
    qtype: 'A',
    rcode: 'NOERROR',
    answer: ['SvC1.TeStNs.SvC.cLuStEr.LoCaL. 5 IN A 10.0.0.1'],
  },
  {
    name: 'case: SRV target in object case, zone as asked',
    profile: 'emptyService',
    qname: '_HtTp._TcP.sVc1.TeStNs.SvC.cLuStEr.LoCaL.',
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: ['_HtTp._TcP.sVc1.TeStNs.SvC.cLuStEr.LoCaL. 5 IN SRV 0 100 80 svc1.testns.svc.cLuStEr.LoCaL.'],
    extra: ['svc1.testns.svc.cLuStEr.LoCaL. 5 IN A 10.0.0.1'],
  },
  {
    name: 'case: apex SOA',
    profile: 'emptyService',
    qname: 'Cluster.local.',
    qtype: 'SOA',
    rcode: 'NOERROR',
    answer: [soa('Cluster.local')],
  },

  // handler_pod_insecure_test.go (upstream's SOA there reads minimum 30; its check ignores the SOA fields)
  {
    name: 'pods insecure: pod A',
    profile: 'insecure',
    qname: '10-240-0-1.podns.pod.cluster.local.',
    qtype: 'A',
    rcode: 'NOERROR',
    answer: ['10-240-0-1.podns.pod.cluster.local. 5 IN A 10.240.0.1'],
  },
  {
    name: 'pods insecure: any address, no pod needed',
    profile: 'insecure',
    qname: '172-0-0-2.podns.pod.cluster.local.',
    qtype: 'A',
    rcode: 'NOERROR',
    answer: ['172-0-0-2.podns.pod.cluster.local. 5 IN A 172.0.0.2'],
  },
  ...(['A', 'AAAA', 'HINFO'] as const).map(
    (qtype): Row => ({
      name: `pods insecure: label that is no address, ${qtype}`,
      profile: 'insecure',
      qname: 'blah.podns.pod.cluster.local.',
      qtype,
      rcode: 'NXDOMAIN',
      ns: [CL],
    }),
  ),
  {
    name: 'pods insecure: namespace missing',
    profile: 'insecure',
    qname: 'blah.pod-nons.pod.cluster.local.',
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [CL],
  },
  {
    name: 'pods insecure: namespace name under pod',
    profile: 'insecure',
    qname: 'podns.pod.cluster.local.',
    qtype: 'A',
    rcode: 'NOERROR',
    ns: [CL],
  },

  // handler_pod_verified_test.go
  {
    name: 'pods verified: pod A',
    profile: 'verified',
    qname: '10-240-0-1.podns.pod.cluster.local.',
    qtype: 'A',
    rcode: 'NOERROR',
    answer: ['10-240-0-1.podns.pod.cluster.local. 5 IN A 10.240.0.1'],
  },
  {
    name: 'pods verified: namespace under pod',
    profile: 'verified',
    qname: 'podns.pod.cluster.local.',
    qtype: 'A',
    rcode: 'NOERROR',
    ns: [CL],
  },
  {
    name: 'pods verified: namespace under svc',
    profile: 'verified',
    qname: 'svcns.svc.cluster.local.',
    qtype: 'A',
    rcode: 'NOERROR',
    ns: [CL],
  },
  {
    name: 'pods verified: missing namespace',
    profile: 'verified',
    qname: 'pod-nons.pod.cluster.local.',
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [CL],
  },
  {
    name: 'pods verified: no pod has the address',
    profile: 'verified',
    qname: '172-0-0-2.podns.pod.cluster.local.',
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [CL],
  },

  // handler_pod_disabled_test.go
  ...['10-240-0-1', '172-0-0-2'].map(
    (label): Row => ({
      name: `pods disabled: ${label}`,
      profile: 'handler',
      qname: `${label}.podns.pod.cluster.local.`,
      qtype: 'A',
      rcode: 'NXDOMAIN',
      ns: [CL],
    }),
  ),

  // handler_ignore_emptyservice_test.go
  {
    name: 'ignore empty_service: service without endpoints',
    profile: 'emptyService',
    qname: `svcempty.${T}.`,
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [CL],
  },
  {
    name: 'ignore empty_service: ExternalName is unaffected',
    profile: 'emptyService',
    qname: `external.${T}.`,
    qtype: 'CNAME',
    rcode: 'NOERROR',
    answer: [`external.${T}. 5 IN CNAME ext.interwebs.test.`],
  },
  {
    name: 'ignore empty_service: headless with endpoints is unaffected',
    profile: 'emptyService',
    qname: `hdlsprtls.${T}.`,
    qtype: 'A',
    rcode: 'NOERROR',
    answer: [`hdlsprtls.${T}. 5 IN A 172.0.0.20`],
  },

  // kubernetes_test.go TestServices (zone interwebs.test)
  {
    name: 'Services: ClusterIP A',
    profile: 'services',
    qname: `svc1.${TI}.`,
    qtype: 'A',
    rcode: 'NOERROR',
    answer: [`svc1.${TI}. 5 IN A 10.0.0.1`],
  },
  {
    name: 'Services: named port SRV',
    profile: 'services',
    qname: `_http._tcp.svc1.${TI}.`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: [`_http._tcp.svc1.${TI}. 5 IN SRV 0 100 80 svc1.${TI}.`],
    extra: [`svc1.${TI}. 5 IN A 10.0.0.1`],
  },
  {
    name: 'Services: endpoint of a ClusterIP service',
    profile: 'services',
    qname: `ep1a.svc1.${TI}.`,
    qtype: 'A',
    rcode: 'NOERROR',
    answer: [`ep1a.svc1.${TI}. 5 IN A 172.0.0.1`],
  },
  {
    name: 'Services: dual-stack named port SRV',
    profile: 'services',
    qname: `_http._tcp.svc-dual-stack.${TI}.`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: [`_http._tcp.svc-dual-stack.${TI}. 5 IN SRV 0 50 80 svc-dual-stack.${TI}.`],
    extra: [`svc-dual-stack.${TI}. 5 IN A 10.0.0.2`, `svc-dual-stack.${TI}. 5 IN AAAA 10::2`],
  },
  {
    name: 'Services: ExternalName CNAME',
    profile: 'services',
    qname: `external.${TI}.`,
    qtype: 'CNAME',
    rcode: 'NOERROR',
    answer: [`external.${TI}. 5 IN CNAME coredns.io.`],
  },
  {
    name: 'Services: headless address in two slices answers once',
    profile: 'services',
    qname: `hdls1.${TI}.`,
    qtype: 'A',
    rcode: 'NOERROR',
    answer: [`hdls1.${TI}. 5 IN A 172.0.0.2`],
  },

  // kubernetes_test.go TestServicesAuthority: ns.dns.<zone> answers the server's own addresses
  {
    name: 'Authority: ns.dns A, IPv4 server',
    profile: 'selfV4',
    qname: 'ns.dns.interwebs.test.',
    qtype: 'A',
    rcode: 'NOERROR',
    answer: ['ns.dns.interwebs.test. 5 IN A 1.2.3.4'],
  },
  {
    name: 'Authority: ns.dns AAAA, IPv4 server',
    profile: 'selfV4',
    qname: 'ns.dns.interwebs.test.',
    qtype: 'AAAA',
    rcode: 'NOERROR',
    ns: [IW],
  },
  {
    name: 'Authority: ns.dns A, IPv6 server',
    profile: 'selfV6',
    qname: 'ns.dns.interwebs.test.',
    qtype: 'A',
    rcode: 'NOERROR',
    ns: [IW],
  },
  {
    name: 'Authority: ns.dns AAAA, IPv6 server',
    profile: 'selfV6',
    qname: 'ns.dns.interwebs.test.',
    qtype: 'AAAA',
    rcode: 'NOERROR',
    answer: ['ns.dns.interwebs.test. 5 IN AAAA 1:2::3:4'],
  },
  {
    name: 'Authority: apex NS of a dual-stack server: one NS, glue for both addresses',
    profile: 'selfDual',
    qname: 'interwebs.test.',
    qtype: 'NS',
    rcode: 'NOERROR',
    answer: ['interwebs.test. 5 IN NS ns.dns.interwebs.test.'],
    extra: ['ns.dns.interwebs.test. 5 IN A 1.2.3.4', 'ns.dns.interwebs.test. 5 IN AAAA 1:2::3:4'],
  },
  {
    name: 'code: NS below the apex (ns.dns) is NODATA: the handler asks NS only at the apex',
    profile: 'selfDual',
    qname: 'ns.dns.interwebs.test.',
    qtype: 'NS',
    rcode: 'NOERROR',
    ns: [IW],
  },

  // ns_test.go TestNsAddrs: the server's address is an endpoint of three kube-system Services
  {
    name: 'NsAddrs: apex NS names the Services whose endpoint the server is',
    profile: 'nsAddrs',
    qname: 'inter.webs.test.',
    qtype: 'NS',
    rcode: 'NOERROR',
    answer: [
      `inter.webs.test. 5 IN NS dns-service.${NW}.`,
      `inter.webs.test. 5 IN NS 10-244-0-20.hdls-dns-service.${NW}.`,
      `inter.webs.test. 5 IN NS dns6-service.${NW}.`,
    ],
    extra: [
      `dns-service.${NW}. 5 IN A 10.0.0.111`,
      `10-244-0-20.hdls-dns-service.${NW}. 5 IN A 10.244.0.20`,
      `dns6-service.${NW}. 5 IN AAAA 10::111`,
    ],
  },
  {
    name: 'NsAddrs: ns.dns A lists the same addresses',
    profile: 'nsAddrs',
    qname: 'ns.dns.inter.webs.test.',
    qtype: 'A',
    rcode: 'NOERROR',
    answer: ['ns.dns.inter.webs.test. 5 IN A 10.0.0.111', 'ns.dns.inter.webs.test. 5 IN A 10.244.0.20'],
  },
  {
    name: 'NsAddrs: ns.dns AAAA',
    profile: 'nsAddrs',
    qname: 'ns.dns.inter.webs.test.',
    qtype: 'AAAA',
    rcode: 'NOERROR',
    answer: ['ns.dns.inter.webs.test. 5 IN AAAA 10::111'],
  },

  // kubernetes_test.go TestEndpointHostname, and the endpoint_pod_names option
  {
    name: 'endpoint names: hostname',
    profile: 'services',
    qname: `epname.named.${TI}.`,
    qtype: 'A',
    rcode: 'NOERROR',
    answer: [`epname.named.${TI}. 5 IN A 10.11.12.13`],
  },
  {
    name: 'endpoint names: dashed address without the option',
    profile: 'services',
    qname: `10-11-12-14.named.${TI}.`,
    qtype: 'A',
    rcode: 'NOERROR',
    answer: [`10-11-12-14.named.${TI}. 5 IN A 10.11.12.14`],
  },
  {
    name: 'endpoint names: pod name is no name without the option',
    profile: 'services',
    qname: `hello-fghij.named.${TI}.`,
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [IW],
  },
  {
    name: 'endpoint_pod_names: pod name',
    profile: 'podNames',
    qname: `hello-fghij.named.${TI}.`,
    qtype: 'A',
    rcode: 'NOERROR',
    answer: [`hello-fghij.named.${TI}. 5 IN A 10.11.12.14`],
  },
  {
    name: 'endpoint_pod_names: the dashed address is gone where a pod name exists',
    profile: 'podNames',
    qname: `10-11-12-14.named.${TI}.`,
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [IW],
  },
  {
    name: 'endpoint_pod_names: the hostname wins over the pod name',
    profile: 'podNames',
    qname: `hello-abcde.named.${TI}.`,
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [IW],
  },
  {
    name: 'endpoint_pod_names: no pod, dashed address',
    profile: 'podNames',
    qname: `10-11-12-15.named.${TI}.`,
    qtype: 'A',
    rcode: 'NOERROR',
    answer: [`10-11-12-15.named.${TI}. 5 IN A 10.11.12.15`],
  },
  {
    name: 'endpoint_pod_names: a pod name of 64 characters is no label, dashed address',
    profile: 'podNames',
    qname: `10-11-12-16.named.${TI}.`,
    qtype: 'A',
    rcode: 'NOERROR',
    answer: [`10-11-12-16.named.${TI}. 5 IN A 10.11.12.16`],
  },
  {
    name: 'endpoint_pod_names: SRV targets',
    profile: 'podNames',
    qname: `_http._tcp.named.${TI}.`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: ['epname', 'hello-fghij', '10-11-12-15', '10-11-12-16'].map(
      (h) => `_http._tcp.named.${TI}. 5 IN SRV 0 25 8080 ${h}.named.${TI}.`,
    ),
    extra: [
      `epname.named.${TI}. 5 IN A 10.11.12.13`,
      `hello-fghij.named.${TI}. 5 IN A 10.11.12.14`,
      `10-11-12-15.named.${TI}. 5 IN A 10.11.12.15`,
      `10-11-12-16.named.${TI}. 5 IN A 10.11.12.16`,
    ],
  },
  {
    name: 'endpoint_pod_names: PTR',
    profile: 'podNames',
    qname: '14.12.11.10.in-addr.arpa.',
    qtype: 'PTR',
    rcode: 'NOERROR',
    answer: [`14.12.11.10.in-addr.arpa. 5 IN PTR hello-fghij.named.${TI}.`],
  },

  // noendpoints (README): no endpoint records at all
  {
    name: 'noendpoints: ClusterIP A still answers',
    profile: 'noEndpoints',
    qname: `svc1.${TI}.`,
    qtype: 'A',
    rcode: 'NOERROR',
    answer: [`svc1.${TI}. 5 IN A 10.0.0.1`],
  },
  {
    name: 'noendpoints: endpoint name',
    profile: 'noEndpoints',
    qname: `ep1a.svc1.${TI}.`,
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [IW],
  },
  {
    name: 'noendpoints: headless service',
    profile: 'noEndpoints',
    qname: `hdls1.${TI}.`,
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [IW],
  },
  {
    name: 'noendpoints: endpoint address has no PTR',
    profile: 'noEndpoints',
    qname: '1.0.0.172.in-addr.arpa.',
    qtype: 'PTR',
    rcode: 'NXDOMAIN',
    ns: [V4_REV],
  },

  // namespaces (README): only the listed namespaces are exposed
  {
    name: 'namespaces: a service outside the list',
    profile: 'namespaces',
    qname: `svc1.${TI}.`,
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [IW],
  },
  {
    name: 'namespaces: a namespace outside the list',
    profile: 'namespaces',
    qname: `${TI}.`,
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [IW],
  },
  {
    name: 'namespaces: a service inside the list',
    profile: 'namespaces',
    qname: 'dns-service.kube-system.svc.interwebs.test.',
    qtype: 'A',
    rcode: 'NOERROR',
    answer: ['dns-service.kube-system.svc.interwebs.test. 5 IN A 10.0.0.111'],
  },
  {
    name: 'namespaces: no PTR for a cluster IP outside the list',
    profile: 'namespaces',
    qname: '1.0.0.10.in-addr.arpa.',
    qtype: 'PTR',
    rcode: 'NXDOMAIN',
    ns: [V4_REV],
  },

  // Answers that follow from CoreDNS's code (kubernetes.go Services/Records, backend_lookup.go,
  // handler.go), with no upstream test of their own.
  ...[
    ['the apex', 'cluster.local.'],
    ['svc', 'svc.cluster.local.'],
    ['a namespace', `${T}.`],
    ['ns.dns', 'ns.dns.cluster.local.'],
  ].map(
    ([what, qname]): Row => ({
      name: `code: TXT on ${what} is NXDOMAIN (TXT asks for records, and the name holds none)`,
      profile: 'handler',
      qname: qname!,
      qtype: 'TXT',
      rcode: 'NXDOMAIN',
      ns: [CL],
    }),
  ),
  {
    name: 'code: TXT on a reverse zone apex is NXDOMAIN',
    profile: 'handler',
    qname: 'in-addr.arpa.',
    qtype: 'TXT',
    rcode: 'NXDOMAIN',
    ns: [V4_REV],
  },
  ...[
    ['an endpoint name', `ep1a.svc1.${T}.`],
    ['a port name', `_http._tcp.svc1.${T}.`],
  ].map(
    ([what, qname]): Row => ({
      name: `code: TXT on ${what} is NODATA`,
      profile: 'handler',
      qname: qname!,
      qtype: 'TXT',
      rcode: 'NOERROR',
      ns: [CL],
    }),
  ),
  {
    name: 'code: TXT on a port name the service lacks is NXDOMAIN',
    profile: 'handler',
    qname: `_http._udp.svc1.${T}.`,
    qtype: 'TXT',
    rcode: 'NXDOMAIN',
    ns: [CL],
  },
  {
    name: 'code: TXT on a pod name is NODATA',
    profile: 'insecure',
    qname: '10-240-0-1.podns.pod.cluster.local.',
    qtype: 'TXT',
    rcode: 'NOERROR',
    ns: [CL],
  },
  {
    name: 'code: PTR on ns.dns is NXDOMAIN',
    profile: 'handler',
    qname: 'ns.dns.cluster.local.',
    qtype: 'PTR',
    rcode: 'NXDOMAIN',
    ns: [CL],
  },
  ...[
    ['the apex', 'cluster.local.'],
    ['a namespace', `${T}.`],
  ].map(
    ([what, qname]): Row => ({
      name: `code: PTR on ${what} is NODATA`,
      profile: 'handler',
      qname: qname!,
      qtype: 'PTR',
      rcode: 'NOERROR',
      ns: [CL],
    }),
  ),
  {
    name: 'code: SRV on an endpoint name of a ClusterIP service targets the endpoint',
    profile: 'handler',
    qname: `ep1a.svc1.${T}.`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: [`ep1a.svc1.${T}. 5 IN SRV 0 100 80 ep1a.svc1.${T}.`],
    extra: [`ep1a.svc1.${T}. 5 IN A 172.0.0.1`],
  },
  {
    name: 'code: SRV on a hostname two endpoints share',
    profile: 'handler',
    qname: `dup-name.hdls1.${T}.`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: [`dup-name.hdls1.${T}. 5 IN SRV 0 50 80 dup-name.hdls1.${T}.`],
    extra: [`dup-name.hdls1.${T}. 5 IN A 172.0.0.4`, `dup-name.hdls1.${T}. 5 IN A 172.0.0.5`],
  },
  {
    name: 'code: SRV on an endpoint name without ports is NODATA',
    profile: 'handler',
    qname: `172-0-0-20.hdlsprtls.${T}.`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    ns: [CL],
  },
  {
    name: 'code: a pod name under an endpoint-like label answers for the pod label',
    profile: 'insecure',
    qname: 'x.10-240-0-1.podns.pod.cluster.local.',
    qtype: 'A',
    rcode: 'NOERROR',
    answer: ['x.10-240-0-1.podns.pod.cluster.local. 5 IN A 10.240.0.1'],
  },
  {
    name: 'code: a pod name under _port._proto labels answers for the pod label',
    profile: 'insecure',
    qname: '_http._tcp.10-240-0-1.podns.pod.cluster.local.',
    qtype: 'A',
    rcode: 'NOERROR',
    answer: ['_http._tcp.10-240-0-1.podns.pod.cluster.local. 5 IN A 10.240.0.1'],
  },
  {
    name: 'code: ns.dns in a reverse zone answers the server address',
    profile: 'handler',
    qname: 'ns.dns.in-addr.arpa.',
    qtype: 'A',
    rcode: 'NOERROR',
    answer: ['ns.dns.in-addr.arpa. 5 IN A 127.0.0.1'],
  },

  // zonal_test.go zonalTestCases and zonalDisabledTestCases (the fixture writes one zone in upper
  // case: CoreDNS lower-cases zones when it reads the slice)
  ...(
    [
      ['us-west-2a.pin', 'A', ['172.0.0.1']],
      ['us-west-2b.pin', 'A', ['172.0.0.2', '172.0.0.3']],
      ['us-west-2a.prefer', 'A', ['172.0.0.1']],
      ['us-west-2c.prefer', 'A', ['172.0.0.1', '172.0.0.2', '172.0.0.3']],
    ] as const
  ).map(
    ([pin, qtype, ips]): Row => ({
      name: `zonal: ${pin} ${qtype}`,
      profile: 'zonal',
      qname: `${pin}._zone.hdls.${T}.`,
      qtype,
      rcode: 'NOERROR',
      answer: ips.map((ip) => `${pin}._zone.hdls.${T}. 5 IN A ${ip}`),
    }),
  ),
  ...(
    [
      ['us-west-2c.pin', 'A'],
      ['us-west-2c.pin', 'TXT'],
      ['us-west-2c.prefer', 'TXT'],
    ] as const
  ).map(
    ([pin, qtype]): Row => ({
      name: `zonal: ${pin} ${qtype} exists but is empty (NODATA)`,
      profile: 'zonal',
      qname: `${pin}._zone.hdls.${T}.`,
      qtype,
      rcode: 'NOERROR',
      ns: [CL],
    }),
  ),
  ...(
    [
      ['a nonexistent service', `us-west-2a.pin._zone.ghost.${T}.`],
      ['an unknown directive', `us-west-2a.florp._zone.hdls.${T}.`],
      ['a ClusterIP service', `us-west-2a.pin._zone.clstr.${T}.`],
    ] as const
  ).map(
    ([what, qname]): Row => ({
      name: `zonal: ${what} is NXDOMAIN`,
      profile: 'zonal',
      qname,
      qtype: 'A',
      rcode: 'NXDOMAIN',
      ns: [CL],
    }),
  ),
  {
    name: 'zonal: prefer SRV falls back to every endpoint',
    profile: 'zonal',
    qname: `us-west-2c.prefer._zone.hdls.${T}.`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: ['1', '2', '3'].map((n) => `us-west-2c.prefer._zone.hdls.${T}. 5 IN SRV 0 33 80 172-0-0-${n}.hdls.${T}.`),
    extra: ['1', '2', '3'].map((n) => `172-0-0-${n}.hdls.${T}. 5 IN A 172.0.0.${n}`),
  },
  {
    name: 'zonal: pin SRV is filtered to the zone',
    profile: 'zonal',
    qname: `us-west-2b.pin._zone.hdls.${T}.`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: ['2', '3'].map((n) => `us-west-2b.pin._zone.hdls.${T}. 5 IN SRV 0 50 80 172-0-0-${n}.hdls.${T}.`),
    extra: ['2', '3'].map((n) => `172-0-0-${n}.hdls.${T}. 5 IN A 172.0.0.${n}`),
  },
  {
    name: 'zonal off: the zonal shape is a name too long (NXDOMAIN)',
    profile: 'zonalOff',
    qname: `us-west-2a.pin._zone.hdls.${T}.`,
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [CL],
  },

  // Wildcard labels (`*`, `any`) were removed in CoreDNS 1.9.0 (#5019): they are plain labels now,
  // naming a namespace, service, endpoint or port nobody has.
  ...[
    ['*.svc.cluster.local.', 'A'],
    ['*.*.svc.cluster.local.', 'A'],
    [`*.${T}.`, 'A'],
    [`any.${T}.`, 'A'],
    [`*.svc1.${T}.`, 'A'],
    [`*.hdls1.${T}.`, 'A'],
    [`_*._tcp.svc1.${T}.`, 'SRV'],
    [`_http._*.svc1.${T}.`, 'SRV'],
    [`*.${T}.`, 'SRV'],
    ['*.podns.pod.cluster.local.', 'A'],
  ].map(
    ([qname, qtype]): Row => ({
      name: `wildcards are plain labels: ${qname} ${qtype} is NXDOMAIN`,
      profile: 'insecure',
      qname: qname!,
      qtype: qtype!,
      rcode: 'NXDOMAIN',
      ns: [CL],
    }),
  ),

  // backend_lookup.go A/AAAA CNAME rules (code), on ExternalName chains inside the zone
  ...[
    ['to its own name', 'self'],
    ['to a name below its own', 'below'],
    ['in a loop', 'loop-a'],
    ['more than 10 CNAMEs long', 'c0'],
  ].map(
    ([what, svc]): Row => ({
      name: `code: an ExternalName chain ${what} gives no records (NODATA)`,
      profile: 'chains',
      qname: `${svc}.default.svc.cluster.local.`,
      qtype: 'A',
      rcode: 'NOERROR',
      ns: [CL],
    }),
  ),
  {
    name: 'code: CNAME on an ExternalName to its own name is the CNAME (no loop check for CNAME)',
    profile: 'chains',
    qname: 'self.default.svc.cluster.local.',
    qtype: 'CNAME',
    rcode: 'NOERROR',
    answer: ['self.default.svc.cluster.local. 5 IN CNAME self.default.svc.cluster.local.'],
  },
  {
    name: 'code: a chain of 11 CNAMEs is followed to the end',
    profile: 'chains',
    qname: 'c1.default.svc.cluster.local.',
    qtype: 'A',
    rcode: 'NOERROR',
    answer: [
      ...Array.from(
        { length: 11 },
        (_, i) => `c${i + 1}.default.svc.cluster.local. 5 IN CNAME c${i + 2}.default.svc.cluster.local.`,
      ),
      'c12.default.svc.cluster.local. 5 IN A 10.96.12.12',
    ],
  },
  {
    name: 'code: a chain whose end has no record of the type is NODATA',
    profile: 'chains',
    qname: 'c11.default.svc.cluster.local.',
    qtype: 'AAAA',
    rcode: 'NOERROR',
    ns: [CL],
  },
];

const table = runTable(PROFILES, ROWS);

describeWith(commandUnavailableReason('dig', 'bind9-dnsutils'), 'KUBEPLANE_REQUIRE_KERNEL', 'zone transfers', () => {
  // handler.go: AXFR and IXFR straight to the kubernetes plugin are REFUSED (zone transfers need
  // the transfer plugin, which the Kubernetes add-on Corefile does not load); the server then
  // writes a bare REFUSED reply with the question (core/dnsserver errorFunc).
  test.each([
    { name: 'AXFR of the cluster zone', qname: 'cluster.local', type: 252 },
    { name: 'AXFR of a name below the zone', qname: 'svc1.testns.svc.cluster.local', type: 252 },
    { name: 'IXFR of the cluster zone', qname: 'cluster.local', type: 251 },
  ])('$name over TCP is REFUSED, not authoritative, question kept', async ({ qname, type }) => {
    const port = table.server('handler').address.port;
    const [reply] = await tcpExchange(port, [query(qname, type)], 1);
    expect(reply).toBeDefined();
    const h = header(reply!);
    expect({ rcode: h.rcode, aa: h.aa, qd: h.qd, an: h.an, ns: h.ns }).toEqual({
      rcode: 5,
      aa: false,
      qd: 1,
      an: 0,
      ns: 0,
    });
    expect(parse(reply!).questions[0]).toMatchObject({ name: qname, type });
  });

  test('dig AXFR reports the refusal', async () => {
    const port = table.server('handler').address.port;
    const r = await dig(port, 'cluster.local', 'AXFR');
    expect(r.raw).toMatch(/Transfer failed/);
  });
});
