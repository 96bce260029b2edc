import { Packet } from 'dns2';
import { describe, expect, test } from 'vitest';
import { decodeQuery, readName } from '../../../src/dns/wire/decode.js';

function dns2Query(name: string, type: number, withOpt = false): Buffer {
  const p = new Packet();
  p.header.id = 4242;
  p.header.rd = 1;
  p.questions.push({ name, type, class: 1 } as never);
  const buf = p.toBuffer();
  if (!withOpt) return buf;
  // OPT: root name, type 41, udp 1232, ext-rcode 0, version 0, DO set, no options.
  const opt = Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 0]);
  const out = Buffer.concat([buf, opt]);
  out.writeUInt16BE(1, 10);
  return out;
}

describe('decodeQuery', () => {
  test('a query built by dns2 decodes to its id, flags and question, letter case kept', () => {
    const d = decodeQuery(dns2Query('Web.Default.svc.cluster.local', 33));
    expect(d).toEqual({
      kind: 'query',
      query: {
        id: 4242,
        opcode: 0,
        rd: true,
        cd: false,
        question: { name: 'Web.Default.svc.cluster.local', type: 33, class: 1 },
        edns: undefined,
      },
    });
  });

  test('EDNS0: advertised size, version and DO bit', () => {
    const d = decodeQuery(dns2Query('web.default.svc.cluster.local', 1, true));
    expect(d.kind === 'query' && d.query.edns).toEqual({
      udpSize: 1232,
      version: 0,
      dnssecOk: true,
      echo: Buffer.alloc(0),
    });
  });

  test('EDNS options: COOKIE and NSID are kept for the echo, others dropped; a bad option is FORMERR', () => {
    const base = dns2Query('web.default.svc.cluster.local', 1);
    const cookie = [0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8];
    const ecs = [0, 8, 0, 4, 0, 1, 0, 0];
    const nsid = [0, 3, 0, 0];
    const opts = [...cookie, ...ecs, ...nsid];
    const opt = Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, opts.length, ...opts]);
    const msg = Buffer.concat([base, opt]);
    msg.writeUInt16BE(1, 10);
    const d = decodeQuery(msg);
    expect(d.kind === 'query' && [...d.query.edns!.echo]).toEqual([...cookie, ...nsid]);
    const bad = Buffer.concat([base, Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 4, 0, 10, 0, 9])]);
    bad.writeUInt16BE(1, 10);
    expect(decodeQuery(bad)).toMatchObject({ kind: 'error', rcode: 1 });
  });

  test('label bytes that are not plain text come back escaped', () => {
    const msg = Buffer.concat([
      Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
      Buffer.from([3, 97, 46, 98, 2, 0x20, 0xff, 0, 0, 1, 0, 1]),
    ]);
    const d = decodeQuery(msg);
    expect(d.kind === 'query' && d.query.question.name).toBe('a\\.b.\\032\\255');
  });

  test('readName follows a backward pointer and rejects a forward one', () => {
    const buf = Buffer.from([3, 119, 101, 98, 0, 1, 97, 0xc0, 0]);
    expect(readName(buf, 5)).toEqual({ name: 'a.web', end: 9 });
    expect(() => readName(Buffer.from([0xc0, 2, 0]), 0)).toThrow(/pointer/);
  });
});
