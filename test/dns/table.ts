// One table of upstream expectations, run twice: on the pure zone lookup and, with the real dig,
// through a running server over UDP and TCP (one server per profile: a fixture and zone options).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadManifests } from '../../src/cluster/load.js';
import { MemoryClusterStore } from '../../src/cluster/memory-store.js';
import type { ClusterObject } from '../../src/cluster/types.js';
import { ZoneIndex } from '../../src/dns/index.js';
import { type RunningDns, startDnsService } from '../../src/dns/service.js';
import { rrText } from '../../src/dns/text.js';
import { parseType, rcodeName } from '../../src/dns/types.js';
import { lookup, type ZoneOptions } from '../../src/dns/zone.js';
import { fixture } from '../support/cli.js';
import { commandUnavailableReason, describeWith } from '../support/env.js';
import { dig } from './dig.js';

export interface Profile {
  /** Folder under fixtures/dns. */
  fixture: string;
  options: ZoneOptions;
}

export interface Row<P extends string> {
  name: string;
  profile: P;
  qname: string;
  qtype: string;
  rcode: 'NOERROR' | 'NXDOMAIN';
  answer?: string[];
  ns?: string[];
  extra?: string[];
}

const sorted = (xs: readonly string[] | undefined) => [...(xs ?? [])].sort();

/** The pure and the dig suites for `rows`; returns the running servers by profile (for extra tests). */
export function runTable<P extends string>(
  profiles: Record<P, Profile>,
  rows: readonly Row<P>[],
): { server(p: P): RunningDns } {
  const objects = new Map<string, ClusterObject[]>();
  const servers = new Map<P, RunningDns>();
  // Servers live as long as the file's tests (the caller's own tests may use them too).
  beforeAll(async () => {
    for (const p of Object.keys(profiles) as P[]) {
      const f = profiles[p].fixture;
      if (!objects.has(f)) objects.set(f, (await loadManifests([fixture('dns', f)])).objects);
      const store = new MemoryClusterStore(objects.get(f));
      const zone = profiles[p].options;
      servers.set(p, await startDnsService(store, { listen: { host: '127.0.0.1', port: 0 }, zone }));
    }
  });
  afterAll(async () => {
    await Promise.all([...servers.values()].map((s) => s.close()));
  });

  describe('pure zone lookup', () => {
    test.each(rows)('$name', (c) => {
      const { fixture: f, options } = profiles[c.profile];
      const a = lookup(
        new ZoneIndex(objects.get(f)),
        { name: c.qname.replace(/\.$/, ''), type: parseType(c.qtype)!, class: 1 },
        options,
      );
      // CoreDNS's test.CNAMEOrder: a CNAME never follows the records of its target.
      const first = a.answer.findIndex((r) => r.type !== 5);
      if (first >= 0) expect(a.answer.slice(first).some((r) => r.type === 5)).toBe(false);
      expect({
        rcode: rcodeName(a.rcode),
        answer: a.answer.map(rrText).sort(),
        ns: a.authority.map(rrText).sort(),
        extra: a.additional.map(rrText).sort(),
      }).toEqual({ rcode: c.rcode, answer: sorted(c.answer), ns: sorted(c.ns), extra: sorted(c.extra) });
      expect(a.authoritative).toBe(true);
    });
  });

  describeWith(
    commandUnavailableReason('dig', 'bind9-dnsutils'),
    'KUBEPLANE_REQUIRE_KERNEL',
    'through the server with dig',
    () => {
      const both = rows.flatMap((c) =>
        (['udp', 'tcp'] as const).map((proto) => ({ ...c, proto, title: `${c.name} (${proto})` })),
      );
      test.each(both)('$title', async (c) => {
        const r = await dig(servers.get(c.profile)!.address.port, c.qname, c.qtype, [
          c.proto === 'tcp' ? '+tcp' : '+notcp',
        ]);
        // CoreDNS's test.CNAMEOrder: no CNAME after the records of its target.
        const first = r.answer.findIndex((rr) => !rr.includes(' IN CNAME '));
        if (first >= 0) expect(r.answer.slice(first).some((rr) => rr.includes(' IN CNAME '))).toBe(false);
        expect({
          rcode: r.status,
          answer: sorted(r.answer),
          ns: sorted(r.authority),
          extra: sorted(r.additional),
        }).toEqual({ rcode: c.rcode, answer: sorted(c.answer), ns: sorted(c.ns), extra: sorted(c.extra) });
        expect(r.flags).toContain('aa');
        expect(r.flags).not.toContain('ra');
      });
    },
  );
  return {
    server(p: P) {
      const s = servers.get(p);
      if (!s) throw new Error(`no server for profile ${p}`);
      return s;
    },
  };
}
