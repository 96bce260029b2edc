// CoreDNS's own expectations for its kubernetes plugin (coredns/coredns at 4b26cced3,
// plugin/kubernetes/handler_test.go commonDnsTestCases + dnsTestCases), run against our zone on
// the same cluster (fixtures/dns/coredns-handler). Expected answers are upstream's, unchanged but
// for whitespace; the case with a stubbed upstream (truncated lookup) is covered in service.test.ts.
// Each case runs on the pure zone and, with the real dig, through the server over UDP and TCP.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadManifests } from '../../src/cluster/load.js';
import { MemoryClusterStore } from '../../src/cluster/memory-store.js';
import { ZoneIndex } from '../../src/dns/index.js';
import { type RunningDns, startDnsService } from '../../src/dns/service.js';
import { rrText } from '../../src/dns/text.js';
import { parseType, rcodeName } from '../../src/dns/types.js';
import { DEFAULT_ZONE_OPTIONS, lookup } from '../../src/dns/zone.js';
import { fixture } from '../support/cli.js';
import { commandUnavailableReason, describeWith } from '../support/env.js';
import { dig } from './dig.js';

const SOA = 'cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1499347823 7200 1800 86400 5';
const OPTIONS = { ...DEFAULT_ZONE_OPTIONS, serial: 1499347823 };
const T = 'testns.svc.cluster.local';

interface UpstreamCase {
  name: string;
  qname: string;
  qtype: string;
  rcode: 'NOERROR' | 'NXDOMAIN';
  answer?: string[];
  ns?: string[];
  extra?: string[];
}

const CASES: UpstreamCase[] = [
  { name: 'A Service', qname: `svc1.${T}.`, qtype: 'A', rcode: 'NOERROR', answer: [`svc1.${T}. 5 IN A 10.0.0.1`] },
  {
    name: 'A Service without endpoints',
    qname: `svcempty.${T}.`,
    qtype: 'A',
    rcode: 'NOERROR',
    answer: [`svcempty.${T}. 5 IN A 10.0.0.1`],
  },
  {
    name: 'SRV Service',
    qname: `svc1.${T}.`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: [`svc1.${T}. 5 IN SRV 0 100 80 svc1.${T}.`],
    extra: [`svc1.${T}. 5 IN A 10.0.0.1`],
  },
  {
    name: 'SRV Service without endpoints',
    qname: `svcempty.${T}.`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: [`svcempty.${T}. 5 IN SRV 0 100 80 svcempty.${T}.`],
    extra: [`svcempty.${T}. 5 IN A 10.0.0.1`],
  },
  {
    name: 'SRV IPv6 Service',
    qname: `svc6.${T}.`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: [`svc6.${T}. 5 IN SRV 0 100 80 svc6.${T}.`],
    extra: [`svc6.${T}. 5 IN AAAA 1234:abcd::1`],
  },
  {
    name: 'SRV named port',
    qname: `_http._tcp.svc1.${T}.`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: [`_http._tcp.svc1.${T}. 5 IN SRV 0 100 80 svc1.${T}.`],
    extra: [`svc1.${T}. 5 IN A 10.0.0.1`],
  },
  {
    name: 'SRV named port without endpoints',
    qname: `_http._tcp.svcempty.${T}.`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: [`_http._tcp.svcempty.${T}. 5 IN SRV 0 100 80 svcempty.${T}.`],
    extra: [`svcempty.${T}. 5 IN A 10.0.0.1`],
  },
  {
    name: 'A headless',
    qname: `hdls1.${T}.`,
    qtype: 'A',
    rcode: 'NOERROR',
    answer: ['2', '3', '4', '5'].map((n) => `hdls1.${T}. 5 IN A 172.0.0.${n}`),
  },
  {
    name: 'A headless and portless',
    qname: `hdlsprtls.${T}.`,
    qtype: 'A',
    rcode: 'NOERROR',
    answer: [`hdlsprtls.${T}. 5 IN A 172.0.0.20`],
  },
  { name: 'AAAA on an IPv4 Service is NODATA', qname: `svc1.${T}.`, qtype: 'AAAA', rcode: 'NOERROR', ns: [SOA] },
  { name: 'AAAA non-existing service', qname: `svc0.${T}.`, qtype: 'AAAA', rcode: 'NXDOMAIN', ns: [SOA] },
  { name: 'A non-existing service', qname: `svc0.${T}.`, qtype: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  {
    name: 'A non-existing namespace',
    qname: 'svc0.svc-nons.svc.cluster.local.',
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [SOA],
  },
  {
    name: 'headless endpoint that does not exist',
    qname: `bogusendpoint.hdls1.${T}.`,
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [SOA],
  },
  {
    name: 'endpoint of a service that does not exist',
    qname: `bogusendpoint.svc0.${T}.`,
    qtype: 'A',
    rcode: 'NXDOMAIN',
    ns: [SOA],
  },
  {
    name: 'AAAA Service',
    qname: `svc6.${T}.`,
    qtype: 'AAAA',
    rcode: 'NOERROR',
    answer: [`svc6.${T}. 5 IN AAAA 1234:abcd::1`],
  },
  {
    name: 'SRV named port on IPv6',
    qname: `_http._tcp.svc6.${T}.`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: [`_http._tcp.svc6.${T}. 5 IN SRV 0 100 80 svc6.${T}.`],
    extra: [`svc6.${T}. 5 IN AAAA 1234:abcd::1`],
  },
  {
    name: 'AAAA headless',
    qname: `hdls1.${T}.`,
    qtype: 'AAAA',
    rcode: 'NOERROR',
    answer: [`hdls1.${T}. 5 IN AAAA 5678:abcd::1`, `hdls1.${T}. 5 IN AAAA 5678:abcd::2`],
  },
  { name: 'svc root', qname: 'svc.cluster.local.', qtype: 'A', rcode: 'NOERROR', ns: [SOA] },
  { name: 'pod root', qname: 'pod.cluster.local.', qtype: 'A', rcode: 'NOERROR', ns: [SOA] },
  { name: 'namespace', qname: `${T}.`, qtype: 'A', rcode: 'NOERROR', ns: [SOA] },
  { name: 'NS below the apex, existing name', qname: 'svc.cluster.local.', qtype: 'NS', rcode: 'NOERROR', ns: [SOA] },
  { name: 'NS on a namespace', qname: `${T}.`, qtype: 'NS', rcode: 'NOERROR', ns: [SOA] },
  { name: 'NS on a name that does not exist', qname: 'foo.cluster.local.', qtype: 'NS', rcode: 'NXDOMAIN', ns: [SOA] },
  {
    name: 'NS on a namespace that does not exist',
    qname: 'foo.svc.cluster.local.',
    qtype: 'NS',
    rcode: 'NXDOMAIN',
    ns: [SOA],
  },
  {
    name: 'dual stack A',
    qname: `svc-dual-stack.${T}.`,
    qtype: 'A',
    rcode: 'NOERROR',
    answer: [`svc-dual-stack.${T}. 5 IN A 10.0.0.3`],
  },
  {
    name: 'dual stack AAAA',
    qname: `svc-dual-stack.${T}.`,
    qtype: 'AAAA',
    rcode: 'NOERROR',
    answer: [`svc-dual-stack.${T}. 5 IN AAAA 10::3`],
  },
  {
    name: 'dual stack SRV',
    qname: `svc-dual-stack.${T}.`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: [`svc-dual-stack.${T}. 5 IN SRV 0 50 80 svc-dual-stack.${T}.`],
    extra: [`svc-dual-stack.${T}. 5 IN A 10.0.0.3`, `svc-dual-stack.${T}. 5 IN AAAA 10::3`],
  },
  { name: 'SOA below the apex', qname: `svc1.${T}.`, qtype: 'SOA', rcode: 'NOERROR', ns: [SOA] },
  {
    name: 'CNAME query under an ExternalName',
    qname: `endpoint.external.${T}.`,
    qtype: 'CNAME',
    rcode: 'NXDOMAIN',
    ns: [SOA],
  },
  {
    name: 'CNAME query two levels under an ExternalName',
    qname: `subdomain.subdomain.external.${T}.`,
    qtype: 'CNAME',
    rcode: 'NXDOMAIN',
    ns: [SOA],
  },
  {
    name: 'SRV headless',
    qname: `_http._tcp.hdls1.${T}.`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: ['172-0-0-2', '172-0-0-3', '5678-abcd--1', '5678-abcd--2', 'dup-name'].map(
      (h) => `_http._tcp.hdls1.${T}. 5 IN SRV 0 16 80 ${h}.hdls1.${T}.`,
    ),
    extra: [
      `172-0-0-2.hdls1.${T}. 5 IN A 172.0.0.2`,
      `172-0-0-3.hdls1.${T}. 5 IN A 172.0.0.3`,
      `5678-abcd--1.hdls1.${T}. 5 IN AAAA 5678:abcd::1`,
      `5678-abcd--2.hdls1.${T}. 5 IN AAAA 5678:abcd::2`,
      `dup-name.hdls1.${T}. 5 IN A 172.0.0.4`,
      `dup-name.hdls1.${T}. 5 IN A 172.0.0.5`,
    ],
  },
  {
    name: 'AAAA endpoint (name without the final dot)',
    qname: `5678-abcd--2.hdls1.${T}`,
    qtype: 'AAAA',
    rcode: 'NOERROR',
    answer: [`5678-abcd--2.hdls1.${T}. 5 IN AAAA 5678:abcd::2`],
  },
  {
    name: 'AAAA endpoint',
    qname: `5678-abcd--1.hdls1.${T}.`,
    qtype: 'AAAA',
    rcode: 'NOERROR',
    answer: [`5678-abcd--1.hdls1.${T}. 5 IN AAAA 5678:abcd::1`],
  },
  {
    name: 'endpoint without a port',
    qname: `172-0-0-20.hdlsprtls.${T}.`,
    qtype: 'A',
    rcode: 'NOERROR',
    answer: [`172-0-0-20.hdlsprtls.${T}. 5 IN A 172.0.0.20`],
  },
  {
    name: 'endpoint by IP',
    qname: `172-0-0-2.hdls1.${T}.`,
    qtype: 'A',
    rcode: 'NOERROR',
    answer: [`172-0-0-2.hdls1.${T}. 5 IN A 172.0.0.2`],
  },
  {
    name: 'another endpoint by IP',
    qname: `172-0-0-3.hdls1.${T}.`,
    qtype: 'A',
    rcode: 'NOERROR',
    answer: [`172-0-0-3.hdls1.${T}. 5 IN A 172.0.0.3`],
  },
  {
    name: 'endpoint by a shared name',
    qname: `dup-name.hdls1.${T}.`,
    qtype: 'A',
    rcode: 'NOERROR',
    answer: [`dup-name.hdls1.${T}. 5 IN A 172.0.0.4`, `dup-name.hdls1.${T}. 5 IN A 172.0.0.5`],
  },
  {
    name: 'CNAME External',
    qname: `external.${T}.`,
    qtype: 'CNAME',
    rcode: 'NOERROR',
    answer: [`external.${T}. 5 IN CNAME ext.interwebs.test.`],
  },
  {
    name: 'CNAME External To Internal Service',
    qname: `external-to-service.${T}`,
    qtype: 'A',
    rcode: 'NOERROR',
    answer: [`external-to-service.${T}. 5 IN CNAME svc1.${T}.`, `svc1.${T}. 5 IN A 10.0.0.1`],
  },
  {
    name: 'TXT schema',
    qname: 'dns-version.cluster.local.',
    qtype: 'TXT',
    rcode: 'NOERROR',
    answer: ['dns-version.cluster.local. 28800 IN TXT "1.1.0"'],
  },
  { name: 'TXT on an existing name is NODATA', qname: `svc1.${T}.`, qtype: 'TXT', rcode: 'NOERROR', ns: [SOA] },
  {
    name: 'TXT on a name that does not exist',
    qname: 'svc0.svc-nons.svc.cluster.local.',
    qtype: 'TXT',
    rcode: 'NXDOMAIN',
    ns: [SOA],
  },
];

let index: ZoneIndex;
beforeAll(async () => {
  index = new ZoneIndex((await loadManifests([fixture('dns', 'coredns-handler')])).objects);
});

const sorted = (xs: string[] | undefined) => [...(xs ?? [])].sort();

test.each(CASES)('$name', (c) => {
  const a = lookup(index, { name: c.qname.replace(/\.$/, ''), type: parseType(c.qtype)!, class: 1 }, OPTIONS);
  // CoreDNS's test.CNAMEOrder: a CNAME never follows the records of its target.
  const firstNonCname = a.answer.findIndex((r) => r.type !== 5);
  if (firstNonCname >= 0) expect(a.answer.slice(firstNonCname).some((r) => r.type === 5)).toBe(false);
  expect({
    rcode: rcodeName(a.rcode),
    answer: a.answer.map(rrText).sort(),
    ns: a.authority.map(rrText).sort(),
    extra: a.additional.map(rrText).sort(),
  }).toEqual({ rcode: c.rcode, answer: sorted(c.answer), ns: sorted(c.ns), extra: sorted(c.extra) });
});

describeWith(
  commandUnavailableReason('dig', 'bind9-dnsutils'),
  'KUBEPLANE_REQUIRE_KERNEL',
  'through the server with dig',
  () => {
    let dns: RunningDns;
    beforeAll(async () => {
      const store = new MemoryClusterStore((await loadManifests([fixture('dns', 'coredns-handler')])).objects);
      dns = await startDnsService(store, { listen: { host: '127.0.0.1', port: 0 }, zone: OPTIONS });
    });
    afterAll(async () => {
      await dns?.close();
    });

    const rows = CASES.flatMap((c) =>
      (['udp', 'tcp'] as const).map((proto) => ({ ...c, proto, title: `${c.name} (${proto})` })),
    );
    test.each(rows)('$title', async (c) => {
      const r = await dig(dns.address.port, c.qname, c.qtype, [c.proto === 'tcp' ? '+tcp' : '+notcp']);
      // CoreDNS's test.CNAMEOrder, on the wire.
      const firstNonCname = r.answer.findIndex((rr) => !rr.includes(' IN CNAME '));
      if (firstNonCname >= 0) expect(r.answer.slice(firstNonCname).some((rr) => rr.includes(' IN CNAME '))).toBe(false);
      expect({
        rcode: r.status,
        answer: sorted(r.answer),
        ns: sorted(r.authority),
        extra: sorted(r.additional),
      }).toEqual({ rcode: c.rcode, answer: sorted(c.answer), ns: sorted(c.ns), extra: sorted(c.extra) });
      expect(r.flags).toContain('aa');
    });
  },
);
