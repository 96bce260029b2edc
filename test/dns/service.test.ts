// The running service: live updates from the store, truncation with the TCP retry, forwarding to
// an upstream the test starts on loopback (with the answer cache), and the operations endpoints.
import dgram from 'node:dgram';
import { Packet } from 'dns2';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadManifests } from '../../src/cluster/load.js';
import { MemoryClusterStore } from '../../src/cluster/memory-store.js';
import type { EndpointSlice, Service } from '../../src/cluster/types.js';
import { type RunningDns, startDnsService } from '../../src/dns/service.js';
import { fixture } from '../support/cli.js';
import { commandUnavailableReason, describeWith } from '../support/env.js';
import { OPTIONS } from './cases.js';
import { dig } from './dig.js';

/** A tiny upstream: fixed A records, NXDOMAIN for everything else; counts what it is asked. */
async function startUpstream(records: Record<string, string>, silent = false) {
  const sock = dgram.createSocket('udp4');
  const asked: string[] = [];
  sock.on('message', (msg, rinfo) => {
    const q = Packet.parse(msg);
    const question = q.questions[0] as { name: string; type: number };
    asked.push(question.name);
    if (silent) return;
    const r = new Packet();
    r.header.id = q.header.id;
    r.header.qr = 1;
    r.header.rd = 1;
    r.header.ra = 1;
    r.questions.push(question as never);
    const ip = records[question.name.toLowerCase()];
    // Names under trunc.example come back truncated, as an upstream over its size limit would.
    if (question.name.toLowerCase().endsWith('trunc.example')) r.header.tc = 1;
    if (ip && question.type === 1)
      r.answers.push({ name: question.name, type: 1, class: 1, ttl: 60, address: ip } as never);
    else if (!ip) r.header.rcode = 3;
    sock.send(r.toBuffer(), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  return { port: sock.address().port, asked, close: () => new Promise<void>((r) => sock.close(() => r())) };
}

const objects = async () => (await loadManifests([fixture('dns', 'two-ns')])).objects;

describeWith(commandUnavailableReason('dig', 'bind9-dnsutils'), 'KUBEPLANE_REQUIRE_KERNEL', 'dns service', () => {
  let store: MemoryClusterStore;
  let dns: RunningDns;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let silent: Awaited<ReturnType<typeof startUpstream>>;
  let timingOut: RunningDns;

  beforeAll(async () => {
    upstream = await startUpstream({
      'example.org': '192.0.2.80',
      'www.example.com': '192.0.2.14',
      'trunc.example': '192.0.2.99',
    });
    silent = await startUpstream({}, true);
    store = new MemoryClusterStore(await objects());
    dns = await startDnsService(store, {
      listen: { host: '127.0.0.1', port: 0 },
      zone: OPTIONS,
      upstream: { host: '127.0.0.1', port: upstream.port },
      metricsListen: { host: '127.0.0.1', port: 0 },
    });
    timingOut = await startDnsService(new MemoryClusterStore(await objects()), {
      listen: { host: '127.0.0.1', port: 0 },
      zone: OPTIONS,
      upstream: { host: '127.0.0.1', port: silent.port },
      upstreamTimeoutMs: 300,
    });
  });
  afterAll(async () => {
    await dns?.close();
    await timingOut?.close();
    await upstream?.close();
    await silent?.close();
  });

  test('live: a Service added to the store resolves on the next query, and is gone after delete', async () => {
    const name = 'late.default.svc.cluster.local';
    expect((await dig(dns.address.port, name, 'A')).status).toBe('NXDOMAIN');
    const svc: Service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'late', namespace: 'default' },
      spec: {
        clusterIP: '10.96.0.250',
        clusterIPs: ['10.96.0.250'],
        ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      },
    };
    await store.upsert([svc]);
    expect((await dig(dns.address.port, name, 'A')).answer).toEqual([`${name}. 5 IN A 10.96.0.250`]);
    expect((await dig(dns.address.port, '250.0.96.10.in-addr.arpa', 'PTR')).answer).toEqual([
      `250.0.96.10.in-addr.arpa. 5 IN PTR ${name}.`,
    ]);
    await store.delete('Service', 'default/late');
    expect((await dig(dns.address.port, name, 'A')).status).toBe('NXDOMAIN');
  });

  test('truncation: 40 endpoints do not fit 512 bytes; TC over UDP, all 40 over TCP', async () => {
    const svc: Service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'big', namespace: 'prod' },
      spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    };
    const slice: EndpointSlice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'big-1', namespace: 'prod', labels: { 'kubernetes.io/service-name': 'big' } },
      addressType: 'IPv4',
      endpoints: Array.from({ length: 40 }, (_, i) => ({
        addresses: [`10.244.9.${i + 1}`],
        conditions: { ready: true },
      })),
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    };
    await store.upsert([svc, slice]);
    const name = 'big.prod.svc.cluster.local';
    const udp = await dig(dns.address.port, name, 'A', ['+noedns', '+ignore']);
    expect(udp.flags).toContain('tc');
    expect(udp.answer).toHaveLength(29);
    const retried = await dig(dns.address.port, name, 'A', ['+noedns']);
    expect(retried.raw).toMatch(/Truncated, retrying in TCP mode/);
    expect(retried.answer).toHaveLength(40);
    expect(retried.flags).not.toContain('tc');
    // With dig's EDNS buffer of 1232 bytes the answer fits over UDP.
    const edns = await dig(dns.address.port, name, 'A', ['+ignore']);
    expect(edns.flags).not.toContain('tc');
    expect(edns.answer).toHaveLength(40);
    const small = await dig(dns.address.port, name, 'A', ['+bufsize=600', '+ignore']);
    expect(small.flags).toContain('tc');
  });

  test('F43 a name outside the zones is forwarded; the second ask is a cache hit', async () => {
    const before = upstream.asked.filter((n) => n === 'example.org').length;
    const first = await dig(dns.address.port, 'example.org', 'A');
    expect(first.status).toBe('NOERROR');
    expect(first.answer).toEqual(['example.org. 60 IN A 192.0.2.80']);
    expect(first.flags).toContain('ra');
    expect(first.flags).not.toContain('aa');
    const second = await dig(dns.address.port, 'example.org', 'A');
    expect(second.answer[0]).toMatch(/^example\.org\. (60|59|58) IN A 192\.0\.2\.80$/);
    expect(upstream.asked.filter((n) => n === 'example.org').length).toBe(before + 1);
    const metrics = await (await fetch(`http://127.0.0.1:${dns.metricsAddress!.port}/metrics`)).text();
    expect(metrics).toMatch(/^coredns_cache_hits_total\{[^}]*type="success"[^}]*\} [1-9]/m);
  });

  test('forwarded NXDOMAIN is relayed as the upstream sent it', async () => {
    const r = await dig(dns.address.port, 'nowhere.example', 'A');
    expect(r.status).toBe('NXDOMAIN');
    expect(r.flags).not.toContain('aa');
  });

  test('F18 ExternalName A: the CNAME, then the upstream records for its target', async () => {
    const r = await dig(dns.address.port, 'ext.default.svc.cluster.local', 'A');
    expect(r.status).toBe('NOERROR');
    expect(r.answer).toEqual([
      'ext.default.svc.cluster.local. 5 IN CNAME www.example.com.',
      'www.example.com. 60 IN A 192.0.2.14',
    ]);
  });

  test('E8 a truncated upstream lookup for an ExternalName target sets TC on the answer', async () => {
    const svc: Service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'big-ext', namespace: 'default' },
      spec: { type: 'ExternalName', externalName: 'trunc.example' },
    };
    await store.upsert([svc]);
    const r = await dig(dns.address.port, 'big-ext.default.svc.cluster.local', 'A', ['+tcp']);
    expect(r.flags).toContain('tc');
    expect(r.answer).toEqual([
      'big-ext.default.svc.cluster.local. 5 IN CNAME trunc.example.',
      'trunc.example. 60 IN A 192.0.2.99',
    ]);
  });

  test('F28 PTR of an IP nobody owns falls through to the upstream', async () => {
    const r = await dig(dns.address.port, '7.1.244.10.in-addr.arpa', 'PTR');
    expect(r.status).toBe('NXDOMAIN');
    expect(r.flags).not.toContain('aa');
    expect(upstream.asked).toContain('7.1.244.10.in-addr.arpa');
  });

  test('X2 an upstream that never answers gives SERVFAIL', async () => {
    const r = await dig(timingOut.address.port, 'example.org', 'A');
    expect(r.status).toBe('SERVFAIL');
  });

  test('E3 ExternalName whose upstream lookup fails: NODATA with the SOA', async () => {
    const r = await dig(timingOut.address.port, 'ext.default.svc.cluster.local', 'A');
    expect(r.status).toBe('NOERROR');
    expect(r.answer).toEqual([]);
    expect(r.authority[0]).toMatch(/^cluster\.local\. 5 IN SOA ns\.dns\.cluster\.local\. /);
  });

  test('/health, /ready and /metrics with CoreDNS metric names', async () => {
    const base = `http://127.0.0.1:${dns.metricsAddress!.port}`;
    const health = await fetch(`${base}/health`);
    expect([health.status, await health.text()]).toEqual([200, 'OK']);
    const ready = await fetch(`${base}/ready`);
    expect([ready.status, await ready.text()]).toEqual([200, 'OK']);
    await dig(dns.address.port, 'web.default.svc.cluster.local', 'A', ['+tcp']);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(
      /^coredns_dns_requests_total\{server="[^"]+",zone="\.",view="",proto="udp",family="1",type="A"\} \d+$/m,
    );
    expect(text).toMatch(/^coredns_dns_requests_total\{[^}]*proto="tcp"[^}]*type="A"\} \d+$/m);
    expect(text).toMatch(/^coredns_dns_responses_total\{[^}]*rcode="NXDOMAIN"[^}]*\} \d+$/m);
    expect(text).toMatch(/^# TYPE coredns_dns_request_duration_seconds histogram$/m);
    expect(text).toMatch(/^coredns_dns_request_duration_seconds_bucket\{[^}]*type="A",le="\+Inf"\} \d+$/m);
    expect(text).toMatch(/^coredns_cache_misses_total\{/m);
  });
});

// CoreDNS `fallthrough [ZONES...]`: an NXDOMAIN under a listed zone goes to the next plugin (here the
// upstream); unset, the add-on's `fallthrough in-addr.arpa ip6.arpa`.
describeWith(commandUnavailableReason('dig', 'bind9-dnsutils'), 'KUBEPLANE_REQUIRE_KERNEL', 'fallthrough', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  const servers: Record<string, RunningDns> = {};
  beforeAll(async () => {
    upstream = await startUpstream({
      'nope.default.svc.cluster.local': '192.0.2.7',
      '100.0.96.10.in-addr.arpa': '192.0.2.8',
    });
    const variants = { addon: undefined, all: 'all', none: [], cluster: ['cluster.local'] } as const;
    for (const [name, fallthrough] of Object.entries(variants)) {
      servers[name] = await startDnsService(new MemoryClusterStore(await objects()), {
        listen: { host: '127.0.0.1', port: 0 },
        zone: { ...OPTIONS, ...(fallthrough === undefined ? {} : { fallthrough }) },
        upstream: { host: '127.0.0.1', port: upstream.port },
      });
    }
  });
  afterAll(async () => {
    await Promise.all(Object.values(servers).map((s) => s.close()));
    await upstream?.close();
  });
  const port = (name: string) => servers[name]!.address.port;

  test('add-on default: any NXDOMAIN in a reverse zone is forwarded, not only PTR', async () => {
    const r = await dig(port('addon'), '100.0.96.10.in-addr.arpa', 'A');
    expect(r.answer).toEqual(['100.0.96.10.in-addr.arpa. 60 IN A 192.0.2.8']);
    expect(r.flags).not.toContain('aa');
  });

  test('add-on default: an NXDOMAIN in the cluster zone is answered here', async () => {
    const r = await dig(port('addon'), 'nope.default.svc.cluster.local', 'A');
    expect(r.status).toBe('NXDOMAIN');
    expect(r.flags).toContain('aa');
  });

  test('fallthrough with no zones: the cluster zone falls through too', async () => {
    const r = await dig(port('all'), 'nope.default.svc.cluster.local', 'A');
    expect(r.answer).toEqual(['nope.default.svc.cluster.local. 60 IN A 192.0.2.7']);
  });

  test('fallthrough for the cluster zone only: reverse misses stay here', async () => {
    expect((await dig(port('cluster'), 'nope.default.svc.cluster.local', 'A')).answer).toEqual([
      'nope.default.svc.cluster.local. 60 IN A 192.0.2.7',
    ]);
    const before = upstream.asked.length;
    const r = await dig(port('cluster'), '7.1.244.10.in-addr.arpa', 'PTR');
    expect(r.status).toBe('NXDOMAIN');
    expect(r.flags).toContain('aa');
    expect(r.authority[0]).toMatch(/^in-addr\.arpa\. 5 IN SOA ns\.dns\.in-addr\.arpa\. /);
    expect(upstream.asked.length).toBe(before);
  });

  test('no fallthrough: a PTR nobody owns is NXDOMAIN with the reverse zone SOA, never forwarded', async () => {
    const before = upstream.asked.length;
    const r = await dig(port('none'), '7.1.244.10.in-addr.arpa', 'PTR');
    expect(r.status).toBe('NXDOMAIN');
    expect(r.flags).toContain('aa');
    expect(upstream.asked.length).toBe(before);
  });

  test('answers that exist are never forwarded, whatever falls through', async () => {
    const before = upstream.asked.length;
    expect((await dig(port('all'), 'web.default.svc.cluster.local', 'A')).answer).toEqual([
      'web.default.svc.cluster.local. 5 IN A 10.96.0.100',
    ]);
    expect((await dig(port('all'), 'web.default.svc.cluster.local', 'AAAA')).status).toBe('NOERROR');
    expect(upstream.asked.length).toBe(before);
  });
});
