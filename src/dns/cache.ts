// A small cache for forwarded answers (CoreDNS `cache 30`): whole replies keyed by the query bytes,
// served with their TTLs counted down. TTL offsets are found once, when a reply is stored.
import { readName } from './wire/decode.js';

interface Entry {
  reply: Buffer;
  ttlOffsets: number[];
  ttls: number[];
  storedAt: number;
  expiresAt: number;
  denial: boolean;
}

export interface CacheStats {
  hits: { success: number; denial: number };
  misses: number;
  evictions: number;
}

/** Offsets of every RR's TTL field (OPT excluded), or undefined if the reply does not parse. */
function ttlOffsets(reply: Buffer): { offsets: number[]; ttls: number[] } | undefined {
  try {
    const qd = reply.readUInt16BE(4);
    const rrs = reply.readUInt16BE(6) + reply.readUInt16BE(8) + reply.readUInt16BE(10);
    let pos = 12;
    for (let i = 0; i < qd; i++) pos = readName(reply, pos).end + 4;
    const offsets: number[] = [];
    const ttls: number[] = [];
    for (let i = 0; i < rrs; i++) {
      pos = readName(reply, pos).end;
      if (pos + 10 > reply.length) return undefined;
      if (reply.readUInt16BE(pos) !== 41) {
        offsets.push(pos + 4);
        ttls.push(reply.readUInt32BE(pos + 4));
      }
      pos += 10 + reply.readUInt16BE(pos + 8);
    }
    return pos <= reply.length ? { offsets, ttls } : undefined;
  } catch {
    return undefined;
  }
}

export class ReplyCache {
  private readonly entries = new Map<string, Entry>();
  readonly stats: CacheStats = { hits: { success: 0, denial: 0 }, misses: 0, evictions: 0 };

  constructor(
    private readonly capacity = 10_000,
    private readonly maxTtl = 30,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** A cached reply with the query's id and TTLs reduced by the time spent in the cache. */
  get(key: string, id: number): Buffer | undefined {
    const e = this.entries.get(key);
    const now = this.now();
    if (!e || e.expiresAt <= now) {
      if (e) this.entries.delete(key);
      this.stats.misses++;
      return undefined;
    }
    if (e.denial) this.stats.hits.denial++;
    else this.stats.hits.success++;
    const out = Buffer.from(e.reply);
    out.writeUInt16BE(id, 0);
    const elapsed = Math.floor((now - e.storedAt) / 1000);
    e.ttlOffsets.forEach((off, i) => out.writeUInt32BE(Math.max(0, e.ttls[i]! - elapsed), off));
    return out;
  }

  /** Store NOERROR/NXDOMAIN replies that were not truncated, for min(TTLs, maxTtl) seconds. */
  put(key: string, reply: Buffer): void {
    const rcode = reply[3]! & 0x0f;
    if ((rcode !== 0 && rcode !== 3) || reply[2]! & 0x02) return;
    const parsed = ttlOffsets(reply);
    if (!parsed) return;
    const ttl = Math.min(this.maxTtl, ...parsed.ttls);
    if (ttl <= 0) return;
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
      this.stats.evictions++;
    }
    const now = this.now();
    const denial = rcode === 3 || reply.readUInt16BE(6) === 0;
    this.entries.set(key, {
      reply: Buffer.from(reply),
      ...{ ttlOffsets: parsed.offsets, ttls: parsed.ttls },
      storedAt: now,
      expiresAt: now + ttl * 1000,
      denial,
    });
  }
}
