// The IpamStore on Redis: one pool shared by every process and host that opens the same URL and
// network, so two nodes never hand out one address. Keys, all under one hash tag (Redis Cluster):
//   {kubeplane-ipam:<prefix>:<network>}:ips          hash  ip -> owner key ("<id>\r\n<ifname>")
//   {kubeplane-ipam:<prefix>:<network>}:owner:<key>  set   the ips of one attachment
//   {kubeplane-ipam:<prefix>:<network>}:last         hash  range set -> last reserved ip
//   {kubeplane-ipam:<prefix>:<network>}:lock         the lock withLock holds (SET NX PX + token)
// A reservation is one Lua script (claim, index, cursor together), so it is atomic even without the
// lock; the lock keeps host-local's one-ADD-at-a-time order for the round-robin cursor.
import { randomBytes } from 'node:crypto';
import { connectRedis, type RedisClient } from '../../cluster/redis-connect.js';
import { parseRedisUrl } from '../../cluster/redis-url.js';
import { IpamError } from '../../errors.js';
import { parseIP } from '../ip.js';
import { type Holding, type IpamStore, type Owner, ownerKey } from '../store.js';

const RESERVE = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
return 1
`;
// KEYS: ips   ARGV: ip, owner-set key prefix. The owner's set is named from the hash value.
const RELEASE = `
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if not owner then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', ARGV[2] .. owner, ARGV[1])
return 1
`;
const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export interface RedisIpamOptions {
  /** How long withLock waits for another holder (default 10 s, host-local's lock has no timeout). */
  lockTimeoutMs?: number;
  /** A holder that died frees the lock after this long (default 30 s). */
  lockTtlMs?: number;
  /** Most reservations list() reads back. */
  maxHoldings?: number;
}

const NETWORK = /^[A-Za-z0-9._-]{1,128}$/;

export class RedisIpamStore implements IpamStore {
  private readonly k: { ips: string; last: string; lock: string; owner: string };
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly client: RedisClient,
    readonly where: string,
    prefix: string,
    network: string,
    private readonly options: RedisIpamOptions,
  ) {
    const tag = `{kubeplane-ipam:${prefix}:${network}}`;
    this.k = { ips: `${tag}:ips`, last: `${tag}:last`, lock: `${tag}:lock`, owner: `${tag}:owner:` };
  }

  static async open(url: string, network: string, options: RedisIpamOptions = {}): Promise<RedisIpamStore> {
    if (!NETWORK.test(network))
      throw new IpamError('invalid-config', `network name "${network}" cannot name a Redis pool`);
    let target: ReturnType<typeof parseRedisUrl>;
    try {
      target = parseRedisUrl(url);
    } catch (err) {
      throw new IpamError('invalid-config', `ipam.dataStore: ${(err as Error).message}`, 'ipam.dataStore');
    }
    const client = await connectRedis(target).catch((err: unknown) => {
      throw new IpamError('io', (err as Error).message, target.display, { cause: err });
    });
    return new RedisIpamStore(client, target.display, target.prefix, network, options);
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof IpamError) throw err;
      throw new IpamError('io', `Redis ${this.where}: ${what} failed: ${(err as Error).message}`, this.where, {
        cause: err,
      });
    }
  }

  withLock<T>(fn: () => Promise<T>): Promise<T> {
    // One holder per process at a time, then one per pool across processes.
    const run = this.tail.then(
      () => this.locked(fn),
      () => this.locked(fn),
    );
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    const token = randomBytes(12).toString('hex');
    const timeout = this.options.lockTimeoutMs ?? 10_000;
    const deadline = Date.now() + timeout;
    for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
      const got = await this.call('lock', () =>
        this.client.set(this.k.lock, token, 'PX', this.options.lockTtlMs ?? 30_000, 'NX'),
      );
      if (got === 'OK') break;
      if (Date.now() >= deadline)
        throw new IpamError(
          'lock-timeout',
          `timed out after ${timeout} ms waiting for the pool lock ${this.k.lock}`,
          this.where,
        );
      await new Promise((r) => setTimeout(r, wait));
    }
    try {
      return await fn();
    } finally {
      await this.call('unlock', () => this.client.eval(UNLOCK, 1, this.k.lock, token));
    }
  }

  async reserve(ip: string, owner: Owner, rangeSet: number): Promise<boolean> {
    const key = ownerKey(owner);
    const r = await this.call('reserve', () =>
      this.client.eval(RESERVE, 3, this.k.ips, this.k.last, this.k.owner + key, ip, key, String(rangeSet)),
    );
    return r === 1;
  }

  async lastReserved(rangeSet: number): Promise<string | undefined> {
    const ip = await this.call('read the cursor', () => this.client.hget(this.k.last, String(rangeSet)));
    if (ip === null) return undefined;
    this.checkIP(ip, this.k.last);
    return ip;
  }

  async heldBy(owner: Owner): Promise<string[]> {
    const exact = await this.members(owner);
    if (exact.length > 0 || owner.ifname === '') return exact;
    return this.members({ containerId: owner.containerId, ifname: '' });
  }

  private async members(owner: Owner): Promise<string[]> {
    const ips = await this.call('read an attachment', () => this.client.smembers(this.k.owner + ownerKey(owner)));
    for (const ip of ips) this.checkIP(ip, this.k.owner + ownerKey(owner));
    return ips;
  }

  async release(ip: string): Promise<void> {
    await this.call('release', () => this.client.eval(RELEASE, 1, this.k.ips, ip, this.k.owner));
  }

  async releaseOwner(owner: Owner): Promise<string[]> {
    const ips = await this.heldBy(owner);
    for (const ip of ips) await this.release(ip);
    return ips;
  }

  async list(): Promise<Holding[]> {
    const max = this.options.maxHoldings ?? 1_000_000;
    const n = await this.call('count', () => this.client.hlen(this.k.ips));
    if (n > max)
      throw new IpamError('io', `Redis ${this.where}: ${this.k.ips} holds ${n} reservations, more than ${max}`);
    const all = await this.call('list', () => this.client.hgetall(this.k.ips));
    return Object.entries(all).map(([ip, key]) => {
      this.checkIP(ip, this.k.ips);
      const nl = key.indexOf('\r\n');
      if (nl <= 0) throw this.foreign(this.k.ips, `owner of ${ip} is ${JSON.stringify(key.slice(0, 80))}`);
      return { ip, owner: { containerId: key.slice(0, nl), ifname: key.slice(nl + 2) } };
    });
  }

  /** A value another writer left: validated before the allocator sees it. */
  private checkIP(ip: string, key: string): void {
    if (ip.length > 64 || parseIP(ip) === undefined)
      throw this.foreign(key, `${JSON.stringify(ip.slice(0, 80))} is not an IP`);
  }

  private foreign(key: string, why: string): IpamError {
    return new IpamError('io', `Redis ${this.where}: ${key}: ${why}; the pool holds data kubeplane did not write`, key);
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
