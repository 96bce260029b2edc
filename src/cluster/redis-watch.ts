// A watch over the Redis change log: XREAD BLOCK on a connection of its own, from the last entry
// delivered. A dropped connection or a restarted Redis only delays it (ioredis reconnects with
// backoff and the read resumes from the same ID, so nothing is missed or delivered twice). Entries
// must follow each other without a hole (IDs are "<rv>-<i>", e=1 ends a batch); a hole means the
// stream was trimmed past this watcher, which then ends with ResourceVersionGoneError.
import { ResourceVersionGoneError, StoreError } from '../errors.js';
import type { RedisClient } from './redis-connect.js';
import { decodeObject } from './redis-decode.js';
import type { Watch, WatchEvent, WatchEventType, WatchOptions } from './store.js';

/** Entries read per XREAD: bounds what one reply may hold. */
const READ_COUNT = 512;
const BLOCK_MS = 5000;
const MAX_SEQ = '18446744073709551615';

export interface LogPosition {
  rv: number;
  seq: number;
  /** The entry at this position ended its batch (or there is no entry: a snapshot's version). */
  batchEnd: boolean;
}

/** Position of "everything up to and including resourceVersion rv". */
export const afterVersion = (rv: number): LogPosition => ({ rv, seq: 0, batchEnd: true });

/** The only ID that may follow `p` in an untrimmed log. */
export function successorOf(p: LogPosition): string {
  return p.batchEnd ? `${p.rv + 1}-0` : `${p.rv}-${p.seq + 1}`;
}

type Entry = [id: string, fields: string[]];

export function parseEntry(logKey: string, [id, fields]: Entry): { event: WatchEvent; pos: LogPosition } {
  const where = `${logKey} entry ${id}`;
  const m = /^(\d{1,15})-(\d{1,9})$/.exec(id);
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
  const type = f.get('t');
  const text = f.get('o');
  if (!m || (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') || text === undefined)
    throw new StoreError(`${where}: not a kubeplane change entry (expected fields t, o, e)`);
  const rv = Number(m[1]);
  return {
    event: { type: type as WatchEventType, object: decodeObject(where, undefined, text), resourceVersion: rv },
    pos: { rv, seq: Number(m[2]), batchEnd: f.get('e') === '1' },
  };
}

export class RedisWatch implements Watch {
  private stopped = false;

  constructor(
    private readonly conn: RedisClient,
    private readonly logKey: string,
    private pos: LogPosition,
    private readonly onEvent: (e: WatchEvent) => void,
    private readonly options: WatchOptions,
  ) {}

  private up = true;

  private connection(up: boolean, err?: unknown): void {
    if (this.stopped || up === this.up) return;
    this.up = up;
    this.options.onConnection?.(up, err);
  }

  /** Read until stopped; call once. */
  async run(): Promise<void> {
    // The connection queues commands while it reconnects, so a read may just wait: say so from its events.
    this.conn.on('close', () => this.connection(false, new Error('connection to Redis closed')));
    this.conn.on('ready', () => this.connection(true));
    let failures = 0;
    while (!this.stopped) {
      let reply: [string, Entry[]][] | null;
      try {
        const from = this.pos.batchEnd ? `${this.pos.rv}-${MAX_SEQ}` : `${this.pos.rv}-${this.pos.seq}`;
        reply = (await this.conn.xread('COUNT', READ_COUNT, 'BLOCK', BLOCK_MS, 'STREAMS', this.logKey, from)) as
          | [string, Entry[]][]
          | null;
        this.connection(true);
        failures = 0;
      } catch (err) {
        // Disconnected, or Redis restarting: try again from the same position, backing off.
        if (this.stopped) return;
        this.connection(false, err);
        failures++;
        await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** Math.min(failures, 6), 2000)));
        continue;
      }
      if (this.stopped) return;
      for (const entry of reply?.[0]?.[1] ?? []) {
        let parsed: ReturnType<typeof parseEntry>;
        try {
          if (entry[0] !== successorOf(this.pos)) {
            const kept = /^(\d+)-(\d+)$/.exec(entry[0]);
            throw new ResourceVersionGoneError(this.pos.rv, kept ? Number(kept[1]) : undefined);
          }
          parsed = parseEntry(this.logKey, entry);
        } catch (err) {
          this.end(err instanceof StoreError ? err : new StoreError(String(err), { cause: err }));
          return;
        }
        this.pos = parsed.pos;
        this.onEvent(parsed.event);
        if (this.stopped) return;
      }
    }
  }

  private end(err: StoreError): void {
    this.stop();
    this.options.onClose?.(err);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.conn.disconnect();
  }
}
