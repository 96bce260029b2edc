// Random DNS messages through the server's gate (DnsHandler.handle: decode, answer, encode) over
// the demo cluster's zone: queries for real names and types, then mutated (bytes flipped, cut,
// extended, counts changed), and plain random bytes. Every message gets a well-formed reply with its
// ID, or none; the only errors reported are the decoder's own (a malformed message), never an
// exception from the zone or the encoder (which the handler would turn into SERVFAIL).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { loadManifests } from '../../src/cluster/load.js';
import { DnsHandler } from '../../src/dns/handler.js';
import { ZoneIndex } from '../../src/dns/index.js';
import { OPTIONS } from '../dns/cases.js';
import { query } from '../dns/raw.js';
import { fixture } from '../support/cli.js';
import { fuzzParams, fuzzTimeout } from './params.js';

const { objects } = await loadManifests([fixture('demo')]);
const index = new ZoneIndex(objects);

const names = [
  'cluster.local',
  'kubernetes.default.svc.cluster.local',
  'default.svc.cluster.local',
  'svc.cluster.local',
  '_http._tcp.web.shop.svc.cluster.local',
  'web.shop.svc.cluster.local',
  '10-244-1-5.shop.pod.cluster.local',
  '1.0.96.10.in-addr.arpa',
  '0.96.10.in-addr.arpa',
  'ip6.arpa',
  'example.com',
  '*.shop.svc.cluster.local',
];
const types = [1, 2, 5, 6, 12, 15, 16, 28, 33, 35, 41, 250, 251, 252, 255, 0, 65535];

const label = fc.stringMatching(/^[a-z0-9_*-]{1,12}$/);
const qname = fc.oneof(
  fc.constantFrom(...names),
  fc.tuple(fc.array(label, { maxLength: 4 }), fc.constantFrom(...names)).map(([ls, n]) => [...ls, n].join('.')),
);

type Mutation = { at: number; op: 'flip' | 'cut' | 'byte' | 'count'; value: number };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('flip', 'cut', 'byte', 'count'),
  value: fc.integer({ min: 0, max: 255 }),
});

function mutate(msg: Buffer, ms: readonly Mutation[]): Buffer {
  let b = Buffer.from(msg);
  for (const m of ms) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.op === 'flip') b[at] = b[at]! ^ (1 << (m.value % 8));
    else if (m.op === 'byte') b[at] = m.value;
    else if (m.op === 'cut') b = b.subarray(0, at);
    else if (b.length >= 12) b[4 + 2 * (m.value % 4) + 1] = m.value % 4; // QD/AN/NS/AR count
  }
  return b;
}

/** EDNS OPT appended to a query (ARCOUNT 1), with a random payload size and option bytes. */
function withOpt(msg: Buffer, size: number, options: Uint8Array): Buffer {
  const opt = Buffer.alloc(11);
  opt.writeUInt16BE(41, 1);
  opt.writeUInt16BE(size, 3);
  opt.writeUInt16BE(options.length, 9);
  const out = Buffer.concat([msg, opt, Buffer.from(options)]);
  out.writeUInt16BE(1, 10);
  return out;
}

const message = fc.oneof(
  fc
    .record({
      name: qname,
      type: fc.constantFrom(...types),
      id: fc.integer({ min: 0, max: 0xffff }),
      opt: fc.option(fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 24 }))),
      mutations: fc.array(mutation, { maxLength: 4 }),
    })
    .map(({ name, type, id, opt, mutations }) => {
      const q = query(name, type, id);
      return mutate(opt ? withOpt(q, opt[0], opt[1]) : q, mutations);
    }),
  fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
);

describe('fuzz: DNS messages through the gate', () => {
  for (const proto of ['udp', 'tcp'] as const)
    test(
      `${proto}: every message gets a well-formed reply or none, and only decode errors are reported`,
      async () => {
        const errors: unknown[] = [];
        const handler = new DnsHandler(index, { zone: OPTIONS, onError: (e) => errors.push(e) });
        let answered = 0; // replies with records: the generator reaches the zone, not only the decoder
        await fc.assert(
          fc.asyncProperty(message, async (msg) => {
            errors.length = 0;
            const out = await handler.handle(msg, proto);
            for (const e of errors) expect((e as Error).constructor.name, String(e)).toBe('WireError');
            for (const reply of out === undefined ? [] : Array.isArray(out) ? out : [out]) {
              expect(reply.length).toBeGreaterThanOrEqual(12);
              expect(reply.length).toBeLessThanOrEqual(65535);
              expect(reply.readUInt16BE(0)).toBe(msg.readUInt16BE(0));
              expect(reply[2]! & 0x80).toBe(0x80); // a response
              if (reply.readUInt16BE(6) > 0) answered++;
            }
          }),
          fuzzParams(2000),
        );
        expect(answered).toBeGreaterThan(0);
      },
      fuzzTimeout(),
    );
});
