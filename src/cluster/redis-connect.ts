// Opening a connection to the Redis a RedisTarget names. ioredis is loaded here, on first use, so
// commands (and the CNI plugin) that never touch Redis never load it.
import type { Cluster, Redis } from 'ioredis';
import { StoreError } from '../errors.js';
import type { RedisTarget } from './redis-url.js';

export type RedisClient = Redis | Cluster;

export interface ConnectOptions {
  /** Give up on the first connection after this long. */
  connectTimeoutMs?: number;
  /** Commands sent while disconnected wait for the reconnection (a watcher) or fail at once (the CLI). */
  queueWhileDisconnected?: boolean;
}

/** Backoff between reconnection attempts: 50 ms doubling to 2 s; ioredis keeps trying for ever. */
const retryStrategy = (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2000);

export async function connectRedis(target: RedisTarget, options: ConnectOptions = {}): Promise<RedisClient> {
  const { Redis, Cluster } = await import('ioredis');
  const auth = {
    ...(target.username ? { username: target.username } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
  };
  const common = {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 3000,
    enableOfflineQueue: options.queueWhileDisconnected ?? false,
    maxRetriesPerRequest: options.queueWhileDisconnected ? null : 1,
    retryStrategy,
  };
  const client: RedisClient = target.cluster
    ? new Cluster([...target.nodes], {
        lazyConnect: true,
        enableOfflineQueue: common.enableOfflineQueue,
        clusterRetryStrategy: retryStrategy,
        redisOptions: { ...common, ...auth },
      })
    : new Redis({ ...common, ...auth, host: target.nodes[0]!.host, port: target.nodes[0]!.port, db: target.db });
  // Errors surface through the commands that fail; an unhandled 'error' event would crash the process.
  // The socket's own error (ECONNREFUSED ...) says more than ioredis's "Connection is closed".
  let cause: unknown;
  client.on('error', (err) => {
    cause ??= err;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    client.disconnect();
    throw unreachable(target, cause ?? err);
  }
  return client;
}

/** Redis is down or refuses us: say where, why, and what to do. */
export function unreachable(target: RedisTarget, err: unknown): StoreError {
  const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message ?? String(err);
  return new StoreError(
    `cannot reach Redis at ${target.display} (${why}); start redis-server there or pass another store URL`,
    { cause: err },
  ).about('store');
}

/**
 * A connection of its own for a blocking reader (XREAD BLOCK would stall every other command on a
 * shared one). It connects at once, queues while disconnected and retries for ever, so a dropped
 * connection or a restarted Redis only delays the reader.
 */
export function dedicatedConnection(client: RedisClient): RedisClient {
  const opts = { lazyConnect: false, enableOfflineQueue: true, maxRetriesPerRequest: null };
  const conn =
    'duplicate' in client && 'nodes' in client
      ? (client as Cluster).duplicate(undefined, { enableOfflineQueue: true, redisOptions: opts })
      : (client as Redis).duplicate(opts);
  conn.on('error', () => {});
  return conn;
}
