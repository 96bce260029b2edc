import { Packet } from 'dns2';
import { describe, expect, test } from 'vitest';
import type { Rr } from '../../../src/dns/types.js';
import { encodeReply, type Reply } from '../../../src/dns/wire/encode.js';

const Q = { name: 'db.prod.svc.cluster.local', type: 1, class: 1 };

function reply(answer: Rr[], extra: Partial<Reply> = {}): Reply {
  return {
    id: 7,
    opcode: 0,
    rcode: 0,
    aa: true,
    rd: true,
    cd: false,
    question: Q,
    answer,
    authority: [],
    additional: [],
    opt: undefined,
    ...extra,
  };
}

const aRecords = (n: number): Rr[] =>
  Array.from({ length: n }, (_, i) => ({
    name: Q.name,
    type: 1 as const,
    ttl: 5,
    data: `10.244.${i >> 8}.${i & 255}`,
  }));

describe('encodeReply', () => {
  test('every record type decodes back with dns2 (the independent decoder)', () => {
    const rrs: Rr[] = [
      { name: 'web.default.svc.cluster.local', type: 1, ttl: 5, data: '10.96.0.100' },
      { name: 'dual.prod.svc.cluster.local', type: 28, ttl: 5, data: 'fd00:10:96::5' },
      { name: 'ext.default.svc.cluster.local', type: 5, ttl: 5, data: 'www.example.com' },
      { name: '100.0.96.10.in-addr.arpa', type: 12, ttl: 5, data: 'web.default.svc.cluster.local' },
      {
        name: '_http._tcp.web.default.svc.cluster.local',
        type: 33,
        ttl: 5,
        data: { priority: 0, weight: 50, port: 80, target: 'web.default.svc.cluster.local' },
      },
      { name: 'dns-version.cluster.local', type: 16, ttl: 28800, data: ['1.1.0'] },
    ];
    const soa: Rr = {
      name: 'cluster.local',
      type: 6,
      ttl: 5,
      data: {
        mname: 'ns.dns.cluster.local',
        rname: 'hostmaster.cluster.local',
        serial: 1700000000,
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: 5,
      },
    };
    const p = Packet.parse(encodeReply(reply(rrs, { authority: [soa] })));
    expect(p.header).toMatchObject({
      id: 7,
      qr: 1,
      aa: 1,
      rd: 1,
      ra: 0,
      rcode: 0,
      qdcount: 1,
      ancount: 6,
      nscount: 1,
      arcount: 0,
    });
    expect(p.questions[0]).toMatchObject({ name: Q.name, type: 1, class: 1 });
    const a = p.answers as unknown as Record<string, unknown>[];
    expect(a[0]).toMatchObject({ name: 'web.default.svc.cluster.local', ttl: 5, address: '10.96.0.100' });
    expect(a[1]).toMatchObject({ type: 28, address: 'fd00:10:96::5' });
    expect(a[2]).toMatchObject({ type: 5, domain: 'www.example.com' });
    expect(a[3]).toMatchObject({ type: 12, domain: 'web.default.svc.cluster.local' });
    expect(a[4]).toMatchObject({
      type: 33,
      priority: 0,
      weight: 50,
      port: 80,
      target: 'web.default.svc.cluster.local',
    });
    expect(a[5]).toMatchObject({ type: 16, ttl: 28800, data: '1.1.0' });
    expect(p.authorities[0]).toMatchObject({
      name: 'cluster.local',
      primary: 'ns.dns.cluster.local',
      admin: 'hostmaster.cluster.local',
      serial: 1700000000,
      refresh: 7200,
      retry: 1800,
      expiration: 86400,
      minimum: 5,
    });
  });

  test('names are compressed: 100 A records with the question name cost 16 bytes each', () => {
    const out = encodeReply(reply(aRecords(100)));
    const question = Q.name.length + 2 + 4;
    expect(out.length).toBe(12 + question + 100 * 16);
    expect((Packet.parse(out).answers as unknown[]).length).toBe(100);
  });

  test('over the limit: whole records are dropped, TC set, counts match what was kept', () => {
    const out = encodeReply(reply(aRecords(40)), 512);
    expect(out.length).toBeLessThanOrEqual(512);
    expect(out[2]! & 0x02).toBe(0x02);
    expect(out.readUInt16BE(6)).toBe(29);
    expect((Packet.parse(out).answers as unknown[]).length).toBe(29);
  });

  test('the OPT record always stays when truncating, with the extended rcode in its TTL', () => {
    const out = encodeReply(reply(aRecords(40), { opt: { udpSize: 600, extendedRcode: 1, dnssecOk: true } }), 600);
    expect(out.length).toBeLessThanOrEqual(600);
    expect(out[2]! & 0x02).toBe(0x02);
    const opt = out.subarray(out.length - 11);
    expect([...opt.subarray(0, 5)]).toEqual([0, 0, 41, 600 >> 8, 600 & 255]);
    expect(opt.readUInt32BE(5)).toBe((1 << 24) | 0x8000);
    expect(out.readUInt16BE(10)).toBe(1);
  });

  test('a rolled-back record leaves no compression pointer into the cut-off part', () => {
    const names = Array.from(
      { length: 30 },
      (_, i): Rr => ({ name: `host-${i}.db.prod.svc.cluster.local`, type: 1, ttl: 5, data: '10.0.0.1' }),
    );
    const out = encodeReply(reply(names), 512);
    const p = Packet.parse(out);
    const kept = p.answers as { name: string }[];
    expect(kept.length).toBe(out.readUInt16BE(6));
    kept.forEach((r, i) => expect(r.name).toBe(`host-${i}.db.prod.svc.cluster.local`));
  });

  test('escaped label bytes are written as one label', () => {
    const out = encodeReply(reply([], { question: { name: 'a\\.b.cluster.local', type: 1, class: 1 } }));
    expect([...out.subarray(12, 16)]).toEqual([3, 97, 46, 98]);
  });

  test('a label over 63 bytes is refused (the handler turns it into SERVFAIL)', () => {
    expect(() =>
      encodeReply(reply([{ name: `${'x'.repeat(64)}.cluster.local`, type: 1, ttl: 5, data: '10.0.0.1' }])),
    ).toThrow(/label/);
  });

  test('a header-only error reply has no question and no records', () => {
    const out = encodeReply({ ...reply([]), rcode: 1, aa: false, question: undefined });
    expect(out.length).toBe(12);
    expect(out[3]! & 15).toBe(1);
  });
});
