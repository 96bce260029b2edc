// The whole iptables-restore payload of one sync: filter, then nat, as kube-proxy's syncProxyRules
// writes it. Data in, data out: the previous sync's memo (the chains it left in the kernel, and the
// top-level rule text of every service port) replaces kube-proxy's iptables-save, so stale chains
// are deleted without asking the kernel and a partial sync reuses every unchanged port's text.
import { PersistentMap } from '../persistent-map.js';
import type { ProxyState } from '../state.js';
import type { ChangeSet } from '../types.js';
import { ByteWriter } from './byte-writer.js';
import { JUMPS_MARKER, type JumpRules, jumpRules } from './jumps.js';
import { CountingBuffer, LineBuffer } from './line-buffer.js';
import type { IptablesOptions } from './options.js';
import { type Blocks, fullBody, partialBody } from './port-blocks.js';
import type { PortOutput } from './service-port.js';

/** kube-proxy's largeClusterEndpointsThreshold: above it, endpoint rules lose their comments. */
export const LARGE_CLUSTER_ENDPOINTS = 1000;

/**
 * What one sync leaves for the next. Never changed once returned: a render builds a new memo that
 * shares what it did not touch, so an older memo stays valid (a failed apply retries from it).
 */
export interface IptablesMemo {
  /** The options the cached text was written with; other options invalidate it. */
  readonly signature: string;
  /** Per Service ("ns/svc"): the port outputs last written for it, whose chains are in the kernel. */
  readonly byService: PersistentMap<string, readonly PortOutput[]>;
  /** Every port's top-level text in port order, in blocks, reused while the port object is the same. */
  readonly blocks?: Blocks;
  /** Stale chains left in the kernel by large-cluster syncs that skipped the cleanup. */
  readonly pendingStale?: readonly string[];
  /** When the last stale-chain cleanup ran (the caller's clock, ms). */
  readonly lastCleanup: number;
}

export const EMPTY_MEMO: IptablesMemo = {
  signature: '',
  byService: PersistentMap.empty(),
  lastCleanup: Number.NEGATIVE_INFINITY,
};

export interface RenderStats {
  filterRules: number;
  natRules: number;
  natChains: number;
  /** Rules and chains computed for unchanged services but left out (partial sync). */
  skippedNatRules: number;
  skippedNatChains: number;
  deletedChains: number;
  largeClusterMode: number;
  servicesRewritten: number;
  /** kube-proxy's sync_proxy_rules_no_local_endpoints_total{traffic_policy="internal"|"external"}. */
  noLocalEndpointsInternal: number;
  noLocalEndpointsExternal: number;
}

export interface Rendered {
  payload: string;
  stats: RenderStats;
  memo: IptablesMemo;
  /** Per-service chains declared in the payload that did not exist before (with trackChains). */
  added: string[];
  /** Per-service chains declared in the payload that existed before (flushed and refilled). */
  rewritten: string[];
  /** Stale chains flushed and deleted. */
  deleted: string[];
  /** Whether this sync ran kube-proxy's stale-chain cleanup (kube-proxy then resets its cleanup clock). */
  cleanedUp: boolean;
}

export interface RenderOptions {
  /** Also write the jump rules from built-in chains (see jumps.ts). */
  jumps?: boolean;
  /** Fill `added` and `rewritten` (for diff summaries; costs a little on large syncs). */
  trackChains?: boolean;
  /**
   * Whether kube-proxy's stale-chain cleanup is due. Outside large-cluster mode it runs on every
   * sync; in large-cluster mode only once syncPeriod has passed since the last one (proxier.go:
   * `!largeClusterMode || time.Since(lastIPTablesCleanup) > syncPeriod`), and the chains it skips
   * stay in the kernel until then. Default: due (a first sync always is).
   */
  cleanupDue?: boolean;
  /** The caller's clock (ms), kept in the memo as the time of a cleanup this sync runs. */
  now?: number;
}

// The byte buffers of a render, lent to the next one (as kube-proxy keeps its line buffers between
// syncs): a full sync at 10,000 services writes 32 MB, and fresh buffers of that size each sync
// would count as external memory and bring on full garbage collections. A render borrows a set,
// reads its text out and returns it before it returns; nothing of a render lives in them after.
interface Arena {
  filterChains: ByteWriter;
  filterRules: ByteWriter;
  natChains: ByteWriter;
  natRules: ByteWriter;
  head: ByteWriter;
}
const idleArenas: Arena[] = [];
function borrowArena(): Arena {
  return (
    idleArenas.pop() ?? {
      filterChains: new ByteWriter(),
      filterRules: new ByteWriter(),
      natChains: new ByteWriter(),
      natRules: new ByteWriter(),
      head: new ByteWriter(),
    }
  );
}

/** The payload from buffers holding all their text as bytes (a full sync): one read at the end. */
function joinBytes(
  arena: Arena,
  filterChains: LineBuffer,
  filterRules: LineBuffer,
  natChains: LineBuffer,
  natRules: LineBuffer,
  jumps: JumpRules | undefined,
): string {
  const jumpLines = (w: ByteWriter, lines: readonly string[]) => {
    w.ascii(`${JUMPS_MARKER}\n`);
    for (const l of lines) w.ascii(`${l}\n`);
  };
  const head = arena.head.reset();
  head.ascii('*filter\n');
  head.writer(filterChains.out);
  head.writer(filterRules.out);
  if (jumps) jumpLines(head, jumps.filter);
  head.ascii('COMMIT\n*nat\n');
  head.writer(natChains.out);
  const payload = natRules.out;
  if (jumps) jumpLines(payload, jumps.nat);
  payload.ascii('COMMIT\n');
  payload.prepend(head);
  return payload.text();
}

/** The payload from buffers holding long strings (a partial sync): one join. */
function joinStrings(
  filterChains: LineBuffer,
  filterRules: LineBuffer,
  natChains: LineBuffer,
  natRules: LineBuffer,
  jumps: JumpRules | undefined,
): string {
  const parts: string[] = ['*filter\n'];
  filterChains.drainInto(parts);
  filterRules.drainInto(parts);
  if (jumps) parts.push(`${JUMPS_MARKER}\n`, ...jumps.filter.map((l) => `${l}\n`));
  parts.push('COMMIT\n*nat\n');
  natChains.drainInto(parts);
  natRules.drainInto(parts);
  if (jumps) parts.push(`${JUMPS_MARKER}\n`, ...jumps.nat.map((l) => `${l}\n`));
  parts.push('COMMIT\n');
  return parts.join('');
}

function signatureOf(opt: IptablesOptions): string {
  return JSON.stringify(opt);
}

/**
 * Render one sync. `changes.full` (or a memo written with other options) rewrites every service's
 * chains; otherwise only the chains of `changes.services` are written, as kube-proxy's partial
 * syncs do. The given memo is left as it was.
 */
export function render(
  state: ProxyState,
  changes: ChangeSet,
  memo: IptablesMemo,
  opt: IptablesOptions,
  ro: RenderOptions = {},
): Rendered {
  const arena = borrowArena();
  try {
    return renderWith(arena, state, changes, memo, opt, ro);
  } finally {
    idleArenas.push(arena);
  }
}

function renderWith(
  arena: Arena,
  state: ProxyState,
  changes: ChangeSet,
  memo: IptablesMemo,
  opt: IptablesOptions,
  ro: RenderOptions,
): Rendered {
  const signature = signatureOf(opt);
  const cacheValid = memo.signature === signature;
  const full = changes.full || !cacheValid;
  const large = state.endpointCount > LARGE_CLUSTER_ENDPOINTS;

  const filterChains = new LineBuffer(arena.filterChains.reset());
  const filterRules = new LineBuffer(arena.filterRules.reset());
  const natChains = new LineBuffer(arena.natChains.reset());
  // The nat rules are the bulk of the payload: everything before them is copied into room left in
  // front of them (about a chain declaration per endpoint and a few per port; more still works).
  const front = 65536 + 40 * (state.endpointCount + 4 * state.ports.length);
  const natRules = new LineBuffer(arena.natRules.reset(front));
  const skippedChains = new CountingBuffer();
  const skippedRules = new CountingBuffer();

  for (const c of ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL'])
    filterChains.line(`:${c} - [0:0]`);
  for (const c of ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'])
    natChains.line(`:${c} - [0:0]`);

  const m = opt.mark;
  natRules.line(`-A KUBE-POSTROUTING -m mark ! --mark ${m}/${m} -j RETURN`);
  natRules.line(`-A KUBE-POSTROUTING -j MARK --xor-mark ${m}`);
  natRules.line(
    `-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE${opt.randomFully ? ' --random-fully' : ''}`,
  );
  natRules.line(`-A KUBE-MARK-MASQ -j MARK --or-mark ${m}`);

  const isIPv4 = opt.family === 'IPv4';
  if (isIPv4 && opt.localhostNodePorts) {
    // Mitigates the route_localnet hole (kubernetes#90259); kubelet writes the same rule.
    filterChains.line(':KUBE-FIREWALL - [0:0]');
    filterRules.line(
      '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    );
  }

  const previous = cacheValid ? memo.blocks : undefined;
  const oldByService = memo.byService;
  const byService = (full ? PersistentMap.empty<string, readonly PortOutput[]>() : memo.byService).edit();
  const buf = { filterRules, natChains, natRules, skippedChains, skippedRules };
  const body =
    (!full && previous ? partialBody(state, changes, previous, oldByService, opt, large, buf) : undefined) ??
    fullBody(state, changes, full, previous, opt, large, buf);
  const { rewrittenServices } = body;

  // Chains in the kernel that are no longer used: the old chains of every rewritten Service (all
  // of them on a full sync, including Services now gone) that it does not write again. Chain names
  // embed the service port name, so no chain moves between Services.
  const stale: string[] = [];
  const added: string[] = [];
  const rewritten: string[] = [];
  const services = full ? new Set([...oldByService.keys(), ...rewrittenServices.keys()]) : changes.services;
  for (const svc of services) {
    const before = oldByService.get(svc);
    const now = rewrittenServices.get(svc);
    if (before === undefined && !ro.trackChains) {
      // A Service new to the kernel: nothing stale, nothing to compare.
      if (now) byService.set(svc, now);
      continue;
    }
    const nowChains = new Set<string>();
    for (const o of now ?? []) for (const c of o.chains) nowChains.add(c);
    const oldChains = new Set<string>();
    for (const o of before ?? []) {
      for (const c of o.chains) {
        oldChains.add(c);
        if (!nowChains.has(c)) stale.push(c);
      }
    }
    if (ro.trackChains) for (const c of nowChains) (oldChains.has(c) ? rewritten : added).push(c);
    if (now) byService.set(svc, now);
    else byService.delete(svc);
  }
  // In large-cluster mode a sync within syncPeriod of the last cleanup leaves stale chains in
  // the kernel; a later cleanup deletes those that are still unused.
  const cleanup = !large || ro.cleanupDue !== false;
  let pendingStale: readonly string[] | undefined;
  if (!cleanup) {
    pendingStale = memo.pendingStale ? [...memo.pendingStale, ...stale] : stale.slice();
    stale.length = 0;
  } else if (memo.pendingStale?.length) {
    const active = new Set<string>();
    const services = byService.done();
    for (const outs of services.values()) for (const o of outs) for (const c of o.chains) active.add(c);
    const all = new Set(stale);
    for (const c of memo.pendingStale) if (!active.has(c)) all.add(c);
    stale.length = 0;
    stale.push(...all);
  }
  stale.sort();
  for (const c of stale) natChains.line(`:${c} - [0:0]`);
  for (const c of stale) natRules.line(`-X ${c}`);

  // The NodePort tail: last rule of nat KUBE-SERVICES.
  const tail =
    '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain"';
  if (opt.nodePortIPs === undefined) {
    const notLocalhost = !isIPv4 ? ' ! -d ::1/128' : opt.localhostNodePorts ? '' : ' ! -d 127.0.0.0/8';
    natRules.line(`${tail} -m addrtype --dst-type LOCAL${notLocalhost} -j KUBE-NODEPORTS`);
  } else {
    for (const ip of opt.nodePortIPs) {
      const loopback = ip === '::1' || ip.startsWith('127.');
      if (loopback && (!isIPv4 || !opt.localhostNodePorts)) continue;
      natRules.line(`${tail} -d ${ip} -j KUBE-NODEPORTS`);
    }
  }

  if (!opt.conntrackTCPBeLiberal) {
    const nfacct = opt.nfacctInvalid ? ' -m nfacct --nfacct-name ct_state_invalid_dropped_pkts' : '';
    filterRules.line(`-A KUBE-FORWARD -m conntrack --ctstate INVALID${nfacct} -j DROP`);
  }
  filterRules.line(
    `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${m}/${m} -j ACCEPT`,
  );
  filterRules.line(
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  );

  const jumps = ro.jumps ? jumpRules(opt) : undefined;
  const payload = [filterChains, filterRules, natChains, natRules].every((b) => b.whole)
    ? joinBytes(arena, filterChains, filterRules, natChains, natRules, jumps)
    : joinStrings(filterChains, filterRules, natChains, natRules, jumps);

  return {
    payload,
    stats: {
      filterRules: filterRules.lines,
      natRules: natRules.lines,
      natChains: natChains.lines,
      skippedNatRules: skippedRules.lines,
      skippedNatChains: skippedChains.lines,
      deletedChains: stale.length,
      largeClusterMode: large ? 1 : 0,
      servicesRewritten: rewrittenServices.size,
      noLocalEndpointsInternal: body.blocks.noLocalInternal,
      noLocalEndpointsExternal: body.blocks.noLocalExternal,
    },
    memo: {
      signature,
      byService: byService.done(),
      blocks: body.blocks,
      ...(pendingStale ? { pendingStale } : {}),
      lastCleanup: cleanup && ro.now !== undefined ? ro.now : memo.lastCleanup,
    },
    added,
    rewritten,
    deleted: stale,
    cleanedUp: cleanup,
  };
}
