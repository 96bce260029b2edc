// Malformed packets: each gets FORMERR/NOTIMP or no reply, and a normal query right after it must
// still be answered — the server never crashes or stalls. Every loop here is bounded.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seededRandom } from '../../src/cluster/generate.js';
import { loadManifests } from '../../src/cluster/load.js';
import { MemoryClusterStore } from '../../src/cluster/memory-store.js';
import { type RunningDns, startDnsService } from '../../src/dns/service.js';
import { fixture } from '../support/cli.js';
import { OPTIONS } from './cases.js';
import { header, query, tcpExchange, udpExchange } from './raw.js';

let dns: RunningDns;
beforeAll(async () => {
  const store = new MemoryClusterStore((await loadManifests([fixture('dns', 'two-ns')])).objects);
  dns = await startDnsService(store, { listen: { host: '127.0.0.1', port: 0 }, zone: OPTIONS });
});
afterAll(async () => {
  await dns?.close();
});

const good = query('web.default.svc.cluster.local');

function withHeader(h: { flags?: number; qd?: number; an?: number; ns?: number; ar?: number }, body: Buffer): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(0xbeef, 0);
  b.writeUInt16BE(h.flags ?? 0x0100, 2);
  b.writeUInt16BE(h.qd ?? 1, 4);
  b.writeUInt16BE(h.an ?? 0, 6);
  b.writeUInt16BE(h.ns ?? 0, 8);
  b.writeUInt16BE(h.ar ?? 0, 10);
  return Buffer.concat([b, body]);
}

const question = good.subarray(12);
const tail = Buffer.from([0, 1, 0, 1]);

interface Bad {
  name: string;
  packet: Buffer;
  /** Expected rcode, or 'none' when the server must not reply. */
  want: 'FORMERR' | 'NOTIMP' | 'none';
}

const BAD: Bad[] = [
  { name: 'empty datagram', packet: Buffer.alloc(0), want: 'none' },
  { name: 'truncated header (5 bytes)', packet: good.subarray(0, 5), want: 'none' },
  { name: 'header only, QDCOUNT 1', packet: withHeader({}, Buffer.alloc(0)), want: 'FORMERR' },
  { name: 'a response (QR=1) is dropped', packet: withHeader({ flags: 0x8100 }, question), want: 'none' },
  { name: 'opcode STATUS is NOTIMP', packet: withHeader({ flags: 0x1100 }, question), want: 'NOTIMP' },
  { name: 'opcode UPDATE is NOTIMP', packet: withHeader({ flags: 0x2800 }, question), want: 'NOTIMP' },
  { name: 'QDCOUNT 0', packet: withHeader({ qd: 0 }, Buffer.alloc(0)), want: 'FORMERR' },
  { name: 'QDCOUNT 2', packet: withHeader({ qd: 2 }, Buffer.concat([question, question])), want: 'FORMERR' },
  { name: 'ANCOUNT 2', packet: withHeader({ an: 2 }, question), want: 'FORMERR' },
  { name: 'NSCOUNT 2', packet: withHeader({ ns: 2 }, question), want: 'FORMERR' },
  { name: 'ARCOUNT 3', packet: withHeader({ ar: 3 }, question), want: 'FORMERR' },
  { name: 'ARCOUNT 65535 with no records', packet: withHeader({ ar: 65535 }, question), want: 'FORMERR' },
  { name: 'label length past the end', packet: withHeader({}, Buffer.from([40, 97, 98, 99])), want: 'FORMERR' },
  {
    name: 'label length 64 (reserved bits)',
    packet: withHeader({}, Buffer.concat([Buffer.from([64]), Buffer.alloc(64, 97), Buffer.from([0]), tail])),
    want: 'FORMERR',
  },
  {
    name: 'compression pointer to itself',
    packet: withHeader({}, Buffer.concat([Buffer.from([0xc0, 12]), tail])),
    want: 'FORMERR',
  },
  {
    name: 'compression loop between two pointers',
    packet: withHeader({}, Buffer.concat([Buffer.from([1, 97, 0xc0, 12]), tail])),
    want: 'FORMERR',
  },
  {
    name: 'forward compression pointer',
    packet: withHeader({}, Buffer.concat([Buffer.from([0xc0, 40]), tail, Buffer.alloc(40)])),
    want: 'FORMERR',
  },
  {
    name: 'name longer than 255 bytes',
    packet: withHeader(
      {},
      Buffer.concat([
        ...Array.from({ length: 5 }, () => Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 97)])),
        Buffer.from([0]),
        tail,
      ]),
    ),
    want: 'FORMERR',
  },
  { name: 'question without type and class', packet: withHeader({}, Buffer.from([1, 97, 0])), want: 'FORMERR' },
  {
    name: 'answer record with rdlength past the end',
    packet: withHeader({ an: 1 }, Buffer.concat([question, Buffer.from([0, 0, 1, 0, 1, 0, 0, 0, 5, 0xff, 0xff, 1])])),
    want: 'FORMERR',
  },
  {
    name: 'two OPT records',
    packet: withHeader(
      { ar: 2 },
      Buffer.concat([
        question,
        Buffer.from([0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0]),
        Buffer.from([0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0]),
      ]),
    ),
    want: 'FORMERR',
  },
];

const RCODES: Record<string, number> = { FORMERR: 1, NOTIMP: 4 };

describe('malformed packets over UDP', () => {
  test.each(BAD)('$name, then a normal query is answered', async ({ packet, want }) => {
    const reply = await udpExchange(dns.address.port, packet, want === 'none' ? 300 : 2000);
    if (want === 'none') expect(reply).toBeUndefined();
    else {
      expect(reply).toBeDefined();
      const h = header(reply!);
      expect(h.qr).toBe(true);
      expect(h.id).toBe(0xbeef);
      expect(h.rcode).toBe(RCODES[want]);
      expect(h.an + h.ns).toBe(0);
    }
    const ok = await udpExchange(dns.address.port, good, 2000);
    expect(ok && header(ok).rcode).toBe(0);
    expect(ok && header(ok).an).toBe(1);
  });

  test('200 seeded random datagrams, then a normal query is answered', async () => {
    const rand = seededRandom(7);
    for (let i = 0; i < 200; i++) {
      const len = Math.floor(rand() * 80);
      const b = Buffer.from(Array.from({ length: len }, () => Math.floor(rand() * 256)));
      // Keep some close to valid: a plausible header with QDCOUNT 1 and random body.
      if (i % 2 === 0 && len >= 12) {
        b.writeUInt16BE(0x0100, 2);
        b.writeUInt16BE(1, 4);
        b.writeUInt32BE(0, 6);
        b.writeUInt16BE(0, 10);
      }
      await udpExchange(dns.address.port, b, 5);
    }
    const ok = await udpExchange(dns.address.port, good, 2000);
    expect(ok && header(ok).rcode).toBe(0);
  });

  test('every prefix of a valid query, then a normal query is answered', async () => {
    for (let n = 0; n < good.length; n++) await udpExchange(dns.address.port, good.subarray(0, n), 5);
    const ok = await udpExchange(dns.address.port, good, 2000);
    expect(ok && header(ok).an).toBe(1);
  });
});

describe('malformed input over TCP', () => {
  test('a malformed frame gets FORMERR and the same connection keeps answering', async () => {
    const bad = withHeader({ qd: 2 }, question);
    const replies = await tcpExchange(dns.address.port, [bad, good, good], 3);
    expect(replies.map((r) => header(r).rcode)).toEqual([1, 0, 0]);
  });

  test('garbage on one connection does not stop a new connection from being answered', async () => {
    await tcpExchange(dns.address.port, [Buffer.from('GET / HTTP/1.1\r\n\r\n')], 1, 300);
    const replies = await tcpExchange(dns.address.port, [good], 1);
    expect(replies.map((r) => header(r).an)).toEqual([1]);
  });
});
