// Talking to the upstream resolver: one UDP socket with our own transaction IDs, a timeout per
// query, and a TCP fallback when the upstream truncates and the client came over TCP.
import dgram from 'node:dgram';
import net from 'node:net';
import { Packet } from 'dns2';
import { DnsError } from '../errors.js';
import type { Rr } from './types.js';
import { TYPE } from './types.js';

export interface UpstreamAddress {
  host: string;
  port: number;
}

/** "IP:PORT" or "[v6]:PORT" -> address; throws DnsError naming the flag on bad input. */
export function parseHostPort(text: string, flag: string): UpstreamAddress {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || !net.isIP(m[1]!) || !(port >= 0 && port <= 65535)) {
    throw new DnsError(`${flag}: expected IP:PORT (e.g. 127.0.0.1:5353), got "${text}"`, true);
  }
  return { host: m[1]!, port };
}

interface Pending {
  originalId: number;
  resolve(reply: Buffer): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class Upstream {
  private readonly socket: dgram.Socket;
  private readonly pending = new Map<number, Pending>();
  private nextId = Math.floor(Math.random() * 0x10000);

  constructor(
    readonly address: UpstreamAddress,
    private readonly timeoutMs = 2000,
  ) {
    this.socket = dgram.createSocket(net.isIPv6(address.host) ? 'udp6' : 'udp4');
    this.socket.on('message', (msg) => this.onReply(msg));
    this.socket.on('error', () => {});
    this.socket.unref();
  }

  /** Queries sent and not yet answered or timed out. */
  get inFlight(): number {
    return this.pending.size;
  }

  private onReply(msg: Buffer): void {
    if (msg.length < 12) return;
    const p = this.pending.get(msg.readUInt16BE(0));
    if (!p) return;
    this.pending.delete(msg.readUInt16BE(0));
    clearTimeout(p.timer);
    msg.writeUInt16BE(p.originalId, 0);
    p.resolve(msg);
  }

  private freeId(): number {
    for (let i = 0; i < 0x10000; i++) {
      this.nextId = (this.nextId + 1) & 0xffff;
      if (!this.pending.has(this.nextId)) return this.nextId;
    }
    throw new DnsError('too many queries in flight to the upstream', false);
  }

  /** Send a whole query (any id) and resolve with the reply carrying the query's id. */
  query(message: Buffer, overTcp = false): Promise<Buffer> {
    if (overTcp) return this.queryTcp(message);
    return new Promise((resolve, reject) => {
      const id = this.freeId();
      const out = Buffer.from(message);
      out.writeUInt16BE(id, 0);
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new DnsError(`upstream ${this.address.host}:${this.address.port} timed out`, false));
      }, this.timeoutMs);
      this.pending.set(id, { originalId: message.readUInt16BE(0), resolve, reject, timer });
      this.socket.send(out, this.address.port, this.address.host, (err) => {
        if (!err) return;
        clearTimeout(timer);
        this.pending.delete(id);
        reject(err);
      });
    });
  }

  private queryTcp(message: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(this.address.port, this.address.host);
      let data = Buffer.alloc(0);
      const fail = (err: Error) => {
        sock.destroy();
        reject(err);
      };
      sock.setTimeout(this.timeoutMs, () => fail(new DnsError('upstream TCP query timed out', false)));
      sock.on('error', fail);
      sock.on('connect', () => {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(message.length);
        sock.write(Buffer.concat([len, message]));
      });
      sock.on('data', (chunk) => {
        data = Buffer.concat([data, chunk]);
        if (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) {
          sock.end();
          resolve(data.subarray(2, 2 + data.readUInt16BE(0)));
        }
      });
      sock.on('end', () => fail(new DnsError('upstream closed the TCP connection early', false)));
    });
  }

  close(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new DnsError('upstream closed', false));
    }
    this.pending.clear();
    this.socket.close();
  }
}

/** A recursive query for one name and type, built with dns2 (the id is replaced when sent). */
export function queryFor(name: string, type: number): Buffer {
  const query = new Packet();
  query.header.id = 0;
  query.header.rd = 1;
  query.questions.push({ name, type, class: 1 } as never);
  return query.toBuffer();
}

interface Dns2Record {
  name: string;
  type: number;
  ttl: number;
  address?: string;
  domain?: string;
  data?: string;
}

/** The A, AAAA, CNAME and TXT records of an upstream reply (decoded by dns2), and its TC bit. */
export function answerRecords(reply: Buffer): { records: Rr[]; truncated: boolean } {
  const parsed = Packet.parse(reply);
  const records: Rr[] = [];
  for (const r of parsed.answers as Dns2Record[]) {
    if ((r.type === TYPE.A || r.type === TYPE.AAAA) && r.address)
      records.push({ name: r.name, type: r.type, ttl: r.ttl, data: r.address });
    else if (r.type === TYPE.CNAME && r.domain)
      records.push({ name: r.name, type: TYPE.CNAME, ttl: r.ttl, data: r.domain });
    else if (r.type === TYPE.TXT && typeof r.data === 'string')
      records.push({ name: r.name, type: TYPE.TXT, ttl: r.ttl, data: [r.data] });
  }
  return { records, truncated: (reply[2]! & 0x02) !== 0 };
}
