// Network namespaces named "kpl-<pid>-<counter>", so parallel test files never collide, created
// with nothing but loopback: no link leads to the host's network.
import { run } from './exec.js';

let counter = 0;

/** A fresh, unused namespace name (at most 15 characters, so it can also name a veth). */
export function nextNetnsName(tag = ''): string {
  counter++;
  return `kpl-${process.pid % 100000}-${counter}${tag}`.slice(0, 15);
}

export async function createNetns(name: string): Promise<void> {
  await run('ip', ['netns', 'add', name], {
    hint: `ip netns add ${name} failed: run as root, or delete a leftover namespace of that name`,
  });
  await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
}

/** Delete a namespace; a namespace that is already gone is not an error. */
export async function deleteNetns(name: string): Promise<void> {
  try {
    await run('ip', ['netns', 'delete', name], { timeout: 10_000 });
  } catch (err) {
    if (!String((err as Error).message).includes('No such file')) throw err;
  }
}

/** Run a command inside a namespace. */
export function inNetns(name: string, file: string, args: readonly string[], opts: Parameters<typeof run>[2] = {}) {
  return run('ip', ['netns', 'exec', name, file, ...args], opts);
}

export async function sysctl(ns: string, key: string, value: string): Promise<void> {
  await inNetns(ns, 'sysctl', ['-q', '-w', `${key}=${value}`]);
}

/**
 * Forget every connection the namespace's conntrack table tracks. A connection to an address no
 * rule handled leaves an UNREPLIED entry (SYN_SENT, 120 s) with no NAT; a later connection that
 * happens to reuse its source port matches that entry and is never DNATed, whatever the rules say
 * now. Tests that compare rule sets by traffic start each comparison from an empty table.
 */
export async function flushConntrack(ns: string): Promise<void> {
  await inNetns(ns, 'conntrack', ['-F'], {
    hint: 'conntrack -F failed: install the conntrack package (conntrack-tools)',
  });
}
