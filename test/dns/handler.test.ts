// The handler turns every failure into SERVFAIL and keeps answering afterwards.
import dgram from 'node:dgram';
import { expect, test } from 'vitest';
import { DnsHandler } from '../../src/dns/handler.js';
import { ZoneIndex } from '../../src/dns/index.js';
import { DnsMetrics } from '../../src/dns/metrics.js';
import { Upstream } from '../../src/dns/upstream.js';
import { OPTIONS } from './cases.js';
import { header, query } from './raw.js';

/** An index whose service lookups fail on demand, standing in for a bug anywhere in the zone code. */
class FailingIndex extends ZoneIndex {
  fail = true;
  override service(namespace: string, name: string) {
    if (this.fail) throw new Error('boom');
    return super.service(namespace, name);
  }
}

/** The single reply a query gets (zone transfers are the only multi-message replies). */
function one(r: Buffer | Buffer[] | undefined): Buffer {
  if (!Buffer.isBuffer(r)) throw new Error(`expected one reply, got ${Array.isArray(r) ? r.length : 'none'}`);
  return r;
}

test('an exception in the zone lookup becomes SERVFAIL, reported once, and the next query is answered', async () => {
  const index = new FailingIndex([
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { clusterIP: '10.96.0.100', ports: [{ port: 80 }] },
    },
  ]);
  const errors: unknown[] = [];
  const metrics = new DnsMetrics('dns://test');
  const handler = new DnsHandler(index, { zone: OPTIONS, metrics, onError: (e) => errors.push(e) });
  const failed = one(await handler.handle(query('web.default.svc.cluster.local'), 'udp'));
  expect(header(failed)).toMatchObject({ qr: true, rcode: 2, qd: 1, an: 0 });
  expect(errors).toHaveLength(1);
  expect(metrics.render()).toMatch(/^coredns_panics_total 1$/m);
  index.fail = false;
  const ok = one(await handler.handle(query('web.default.svc.cluster.local'), 'udp'));
  expect(header(ok)).toMatchObject({ rcode: 0, an: 1, aa: true });
});

test('X3 over 1000 forwarded queries in flight, the next one is REFUSED at once', async () => {
  const silent = dgram.createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
  const upstream = new Upstream({ host: '127.0.0.1', port: silent.address().port }, 1000);
  const handler = new DnsHandler(new ZoneIndex([]), { zone: OPTIONS, upstream });
  try {
    const pending = Array.from({ length: 1000 }, (_, i) => handler.handle(query(`q${i}.example.org`), 'udp'));
    const over = one(await handler.handle(query('one-more.example.org'), 'udp'));
    expect(header(over).rcode).toBe(5);
    const timedOut = await Promise.all(pending);
    expect(new Set(timedOut.map((b) => header(one(b)).rcode))).toEqual(new Set([2]));
  } finally {
    upstream.close();
    silent.close();
  }
});
