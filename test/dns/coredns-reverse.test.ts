// CoreDNS's own PTR expectations (coredns/coredns at 4b26cced3, plugin/kubernetes/reverse_test.go
// TestReverse), with its zones (cluster.local plus four reverse sub-zones), on the same cluster
// (fixtures/dns/coredns-reverse). Expected answers are upstream's; the SOA serial is pinned.
import { expect, test } from 'vitest';
import { loadManifests } from '../../src/cluster/load.js';
import { ZoneIndex } from '../../src/dns/index.js';
import { rrText } from '../../src/dns/text.js';
import { parseType, rcodeName } from '../../src/dns/types.js';
import { DEFAULT_ZONE_OPTIONS, lookup } from '../../src/dns/zone.js';
import { fixture } from '../support/cli.js';

const V6A = '0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.4.3.2.1.ip6.arpa';
const V6B = '0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.0.0.7.7.0.0.0.0.d.f.ip6.arpa';
const OPTIONS = {
  ...DEFAULT_ZONE_OPTIONS,
  reverseZones: ['0.10.in-addr.arpa', '168.192.in-addr.arpa', V6A, V6B],
  serial: 1502989566,
};
const soa = (zone: string) => `${zone}. 5 IN SOA ns.dns.${zone}. hostmaster.${zone}. 1502989566 7200 1800 86400 5`;
const S = 'testns.svc.cluster.local';

test.each([
  {
    name: 'endpoint IP',
    qname: '100.0.0.10.in-addr.arpa',
    qtype: 'PTR',
    rcode: 'NOERROR',
    answer: [`100.0.0.10.in-addr.arpa. 5 IN PTR ep1a.svc1.${S}.`],
  },
  {
    name: 'cluster IP',
    qname: '100.1.168.192.in-addr.arpa',
    qtype: 'PTR',
    rcode: 'NOERROR',
    answer: [`100.1.168.192.in-addr.arpa. 5 IN PTR svc1.${S}.`],
  },
  {
    name: 'IPv6 endpoint',
    qname: '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.4.3.2.1.ip6.arpa',
    qtype: 'PTR',
    rcode: 'NOERROR',
    answer: [`1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.4.3.2.1.ip6.arpa. 5 IN PTR ep1b.svc1.${S}.`],
  },
  {
    name: 'IPv6 endpoint in another zone',
    qname: 'a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.0.0.7.7.0.0.0.0.d.f.ip6.arpa',
    qtype: 'PTR',
    rcode: 'NOERROR',
    answer: [`a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.0.0.7.7.0.0.0.0.d.f.ip6.arpa. 5 IN PTR ip6svc1ex.svc1.${S}.`],
  },
  {
    name: 'IPv6 endpoint with a longer address',
    qname: '6.a.b.9.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.0.0.7.7.0.0.0.0.d.f.ip6.arpa',
    qtype: 'PTR',
    rcode: 'NOERROR',
    answer: [`6.a.b.9.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.0.0.7.7.0.0.0.0.d.f.ip6.arpa. 5 IN PTR ip6svc1in.svc1.${S}.`],
  },
  {
    name: 'unknown IP',
    qname: '101.0.0.10.in-addr.arpa',
    qtype: 'PTR',
    rcode: 'NXDOMAIN',
    ns: [soa('0.10.in-addr.arpa')],
  },
  {
    name: 'PTR on a name that does not exist',
    qname: 'example.org.cluster.local',
    qtype: 'PTR',
    rcode: 'NXDOMAIN',
    ns: [soa('cluster.local')],
  },
  {
    name: 'PTR on a service name is NODATA',
    qname: `svc1.${S}`,
    qtype: 'PTR',
    rcode: 'NOERROR',
    ns: [soa('cluster.local')],
  },
  {
    name: 'A on a name in a reverse zone',
    qname: 'svc1.testns.svc.0.10.in-addr.arpa',
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [soa('0.10.in-addr.arpa')],
  },
  {
    name: 'reverse-looking name in the cluster zone',
    qname: '100.0.0.10.cluster.local',
    qtype: 'PTR',
    rcode: 'NXDOMAIN',
    ns: [soa('cluster.local')],
  },
  {
    name: 'endpoint IP shared by two services',
    qname: '99.0.0.10.in-addr.arpa',
    qtype: 'PTR',
    rcode: 'NOERROR',
    answer: [
      `99.0.0.10.in-addr.arpa. 5 IN PTR double-ep.svc1.${S}.`,
      `99.0.0.10.in-addr.arpa. 5 IN PTR double-ep.svc2.${S}.`,
    ],
  },
] as { name: string; qname: string; qtype: string; rcode: string; answer?: string[]; ns?: string[] }[])(
  '$name',
  async (c) => {
    const index = new ZoneIndex((await loadManifests([fixture('dns', 'coredns-reverse')])).objects);
    const a = lookup(index, { name: c.qname, type: parseType(c.qtype)!, class: 1 }, OPTIONS);
    expect({
      rcode: rcodeName(a.rcode),
      answer: a.answer.map(rrText).sort(),
      ns: a.authority.map(rrText).sort(),
    }).toEqual({
      rcode: c.rcode,
      answer: [...(c.answer ?? [])].sort(),
      ns: [...(c.ns ?? [])].sort(),
    });
  },
);
