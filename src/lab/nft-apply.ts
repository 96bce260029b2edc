// Program a network namespace's nftables through the `nft` binary (stdin payload, text or JSON),
// and time a full load into a fresh namespace for the bench. Failures become LabErrors that say
// what to do next; the kernel's own message (nft's stderr) is kept.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { LabError } from '../errors.js';

export type NftFormat = 'text' | 'json';

/** The path of an executable on PATH, else undefined. */
export function findExecutable(cmd: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter);
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, cmd);
    if (existsSync(p)) return p;
  }
  return undefined;
}

export function netnsExists(name: string): boolean {
  return existsSync(`/run/netns/${name}`);
}

/** JSON payloads start with "{"; everything else is nft's text syntax. */
export function formatOf(payload: string): NftFormat {
  return payload.trimStart().startsWith('{') ? 'json' : 'text';
}

/** `ip netns exec NAME nft [-j] -f -` with the payload on stdin. */
export async function applyNft(
  netns: string,
  payload: string,
  format: NftFormat = formatOf(payload),
  opts: { timeoutMs?: number } = {},
): Promise<void> {
  const args = ['netns', 'exec', netns, 'nft', ...(format === 'json' ? ['-j'] : []), '-f', '-'];
  const command = `ip ${args.join(' ')}`;
  const ip = findExecutable('ip');
  if (!ip)
    throw new LabError(
      command,
      undefined,
      'ip: command not found',
      'install iproute2 (Debian: apt-get install iproute2)',
    );
  if (!findExecutable('nft'))
    throw new LabError(
      command,
      undefined,
      'nft: command not found',
      'install nftables (Debian: apt-get install nftables)',
    );
  if (!netnsExists(netns))
    throw new LabError(
      command,
      undefined,
      `network namespace ${JSON.stringify(netns)} does not exist`,
      `create it first (ip netns add ${netns}) or pick one from \`ip netns list\``,
    );
  // nft 1.0.6 reads a JSON "-f -" by opening /dev/stdin, which fails (ENXIO) on the socketpair
  // Node gives a child as stdin; `cat` turns it into a real pipe. Text input reads fd 0 and works
  // either way; both go the same way here.
  const r = await execa('sh', ['-c', `cat | exec "$0" "$@"`, ip, ...args], {
    input: payload,
    reject: false,
    stripFinalNewline: false,
    maxBuffer: 64 * 1024 * 1024,
    ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs } : {}),
  });
  if (r.failed) {
    if (r.timedOut)
      throw new LabError(command, undefined, `timed out after ${opts.timeoutMs} ms`, 'allow it more time');
    const stderr = firstLines(String(r.stderr || r.stdout || r.shortMessage || ''), 40);
    const hint = /Operation not permitted|EPERM/.test(stderr)
      ? 'run as root (programming nftables needs CAP_NET_ADMIN)'
      : `the kernel refused the ruleset; nothing was applied (nft runs it as one transaction): see nft's message above${format === 'text' ? ' (its line:column are lines of the payload)' : ''}`;
    throw new LabError(command, r.exitCode ?? undefined, stderr, hint);
  }
}

/** Long nft error output (one error per refused line) cut to its first lines. */
function firstLines(text: string, n: number): string {
  const lines = text.trimEnd().split('\n');
  return lines.length <= n ? lines.join('\n') : `${lines.slice(0, n).join('\n')}\n... (${lines.length - n} more lines)`;
}

let counter = 0;

/** Create a namespace (lo up, no other links: it has no route out). */
export async function createNetns(prefix: string): Promise<string> {
  const name = `${prefix}-${process.pid}-${counter++}`;
  const r = await execa('ip', ['netns', 'add', name], { reject: false });
  if (r.failed) throw new LabError(`ip netns add ${name}`, r.exitCode ?? undefined, String(r.stderr), 'run as root');
  await execa('ip', ['-n', name, 'link', 'set', 'lo', 'up'], { reject: false });
  return name;
}

export async function deleteNetns(name: string): Promise<void> {
  await execa('ip', ['netns', 'delete', name], { reject: false });
}

/**
 * Wall time in ms of `nft -f` loading `payload` into a fresh namespace, or null where that cannot
 * run here (not root, ip or nft missing).
 */
export async function timeNftApply(payload: string): Promise<number | null> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  if (!findExecutable('ip') || !findExecutable('nft')) return null;
  const ns = await createNetns('kpnft-bench');
  try {
    const t0 = performance.now();
    await applyNft(ns, payload);
    return performance.now() - t0;
  } finally {
    await deleteNetns(ns);
  }
}
