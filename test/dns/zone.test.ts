import { beforeAll, describe, expect, test } from 'vitest';
import { loadManifests } from '../../src/cluster/load.js';
import { ZoneIndex } from '../../src/dns/index.js';
import { rrText } from '../../src/dns/text.js';
import { parseType, rcodeName } from '../../src/dns/types.js';
import { lookup } from '../../src/dns/zone.js';
import { fixture } from '../support/cli.js';
import { CASES, OPTIONS, SOA } from './cases.js';

let index: ZoneIndex;
beforeAll(async () => {
  index = new ZoneIndex((await loadManifests([fixture('dns', 'two-ns')])).objects);
});

const sorted = (xs: string[] | undefined) => [...(xs ?? [])].sort();

describe('lookup: the reference table on fixtures/dns/two-ns', () => {
  test.each(CASES)('$name', (c) => {
    const a = lookup(index, { name: c.qname, type: parseType(c.qtype)!, class: 1 }, OPTIONS);
    expect({
      rcode: rcodeName(a.rcode),
      answer: a.answer.map(rrText).sort(),
      authority: a.authority.map(rrText).sort(),
      additional: a.additional.map(rrText).sort(),
    }).toEqual({
      rcode: c.rcode,
      answer: sorted(c.answer),
      authority: sorted(c.authority),
      additional: sorted(c.additional),
    });
  });
});

describe('pods modes', () => {
  const ask = (pods: 'disabled' | 'insecure' | 'verified', qname: string) =>
    rcodeName(lookup(index, { name: qname, type: 1, class: 1 }, { ...OPTIONS, pods }).rcode);
  test.each([
    {
      name: 'D1 disabled answers NXDOMAIN',
      pods: 'disabled' as const,
      qname: '10-244-1-7.default.pod.cluster.local',
      want: 'NXDOMAIN',
    },
    {
      name: 'D4 verified finds the pod in its namespace',
      pods: 'verified' as const,
      qname: '10-244-1-7.default.pod.cluster.local',
      want: 'NOERROR',
    },
    {
      name: 'D5 verified: pod IP in another namespace',
      pods: 'verified' as const,
      qname: '10-244-1-7.prod.pod.cluster.local',
      want: 'NXDOMAIN',
    },
    {
      name: 'D5 verified: no pod with that IP',
      pods: 'verified' as const,
      qname: '10-244-9-9.default.pod.cluster.local',
      want: 'NXDOMAIN',
    },
    {
      name: 'D3 insecure: namespace missing',
      pods: 'insecure' as const,
      qname: '10-244-1-7.nope.pod.cluster.local',
      want: 'NXDOMAIN',
    },
    {
      name: 'D6 namespace under pod is NODATA',
      pods: 'insecure' as const,
      qname: 'default.pod.cluster.local',
      want: 'NOERROR',
    },
  ])('$name', ({ pods, qname, want }) => {
    expect(ask(pods, qname)).toBe(want);
  });
});

describe('zones', () => {
  test('several zones each answer with their own SOA', () => {
    const opts = { ...OPTIONS, zones: ['cluster.local', 'corp.internal'] };
    const a = lookup(index, { name: 'web.default.svc.corp.internal', type: 1, class: 1 }, opts);
    expect(a.answer.map(rrText)).toEqual(['web.default.svc.corp.internal. 5 IN A 10.96.0.100']);
    const n = lookup(index, { name: 'nope.default.svc.corp.internal', type: 1, class: 1 }, opts);
    expect(n.authority.map(rrText)[0]).toMatch(/^corp\.internal\. 5 IN SOA ns\.dns\.corp\.internal\. /);
  });

  test('the TTL option sets record TTL and SOA minimum; the SOA TTL is capped at 300', () => {
    const a = lookup(index, { name: 'nope.default.svc.cluster.local', type: 1, class: 1 }, { ...OPTIONS, ttl: 600 });
    expect(a.authority.map(rrText)).toEqual([SOA.replace(' 5 IN', ' 300 IN').replace(/ 5$/, ' 600')]);
  });

  test('class CH is REFUSED', () => {
    expect(rcodeName(lookup(index, { name: 'web.default.svc.cluster.local', type: 1, class: 3 }, OPTIONS).rcode)).toBe(
      'REFUSED',
    );
  });

  test('AXFR is REFUSED', () => {
    expect(rcodeName(lookup(index, { name: 'cluster.local', type: 252, class: 1 }, OPTIONS).rcode)).toBe('REFUSED');
  });
});
