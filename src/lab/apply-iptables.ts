// Loading an iptables-restore payload into a lab namespace (the nftables apply lives beside it).
import type { IPFamily } from '../cluster/types.js';
import { inNetns } from './netns.js';

export interface ApplyOptions {
  /** --noflush: add to what is loaded (a partial sync), instead of replacing the tables. */
  noflush?: boolean;
  /** --test: parse and check only, change nothing. */
  test?: boolean;
  family?: IPFamily;
  /** Kill iptables-restore after this many ms (default 600 s). */
  timeoutMs?: number;
}

/** iptables-restore (ip6tables-restore for IPv6) the payload inside `netns`; returns the time taken. */
export async function applyIptables(netns: string, payload: string, opts: ApplyOptions = {}): Promise<number> {
  const tool = opts.family === 'IPv6' ? 'ip6tables-restore' : 'iptables-restore';
  const args = [...(opts.noflush ? ['--noflush'] : []), ...(opts.test ? ['--test'] : [])];
  const r = await inNetns(netns, tool, args, {
    input: payload,
    timeout: opts.timeoutMs ?? 600_000,
    hint: `${tool} rejected the payload: the failing line number is in the message (a partial payload needs --noflush on top of a full one)`,
  });
  return r.durationMs;
}
