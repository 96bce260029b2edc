// The reference table against the running server with the real dig, over UDP and over TCP.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadManifests } from '../../src/cluster/load.js';
import { MemoryClusterStore } from '../../src/cluster/memory-store.js';
import { type RunningDns, startDnsService } from '../../src/dns/service.js';
import { fixture } from '../support/cli.js';
import { commandUnavailableReason, describeWith } from '../support/env.js';
import { CASES, OPTIONS } from './cases.js';
import { dig } from './dig.js';

let dns: RunningDns;
const sorted = (xs: string[] | undefined) => [...(xs ?? [])].sort();

describeWith(
  commandUnavailableReason('dig', 'bind9-dnsutils'),
  'KUBEPLANE_REQUIRE_KERNEL',
  'dns server answers dig',
  () => {
    beforeAll(async () => {
      const store = new MemoryClusterStore((await loadManifests([fixture('dns', 'two-ns')])).objects);
      dns = await startDnsService(store, { listen: { host: '127.0.0.1', port: 0 }, zone: OPTIONS });
    });
    afterAll(async () => {
      await dns?.close();
    });

    const rows = CASES.flatMap((c) => [
      { ...c, proto: 'udp', title: `${c.name} (udp)` },
      { ...c, proto: 'tcp', title: `${c.name} (tcp)` },
    ]);

    test.each(rows)('$title', async (c) => {
      const r = await dig(dns.address.port, c.qname, c.qtype, [c.proto === 'tcp' ? '+tcp' : '+notcp']);
      expect({
        status: r.status,
        answer: sorted(r.answer),
        authority: sorted(r.authority),
        additional: sorted(r.additional),
      }).toEqual({
        status: c.rcode,
        answer: sorted(c.answer),
        authority: sorted(c.authority),
        additional: sorted(c.additional),
      });
      // Authoritative answers: aa set, no ra, no ad (S9); REFUSED for foreign names is not authoritative.
      expect(r.flags.includes('aa')).toBe(c.rcode !== 'REFUSED');
      expect(r.flags).not.toContain('ra');
      expect(r.flags).not.toContain('ad');
      // S11: dig advertises 1232 bytes; the OPT comes back with that size and version 0.
      expect(r.edns.join('\n')).toMatch(/version: 0, flags:; udp: 1232/);
    });

    test('F44 class CH is REFUSED', async () => {
      const r = await dig(dns.address.port, 'web.default.svc.cluster.local', 'A', ['-c', 'CH']);
      expect(r.status).toBe('REFUSED');
    });

    test('F45 EDNS version 1 gets BADVERS with a version 0 OPT', async () => {
      const r = await dig(dns.address.port, 'web.default.svc.cluster.local', 'A', ['+edns=1', '+noednsnegotiation']);
      expect(r.status).toBe('BADVERS');
      expect(r.edns.join('\n')).toMatch(/version: 0/);
    });

    test('S11 the client COOKIE is echoed in the OPT, as CoreDNS does', async () => {
      const r = await dig(dns.address.port, 'web.default.svc.cluster.local', 'A', ['+cookie=0102030405060708']);
      expect(r.edns.join('\n')).toMatch(/; COOKIE: 0102030405060708 \(echoed\)/);
    });

    test('no OPT in the query: no OPT in the reply (S12)', async () => {
      const r = await dig(dns.address.port, 'web.default.svc.cluster.local', 'A', ['+noedns']);
      expect(r.status).toBe('NOERROR');
      expect(r.edns).toEqual([]);
      expect(r.answer).toEqual(['web.default.svc.cluster.local. 5 IN A 10.96.0.100']);
    });
  },
);
