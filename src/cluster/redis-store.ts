// The ClusterStore on Redis, shared by every emulated node, process and host that opens the same URL.
// Layout, all under one hash tag so it works on Redis Cluster:
//   {kubeplane:<prefix>}:rv             the cluster-wide resourceVersion (INCR)
//   {kubeplane:<prefix>}:objects:<Kind> a hash per kind: objectKey -> JSON
//   {kubeplane:<prefix>}:log            a Stream of every change, entry ID "<rv>-<i>", capped by MAXLEN
// Changes run as Lua scripts (redis-scripts.ts), so objects, version and log move together.
import { ResourceVersionGoneError, StoreError } from '../errors.js';
import { connectRedis, dedicatedConnection, type RedisClient, unreachable } from './redis-connect.js';
import { decodeObject, fieldOf, STORE_KINDS } from './redis-decode.js';
import { DELETE, REPLACE, runScript, type Script, SNAPSHOT, UPSERT } from './redis-scripts.js';
import { parseRedisUrl, type RedisTarget } from './redis-url.js';
import { afterVersion, RedisWatch } from './redis-watch.js';
import type { ClusterStore, StoreSnapshot, Watch, WatchEvent, WatchOptions } from './store.js';
import type { ClusterKind, ClusterObject } from './types.js';

export interface RedisStoreOptions {
  /** Change-log entries kept for watchers that resume (XADD MAXLEN). */
  streamMaxLen?: number;
  /** Most objects a snapshot or list reads back. */
  maxObjects?: number;
  connectTimeoutMs?: number;
}

const DEFAULT_STREAM_MAXLEN = 100_000;
const DEFAULT_MAX_OBJECTS = 2_000_000;

export class RedisClusterStore implements ClusterStore {
  private readonly watches = new Set<RedisWatch>();
  private readonly keys: { rv: string; log: string; kind: (k: ClusterKind) => string };
  private readonly kindKeys: string[];
  private readonly maxLen: number;
  private readonly maxObjects: number;

  private constructor(
    private readonly client: RedisClient,
    readonly target: RedisTarget,
    options: RedisStoreOptions,
  ) {
    const tag = `{kubeplane:${target.prefix}}`;
    this.keys = { rv: `${tag}:rv`, log: `${tag}:log`, kind: (k) => `${tag}:objects:${k}` };
    this.kindKeys = STORE_KINDS.map((k) => this.keys.kind(k));
    this.maxLen = options.streamMaxLen ?? DEFAULT_STREAM_MAXLEN;
    this.maxObjects = options.maxObjects ?? DEFAULT_MAX_OBJECTS;
  }

  /** Connect to `url` (redis://HOST:PORT/DB or redis+cluster://...); a StoreError says why not. */
  static async open(url: string | RedisTarget, options: RedisStoreOptions = {}): Promise<RedisClusterStore> {
    const target = typeof url === 'string' ? parseRedisUrl(url) : url;
    const client = await connectRedis(target, { connectTimeoutMs: options.connectTimeoutMs });
    return new RedisClusterStore(client, target, options);
  }

  private async run(s: Script, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await runScript(this.client, s, keys, args);
    } catch (err) {
      const msg = String((err as Error).message);
      if (msg.includes('KUBEPLANE_TOO_BIG'))
        throw new StoreError(
          `${this.target.display}: the store holds ${msg.split(' ').at(-1)} objects, more than the ${this.maxObjects} kubeplane reads at once`,
        );
      if (/WRONGTYPE|ERR Error running script|user_script/.test(msg))
        throw new StoreError(
          `${this.target.display}: the keys under {kubeplane:${this.target.prefix}} hold data kubeplane did not write (${msg}); choose another ?prefix=`,
          { cause: err },
        );
      throw unreachable(this.target, err);
    }
  }

  private objectArgs(objects: readonly ClusterObject[]): (string | number)[] {
    const args: (string | number)[] = [];
    for (const o of objects) {
      const i = STORE_KINDS.indexOf(o.kind as (typeof STORE_KINDS)[number]);
      if (i < 0) throw new StoreError(`a ${o.kind} cannot be stored (kinds: ${STORE_KINDS.join(', ')})`);
      // KEYS[1] and KEYS[2] are rv and log, so kind i sits at Lua index i + 3.
      args.push(i + 3, fieldOf(o), JSON.stringify(o));
    }
    return args;
  }

  async upsert(objects: readonly ClusterObject[]): Promise<number> {
    const args = this.objectArgs(objects);
    return Number(await this.run(UPSERT, [this.keys.rv, this.keys.log, ...this.kindKeys], [this.maxLen, ...args]));
  }

  async replace(objects: readonly ClusterObject[]): Promise<number> {
    // The last object with a key wins, in the place of the first (as planReplace).
    const unique = new Map<string, ClusterObject>();
    for (const o of objects) unique.set(`${o.kind}/${fieldOf(o)}`, o);
    const args = this.objectArgs([...unique.values()]);
    return Number(await this.run(REPLACE, [this.keys.rv, this.keys.log, ...this.kindKeys], [this.maxLen, ...args]));
  }

  async delete(kind: ClusterKind, key: string): Promise<number | undefined> {
    const r = await this.run(DELETE, [this.keys.rv, this.keys.log, this.keys.kind(kind)], [this.maxLen, key]);
    return r === null ? undefined : Number(r);
  }

  async get(kind: ClusterKind, key: string): Promise<ClusterObject | undefined> {
    let text: string | null;
    try {
      text = await this.client.hget(this.keys.kind(kind), key);
    } catch (err) {
      throw unreachable(this.target, err);
    }
    return text === null ? undefined : this.decode(kind, key, text);
  }

  async list(kind?: ClusterKind): Promise<ClusterObject[]> {
    const all = (await this.snapshot()).objects;
    return kind ? all.filter((o) => o.kind === kind) : all;
  }

  async snapshot(): Promise<StoreSnapshot> {
    const reply = (await this.run(SNAPSHOT, [this.keys.rv, ...this.kindKeys], [this.maxObjects])) as [
      string,
      ...string[][],
    ];
    const objects: ClusterObject[] = [];
    STORE_KINDS.forEach((kind, i) => {
      const flat = reply[i + 1] ?? [];
      for (let j = 0; j + 1 < flat.length; j += 2) objects.push(this.decode(kind, flat[j]!, flat[j + 1]!));
    });
    return { resourceVersion: Number(reply[0]), objects };
  }

  private decode(kind: ClusterKind, field: string, text: string): ClusterObject {
    const where = `${this.target.display} ${this.keys.kind(kind)} ${JSON.stringify(field)}`;
    const o = decodeObject(where, kind, text);
    if (fieldOf(o) !== field) throw new StoreError(`${where}: holds the object ${JSON.stringify(fieldOf(o))}`);
    return o;
  }

  async watch(onEvent: (event: WatchEvent) => void, options: WatchOptions = {}): Promise<Watch> {
    // Where to start, checked against the oldest entry still in the log (one consistent read).
    let rv: number;
    let oldest: string | undefined;
    try {
      const [[, rvText], [, first]] = (await this.client
        .multi()
        .get(this.keys.rv)
        .xrange(this.keys.log, '-', '+', 'COUNT', 1)
        .exec()) as [[unknown, string | null], [unknown, [string, string[]][]]];
      rv = Number(rvText ?? 0);
      oldest = first[0]?.[0];
    } catch (err) {
      throw unreachable(this.target, err);
    }
    // A version from the future watches from now, as the memory store does.
    const since = Math.min(options.sinceResourceVersion ?? rv, rv);
    if (since < rv) {
      const m = oldest ? /^(\d+)-(\d+)$/.exec(oldest) : null;
      const oldestRv = m ? Number(m[1]) : undefined;
      // The entry right after `since` must still be there: "<since+1>-0" or anything older.
      const kept = oldestRv !== undefined && (oldestRv < since + 1 || (oldestRv === since + 1 && m![2] === '0'));
      if (!kept) throw new ResourceVersionGoneError(since, oldestRv);
    }
    const conn = dedicatedConnection(this.client);
    const w = new RedisWatch(conn, this.keys.log, afterVersion(since), onEvent, {
      ...options,
      onClose: (err) => {
        this.watches.delete(w);
        options.onClose?.(err);
      },
    });
    this.watches.add(w);
    void w.run();
    return {
      stop: () => {
        this.watches.delete(w);
        w.stop();
      },
    };
  }

  async close(): Promise<void> {
    for (const w of this.watches) w.stop();
    this.watches.clear();
    this.client.disconnect();
  }
}
