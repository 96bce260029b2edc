// The CNI plugin: validated invocation in, {stdout, stderr, exitCode} out. Thin: every decision about
// addresses is in allocator.ts; every check of the protocol in cni-env.ts.
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatIP } from '../net/ip.js';
import { allocateAll, checkHeld, collectGarbage, releaseAll, usageOf } from './allocator.js';
import { CURRENT_VERSION, type Invocation, parseInvocation, SUPPORTED_VERSIONS } from './cni-env.js';
import { CNI_CODES, CniError, errorJson, toCniError } from './cni-errors.js';
import { checkConfigSize } from './cni-limits.js';
import { resultJson } from './cni-result.js';
import { type IpamConfig, parseIpamConfig } from './config.js';
import { readResolvConf } from './resolv.js';
import type { IpamStore, Owner } from './store.js';
import { FileIpamStore, type FileStoreHooks } from './stores/file.js';

export interface CniOutcome {
  stdout: string;
  stderr: string;
  exitCode: number;
}

type Env = Readonly<Record<string, string | undefined>>;

const ok = (stdout = ''): CniOutcome => ({ stdout, stderr: '', exitCode: 0 });

function about(): CniOutcome {
  return {
    stdout: '',
    stderr: `CNI kubeplane-ipam plugin (host-local compatible IPAM)\nCNI protocol versions supported: ${SUPPORTED_VERSIONS.join(', ')}\n`,
    exitCode: 0,
  };
}

function versionReply(stdin: string): CniOutcome {
  let v: unknown;
  try {
    v = (JSON.parse(stdin) as { cniVersion?: unknown }).cniVersion;
  } catch {
    v = undefined;
  }
  const cniVersion =
    typeof v === 'string' && (SUPPORTED_VERSIONS as readonly string[]).includes(v) ? v : CURRENT_VERSION;
  return ok(`${JSON.stringify({ cniVersion, supportedVersions: SUPPORTED_VERSIONS })}\n`);
}

interface OpenStore {
  store: IpamStore;
  /** The data dir of a file store. */
  dir?: string;
}

/**
 * The data dir, or the Redis pool of ipam.dataStore. ioredis is loaded only for the latter, so a
 * file-store call keeps the plugin's small start-up.
 */
async function withStore<T>(
  inv: Invocation,
  cfg: IpamConfig,
  hooks: FileStoreHooks,
  fn: (s: OpenStore) => Promise<T>,
): Promise<T> {
  if (cfg.dataStore === undefined) {
    const store = new FileIpamStore(cfg.dataDir, inv.network, rangesJson(cfg), hooks);
    return fn({ store, dir: store.dir });
  }
  const { RedisIpamStore } = await import('./stores/redis.js');
  const store = await RedisIpamStore.open(cfg.dataStore, inv.network);
  try {
    return await fn({ store });
  } finally {
    await store.close();
  }
}

async function add(inv: Invocation, cfg: IpamConfig, hooks: FileStoreHooks): Promise<CniOutcome> {
  const dns = cfg.resolvConf ? readResolvConf(cfg.resolvConf) : undefined;
  const owner: Owner = { containerId: inv.containerId, ifname: inv.ifname };
  const got = await withStore(inv, cfg, hooks, ({ store }) =>
    allocateAll(store, cfg.rangeSets, owner, cfg.requestedIPs),
  );
  return ok(resultJson(inv.cniVersion, got, cfg.routes, dns));
}

/** The range sets as canonical JSON, for `kubeplane ipam show`. */
function rangesJson(cfg: IpamConfig): string {
  return JSON.stringify(
    cfg.rangeSets.map((s) =>
      s.ranges.map((r) => ({
        subnet: `${formatIP({ family: r.subnet.family, value: r.subnet.base })}/${r.subnet.prefix}`,
        rangeStart: formatIP(r.rangeStart),
        rangeEnd: formatIP(r.rangeEnd),
        gateway: formatIP(r.gateway),
      })),
    ),
  );
}

function validAttachments(config: Record<string, unknown>): Owner[] | undefined {
  const list = config['cni.dev/valid-attachments'] ?? config['cni.dev/attachments'];
  if (list === undefined) return undefined;
  if (!Array.isArray(list))
    throw new CniError(CNI_CODES.invalidConfig, 'cni.dev/valid-attachments must be an array of {containerID, ifname}');
  return list.map((a, i) => {
    const o = a as { containerID?: unknown; ifname?: unknown };
    if (typeof a !== 'object' || a === null || typeof o.containerID !== 'string' || typeof o.ifname !== 'string')
      throw new CniError(
        CNI_CODES.invalidConfig,
        `cni.dev/valid-attachments[${i}] must be {containerID, ifname} strings`,
      );
    return { containerId: o.containerID, ifname: o.ifname };
  });
}

async function status(inv: Invocation, cfg: IpamConfig, hooks: FileStoreHooks): Promise<CniOutcome> {
  const held = await withStore(inv, cfg, hooks, async ({ store, dir: dataDir }) => {
    let dir = dataDir;
    while (dir !== undefined) {
      try {
        accessSync(dir, constants.W_OK);
        break;
      } catch {
        if (dirname(dir) === dir) throw new CniError(CNI_CODES.unavailable, `data dir ${dataDir} is not writable`);
        dir = dirname(dir);
      }
    }
    return (await store.list()).map((h) => h.ip);
  });
  for (const u of usageOf(cfg.rangeSets, held))
    if (BigInt(u.used) >= u.capacity)
      throw new CniError(CNI_CODES.unavailable, `no IP addresses available in range set: ${u.ranges}`, u.ranges);
  return ok();
}

async function dispatch(inv: Invocation, hooks: FileStoreHooks): Promise<CniOutcome> {
  const cfg = parseIpamConfig(inv.config, inv.cniVersion, inv.cniArgs);
  const owner: Owner = { containerId: inv.containerId, ifname: inv.ifname };
  switch (inv.command) {
    case 'ADD':
      return add(inv, cfg, hooks);
    case 'DEL':
      // Nothing can be held in a network directory that does not exist: succeed without creating it.
      await withStore(inv, cfg, hooks, async ({ store, dir }) => {
        if (dir === undefined || existsSync(dir)) await releaseAll(store, owner);
      });
      return ok();
    case 'CHECK':
      await withStore(inv, cfg, hooks, ({ store }) => checkHeld(store, owner));
      return ok();
    case 'GC': {
      const valid = validAttachments(inv.config);
      if (valid) await withStore(inv, cfg, hooks, ({ store }) => collectGarbage(store, valid));
      return ok();
    }
    case 'STATUS':
      return status(inv, cfg, hooks);
    default:
      throw new CniError(CNI_CODES.invalidEnv, `unknown CNI_COMMAND: ${inv.command}`);
  }
}

/**
 * Run one plugin invocation. `readStdin` is not called for VERSION without input or without a command.
 * `hooks` reach the file store (crash tests pause at its reservation points; see test/ipam/paused-plugin.mjs).
 */
export async function runCni(
  env: Env,
  readStdin: () => Promise<string>,
  hooks: FileStoreHooks = {},
): Promise<CniOutcome> {
  const command = env.CNI_COMMAND ?? '';
  if (command === '') return about();
  let stdin = '';
  let cniVersion = CURRENT_VERSION;
  try {
    try {
      stdin = await readStdin();
    } catch (err) {
      if (err instanceof CniError) throw err; // the size bound
      throw new CniError(CNI_CODES.io, `error reading from stdin: ${(err as Error).message}`);
    }
    checkConfigSize(stdin);
    if (command === 'VERSION') return versionReply(stdin);
    try {
      const v = (JSON.parse(stdin) as { cniVersion?: unknown }).cniVersion;
      if (typeof v === 'string' && (SUPPORTED_VERSIONS as readonly string[]).includes(v)) cniVersion = v;
    } catch {
      // reported by parseInvocation
    }
    const inv = parseInvocation(env, stdin);
    return await dispatch(inv, hooks);
  } catch (err) {
    const e = toCniError(err);
    return { stdout: errorJson(e, cniVersion), stderr: '', exitCode: 1 };
  }
}
