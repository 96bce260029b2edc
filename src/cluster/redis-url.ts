// The --store / dataStore URL: redis://[user:pass@]HOST:PORT[/DB][?prefix=NAME] for one server,
// redis+cluster://HOST:PORT,HOST:PORT[?prefix=NAME] for a Redis Cluster (seed nodes). Pure.
import { StoreError } from '../errors.js';

export interface RedisTarget {
  readonly cluster: boolean;
  readonly nodes: readonly { host: string; port: number }[];
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  /** Names this kubeplane cluster inside the Redis keyspace: every key is under `{kubeplane:<prefix>}`. */
  readonly prefix: string;
  /** The URL without its password, for messages. */
  readonly display: string;
}

const PREFIX = /^[A-Za-z0-9._-]{1,64}$/;

export class RedisUrlError extends StoreError {
  override readonly isInputError = true;
}

export function parseRedisUrl(text: string): RedisTarget {
  const bad = (why: string) =>
    new RedisUrlError(
      `store URL "${text}": ${why} (expected redis://HOST:PORT/DB or redis+cluster://HOST:PORT,HOST:PORT)`,
    );
  const m = /^(redis|redis\+cluster):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)(?:\/(\d*))?(?:\?([^#]*))?$/.exec(text);
  if (!m) throw bad('not a Redis URL');
  const cluster = m[1] === 'redis+cluster';
  const nodes = m[4]!.split(',').map((hp) => {
    const h = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(hp);
    if (!h) throw bad(`"${hp}" is not HOST:PORT`);
    const port = h[2] === undefined ? 6379 : Number(h[2]);
    if (port < 1 || port > 65535) throw bad(`port ${h[2]} is out of range`);
    return { host: h[1]!.replace(/^\[|\]$/g, ''), port };
  });
  if (!cluster && nodes.length > 1) throw bad('several hosts need redis+cluster://');
  const db = m[5] ? Number(m[5]) : 0;
  if (!Number.isSafeInteger(db) || db > 1_000_000) throw bad(`database "${m[5]}" is not a number`);
  if (cluster && db !== 0) throw bad('Redis Cluster has only database 0');
  const params = new URLSearchParams(m[6] ?? '');
  for (const k of params.keys()) if (k !== 'prefix') throw bad(`unknown parameter "${k}" (known: prefix)`);
  const prefix = params.get('prefix') ?? 'default';
  if (!PREFIX.test(prefix)) throw bad(`prefix "${prefix}" must be 1-64 of A-Z a-z 0-9 . _ -`);
  const username = m[2] ? decodeURIComponent(m[2]) : undefined;
  const password = m[3] !== undefined ? decodeURIComponent(m[3]) : undefined;
  const display = `${m[1]}://${nodes.map((n) => `${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`).join(',')}${cluster ? '' : `/${db}`}`;
  return {
    cluster,
    nodes,
    db,
    prefix,
    display,
    ...(username ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
  };
}

/** Is this text meant as a store URL (rather than, say, a directory)? */
export function isRedisUrl(text: string): boolean {
  return /^redis(\+cluster)?:\/\//.test(text);
}
