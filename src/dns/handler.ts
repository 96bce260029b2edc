// Bytes in, bytes out: the thin request handler between the sockets and the pure zone (like
// CoreDNS's handler.go plus the server's error recovery). Gate and decode the query, look it up,
// follow up (forward, chase an ExternalName) when the zone says so, encode within the size limit.
// Every error becomes SERVFAIL; nothing here throws to the socket layer.
import type { ReplyCache } from './cache.js';
import type { ZoneIndex } from './index.js';
import { type DnsMetrics, typeLabel } from './metrics.js';
import { negative } from './records.js';
import { transferMessages, zoneTransfer } from './transfer.js';
import type { Answer, Question, Rr } from './types.js';
import { RCODE, TYPE } from './types.js';
import { answerRecords, queryFor, type Upstream } from './upstream.js';
import { decodeQuery, type Query } from './wire/decode.js';
import { encodeReply } from './wire/encode.js';
import { lookup, type ZoneOptions } from './zone.js';

export type Proto = 'udp' | 'tcp';

export interface HandlerOptions {
  zone: ZoneOptions;
  upstream?: Upstream | undefined;
  cache?: ReplyCache | undefined;
  metrics?: DnsMetrics | undefined;
  /** Called with errors turned into SERVFAIL (the CLI prints them). */
  onError?: ((err: unknown) => void) | undefined;
}

const EMPTY: Rr[] = [];

/** Encoded authoritative replies by query bytes (all but the ID): valid until the zone changes. */
const ANSWER_CACHE_LIMIT = 50_000;
const MAX_CONCURRENT_FORWARDS = 1000;

/** A reply ready to send but for the ID, with what the metrics need to count it. */
interface CachedAnswer {
  reply: Buffer;
  type: number;
  ednsSize: number | undefined;
  dnssecOk: boolean;
}

export class DnsHandler {
  private readonly answers = new Map<string, CachedAnswer>();
  private answersGeneration = -1;

  constructor(
    public index: ZoneIndex,
    readonly options: HandlerOptions,
  ) {}

  /** One reply, or several for a zone transfer over TCP; undefined: send nothing. */
  handle(
    msg: Buffer,
    proto: Proto,
    family: '1' | '2' = '1',
  ): Buffer | Buffer[] | undefined | Promise<Buffer | undefined> {
    const started = performance.now();
    // The reply is a function of the query bytes after the ID, the transport and the zone's state:
    // a query seen before (byte for byte) is answered without parsing it again.
    if (this.answersGeneration !== this.index.generation) {
      this.answers.clear();
      this.answersGeneration = this.index.generation;
    }
    const key = proto === 'udp' ? msg.toString('latin1', 2) : `tcp${msg.toString('latin1', 2)}`;
    const cached = msg.length >= 12 ? this.answers.get(key) : undefined;
    if (cached) {
      const out = Buffer.from(cached.reply);
      out[0] = msg[0]!;
      out[1] = msg[1]!;
      this.countRequest(proto, cached.ednsSize, cached.dnssecOk);
      this.count(proto, family, cached.type, out[3]! & 0x0f, out.length, started);
      return out;
    }
    let decoded: ReturnType<typeof decodeQuery>;
    try {
      decoded = decodeQuery(msg);
    } catch (err) {
      this.options.onError?.(err);
      return undefined;
    }
    if (decoded.kind === 'drop') return undefined;
    if (decoded.kind === 'error') {
      const { id, opcode, rd, cd, rcode, question } = decoded;
      const out = encodeReply({
        id,
        opcode,
        rcode,
        aa: false,
        rd,
        cd,
        question,
        answer: EMPTY,
        authority: EMPTY,
        additional: EMPTY,
        opt: undefined,
      });
      this.count(proto, family, question?.type, rcode, out.length, started);
      return out;
    }
    const q = decoded.query;
    this.countRequest(proto, q.edns?.udpSize, q.edns?.dnssecOk === true);
    try {
      const result = this.answer(q, msg, proto, key);
      if (Array.isArray(result)) {
        this.count(proto, family, q.question.type, 0, result[0]!.length, started);
        return result;
      }
      if (result instanceof Promise) {
        return result.then(
          (out) => this.finish(q, proto, family, out, started),
          (err) => this.finish(q, proto, family, this.servfail(q, err), started),
        );
      }
      return this.finish(q, proto, family, result, started);
    } catch (err) {
      return this.finish(q, proto, family, this.servfail(q, err), started);
    }
  }

  /** CoreDNS: the EDNS0 buffer size asked for (64K over TCP), and queries with the DO bit. */
  private countRequest(proto: Proto, ednsSize: number | undefined, dnssecOk: boolean): void {
    const m = this.options.metrics;
    if (!m) return;
    m.requestSize.observeKey(proto, () => [m.server, '.', '', proto], proto === 'tcp' ? 65535 : (ednsSize ?? 512));
    if (dnssecOk) m.doRequests.incKey('do', () => [m.server, '', '.']);
  }

  private finish(q: Query, proto: Proto, family: '1' | '2', out: Buffer, started: number): Buffer {
    this.count(proto, family, q.question.type, out[3]! & 0x0f, out.length, started);
    return out;
  }

  private count(
    proto: Proto,
    family: string,
    type: number | undefined,
    rcode: number,
    size: number,
    started: number,
  ): void {
    const m = this.options.metrics;
    if (!m) return;
    const t = typeLabel(type);
    m.requests.incKey(proto + family + t, () => [m.server, '.', '', proto, family, t]);
    m.responses.incKey(String(rcode), () => [m.server, '.', '', rcodeLabel(rcode), '']);
    m.duration.observeKey(t, () => [m.server, '.', '', t], (performance.now() - started) / 1000);
    m.responseSize.observeKey(proto, () => [m.server, '.', '', proto], size);
  }

  private servfail(q: Query, err: unknown): Buffer {
    this.options.onError?.(err);
    this.options.metrics?.panics.inc([]);
    return this.reply(
      q,
      { rcode: RCODE.SERVFAIL, authoritative: false, answer: [], authority: [], additional: [] },
      'udp',
    );
  }

  private limit(q: Query, proto: Proto): number {
    if (proto === 'tcp') return 65535;
    return Math.max(512, q.edns?.udpSize ?? 512);
  }

  private reply(q: Query, a: Answer, proto: Proto, extendedRcode = 0): Buffer {
    return encodeReply(
      {
        id: q.id,
        opcode: q.opcode,
        rcode: a.rcode,
        aa: a.authoritative,
        rd: q.rd,
        cd: q.cd,
        question: q.question,
        answer: a.answer,
        authority: a.authority,
        additional: a.additional,
        opt: q.edns
          ? { udpSize: q.edns.udpSize, extendedRcode, dnssecOk: q.edns.dnssecOk, options: q.edns.echo }
          : undefined,
      },
      this.limit(q, proto),
    );
  }

  private answer(q: Query, msg: Buffer, proto: Proto, cacheKey: string): Buffer | Buffer[] | Promise<Buffer> {
    if (q.edns && q.edns.version > 0) {
      // BADVERS is 16: 0 in the header's 4 bits, 1 in the OPT's extended-rcode byte.
      return this.reply(q, { rcode: 0, authoritative: false, answer: [], authority: [], additional: [] }, proto, 1);
    }
    const type = q.question.type;
    if ((type === TYPE.AXFR || type === TYPE.IXFR) && this.options.zone.transfer) {
      const out = this.transfer(q, proto);
      if (out) return out;
    }
    const a = lookup(this.index, q.question, this.options.zone);
    const f = a.followup;
    if (f?.kind === 'forward' && this.options.upstream) return this.forward(q, msg, proto);
    if (f?.kind === 'chase' && this.options.upstream) return this.chase(q, a, f.target, f.type, proto);
    const out = this.reply(q, a, proto);
    if (this.answers.size >= ANSWER_CACHE_LIMIT) this.answers.clear();
    this.answers.set(cacheKey, {
      reply: out,
      type: q.question.type,
      ednsSize: q.edns?.udpSize,
      dnssecOk: q.edns?.dnssecOk === true,
    });
    return out;
  }

  /**
   * CoreDNS's `transfer { to * }` in front of the kubernetes plugin: AXFR (and IXFR, answered as an
   * AXFR unless the client already has the current serial) of a cluster zone, over TCP only.
   * Undefined when the name is not a zone we transfer (the kubernetes plugin then refuses it).
   */
  private transfer(q: Query, proto: Proto): Buffer | Buffer[] | undefined {
    const records = zoneTransfer(this.index, this.options.zone, q.question.name);
    if (!records) return undefined;
    const fail = (rcode: number) =>
      this.reply(q, { rcode, authoritative: false, answer: [], authority: [], additional: [] }, proto);
    if (proto !== 'tcp') return fail(RCODE.REFUSED);
    const soa = records[0]!;
    if (q.question.type === TYPE.IXFR) {
      // The transfer plugin needs the client's SOA; with the current serial the answer is that SOA alone.
      if (q.authoritySoaSerial === undefined) return fail(RCODE.SERVFAIL);
      if (soa.type === TYPE.SOA && q.authoritySoaSerial !== 0 && soa.data.serial === q.authoritySoaSerial) {
        return this.reply(q, { rcode: 0, authoritative: false, answer: [soa], authority: [], additional: [] }, proto);
      }
    }
    return transferMessages(q, records);
  }

  /** Relay the client's own query to the upstream (through the cache) and its reply back. */
  private async forward(q: Query, msg: Buffer, proto: Proto): Promise<Buffer> {
    const upstream = this.options.upstream!;
    const cache = this.options.cache;
    const key = `${proto}${msg[2]! & 0x01}${msg[3]! & 0x10}${msg.toString('latin1', 12)}`;
    const hit = cache?.get(key, q.id);
    if (hit) return hit;
    const m = this.options.metrics;
    if (upstream.inFlight >= MAX_CONCURRENT_FORWARDS) {
      // CoreDNS forward's max_concurrent (1000 in the add-on): over it, REFUSED at once.
      m?.forwardRejects.inc([]);
      return this.reply(
        q,
        { rcode: RCODE.REFUSED, authoritative: false, answer: [], authority: [], additional: [] },
        proto,
      );
    }
    const to = `${upstream.address.host}:${upstream.address.port}`;
    m?.forwardRequests.inc([to]);
    try {
      let reply = await upstream.query(msg);
      if (reply[2]! & 0x02 && proto === 'tcp') reply = await upstream.query(msg, true);
      cache?.put(key, reply);
      return reply;
    } catch (err) {
      m?.forwardFailures.inc([to]);
      this.options.onError?.(err);
      return this.reply(
        q,
        { rcode: RCODE.SERVFAIL, authoritative: false, answer: [], authority: [], additional: [] },
        proto,
      );
    }
  }

  /** ExternalName: the CNAME, then the upstream's records for the target (CoreDNS BL + upstream). */
  private async chase(q: Query, a: Answer, target: string, type: number, proto: Proto): Promise<Buffer> {
    const upstream = this.options.upstream!;
    let records: Rr[];
    let truncated: boolean;
    try {
      ({ records, truncated } = answerRecords(await upstream.query(queryFor(target, type))));
    } catch (err) {
      // CoreDNS drops the CNAME when the lookup itself fails: NODATA with the zone's SOA.
      this.options.onError?.(err);
      const soaZone = zoneOfName(q.question, this.options.zone.zones) ?? this.options.zone.zones[0] ?? 'cluster.local';
      return this.reply(
        q,
        negative(RCODE.NOERROR, soaZone, {
          ttl: this.options.zone.ttl,
          serial: this.options.zone.serial ?? this.index.serial,
        }),
        proto,
      );
    }
    const out = this.reply(q, { ...a, answer: [...a.answer, ...records] }, proto);
    // CoreDNS passes the upstream lookup's TC bit on (handler_test "CNAME External Truncated Lookup").
    if (truncated) out[2]! |= 0x02;
    return out;
  }
}

function zoneOfName(q: Question, zones: readonly string[]): string | undefined {
  const lower = q.name.toLowerCase();
  for (const z of zones) if (lower === z || lower.endsWith(`.${z}`)) return q.name.slice(q.name.length - z.length);
  return undefined;
}

function rcodeLabel(rcode: number): string {
  return ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'][rcode] ?? String(rcode);
}
