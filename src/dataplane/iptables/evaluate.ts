// A packet through parsed iptables rules in the kernel's hook order:
//   prerouting: raw, mangle, nat PREROUTING; routing (local address or not); then mangle/filter
//               INPUT (local) or FORWARD + mangle/nat POSTROUTING (forwarded);
//   output:     raw, mangle, nat, filter OUTPUT; mangle, nat POSTROUTING.
// nat chains see only a connection's first packet: conntrack keeps its translation for the rest.

import { DataplaneError } from '../../errors.js';
import { type Address, cidrHas, hostPort, parseAddress } from '../address.js';
import type { Clock } from '../clock.js';
import { EmulatedClock } from '../clock.js';
import { type Chooser, connKey, type Packet, type Step, type Trace, type Verdict } from '../packet.js';
import { MAX_WALK_STEPS } from '../walk-bounds.js';
import { type ChainIndex, indexChain } from './chain-index.js';
import { implicitRules, type JumpSet } from './implicit.js';
import type { Chain, IptablesRuleset, Match, Rule } from './types.js';

export interface IptablesOptions {
  /** The node's own addresses (addrtype LOCAL, and where routing delivers locally). */
  localAddresses: Iterable<string>;
  clock?: Clock;
  /** ipset contents for `-m set --match-set` (name -> addresses or CIDRs). */
  ipsets?: ReadonlyMap<string, readonly string[]>;
  /** false: walk every chain rule by rule, as the kernel does (the benchmark's baseline). */
  index?: boolean;
  /** Typed ipsets (ip,port members and the like); looked up before `ipsets`. */
  sets?: ReadonlyMap<string, SetMatcher>;
  /** The IPVS table, consulted where the kernel's ip_vs hooks sit (LOCAL_IN, LOCAL_OUT). */
  ipvs?: IpvsHook;
  /** Which proxier's jumps from the built-in chains stand in when a text lacks them. */
  jumps?: JumpSet;
}

/** The header fields an ipset lookup reads (`--match-set NAME dst,dst,src`). */
export interface SetFields {
  readonly proto: string;
  readonly src: Address;
  readonly sport: number;
  readonly dst: Address;
  readonly dport: number;
}

export interface SetMatcher {
  has(dirs: readonly ('src' | 'dst')[], fields: SetFields): boolean;
}

/** What the IPVS table did with a new connection: no virtual service (undefined), or this. */
export interface IpvsDecision {
  /** The real server, or null: the service has no destination (ip_vs_leave: ICMP port unreachable). */
  readonly server: { host: string; port: number } | null;
  readonly vaddr: string;
  readonly vproto: string;
  readonly vport: number;
  /** For the path: the virtual service's line in the dump and what was decided. */
  readonly line: number;
  readonly text: string;
}

export interface IpvsHook {
  /** With `commit` false the scheduler's state must not move. */
  lookup(
    p: { proto: string; src: string; sport: number; dst: string; dport: number },
    commit: boolean,
  ): IpvsDecision | undefined;
}

interface Translation {
  dnat?: { host: string; port: number };
  ipvs?: IpvsConn;
  masquerade: boolean;
  snat?: string;
}

type Outcome = 'accept' | 'drop' | 'reject';

interface IpvsConn {
  vaddr: Address;
  vproto: string;
  vport: number;
}

/** One packet's walk: its current header fields and what it has met so far. */
class Walk {
  dst: string;
  dport: number;
  srcAddr: Address;
  dstAddr: Address;
  mark = 0;
  states: string[];
  readonly path: Step[] = [];
  /** Steps go to `path` only when recording; else they are counted away. */
  readonly record: boolean;
  readonly notes: string[] = [];
  readonly effects: (() => void)[] = [];
  visited = 0;
  dnat: { host: string; port: number } | undefined;
  masquerade = false;
  snat: string | undefined;
  ipvs: IpvsConn | undefined;
  constructor(
    readonly p: Packet,
    readonly chooser: Chooser,
    established: boolean,
    record: boolean,
  ) {
    this.record = record;
    this.dst = p.dst;
    this.dport = p.dport;
    this.srcAddr = address(p.src);
    this.dstAddr = address(p.dst);
    this.states = [established ? 'ESTABLISHED' : 'NEW'];
  }
  setDnat(host: string, port: number): void {
    this.dnat = { host, port };
    this.dst = host;
    this.dport = port;
    this.dstAddr = address(host);
    if (!this.states.includes('DNAT')) this.states.push('DNAT');
  }
}

function address(text: string): Address {
  const a = parseAddress(text);
  if (!a) throw new DataplaneError(`not an IP address: ${text}`);
  return a;
}

export class IptablesDataplane {
  private readonly local: Set<string>;
  private readonly clock: Clock;
  private readonly conntrack = new Map<string, Translation>();
  private readonly recent = new Map<string, Map<string, number[]>>();
  private readonly nth = new Map<Rule, number>();
  private readonly indexes = new Map<Chain, ChainIndex | undefined>();
  private readonly implicit = new Map<string, Chain>();

  constructor(
    readonly ruleset: IptablesRuleset,
    private readonly options: IptablesOptions,
  ) {
    this.local = new Set(['127.0.0.1', '::1']);
    for (const a of options.localAddresses) this.local.add(address(a).text);
    this.clock = options.clock ?? new EmulatedClock();
  }

  /** Forgets connections (like `conntrack -F`); recent lists stay, as in the kernel. */
  flushConntrack(): void {
    this.conntrack.clear();
  }

  /**
   * Traces one packet. With `commit` (the default) it changes state as the kernel would: conntrack
   * learns the flow, `recent --set` records the source, nth counters move on.
   */
  trace(p: Packet, chooser: Chooser, commit = true, record = true): Trace {
    const key = connKey(p);
    const known = this.conntrack.get(key);
    const w = new Walk(p, chooser, known !== undefined, record);
    if (known?.dnat) w.setDnat(known.dnat.host, known.dnat.port);
    if (known?.ipvs) w.ipvs = known.ipvs;
    const nat = known === undefined;
    const ipvsNew = nat && this.options.ipvs !== undefined;
    let outcome: Outcome;
    if (p.hook === 'output') {
      outcome = this.runHooks(w, [
        ['raw', 'OUTPUT'],
        ['mangle', 'OUTPUT'],
        ...(nat ? [['nat', 'OUTPUT'] as [string, string]] : []),
      ]);
      // ip_vs_local_request sits after nat OUTPUT and before filter OUTPUT.
      if (outcome === 'accept' && ipvsNew) outcome = this.ipvsStep(w, 'LOCAL_OUT', commit);
      if (outcome === 'accept') outcome = this.runHooks(w, [['filter', 'OUTPUT']]);
      if (outcome === 'accept')
        outcome = this.runHooks(w, [
          ['mangle', 'POSTROUTING'],
          ...(nat ? [['nat', 'POSTROUTING'] as [string, string]] : []),
        ]);
      // A local destination loops back through lo and is delivered through INPUT (nat is done).
      if (outcome === 'accept' && this.local.has(w.dstAddr.text))
        outcome = this.runHooks(w, [
          ['mangle', 'INPUT'],
          ['filter', 'INPUT'],
        ]);
    } else {
      outcome = this.runHooks(w, [
        ['raw', 'PREROUTING'],
        ['mangle', 'PREROUTING'],
        ...(nat ? [['nat', 'PREROUTING'] as [string, string]] : []),
      ]);
      const local = this.local.has(w.dstAddr.text);
      if (outcome === 'accept')
        outcome = this.runHooks(
          w,
          local
            ? [
                ['mangle', 'INPUT'],
                ['filter', 'INPUT'],
              ]
            : [
                ['mangle', 'FORWARD'],
                ['filter', 'FORWARD'],
              ],
        );
      let forwarded = !local;
      // ip_vs_remote_request sits at LOCAL_IN after filter INPUT; a scheduled connection leaves
      // again through LOCAL_OUT (mangle, filter OUTPUT) and POSTROUTING.
      if (outcome === 'accept' && local && ipvsNew) {
        outcome = this.ipvsStep(w, 'LOCAL_IN', commit);
        if (outcome === 'accept' && w.ipvs) {
          outcome = this.runHooks(w, [
            ['mangle', 'OUTPUT'],
            ['filter', 'OUTPUT'],
          ]);
          forwarded = true;
        }
      }
      if (outcome === 'accept' && forwarded)
        outcome = this.runHooks(w, [
          ['mangle', 'POSTROUTING'],
          ...(nat ? [['nat', 'POSTROUTING'] as [string, string]] : []),
        ]);
    }
    if (known) {
      w.masquerade = known.masquerade;
      w.snat = known.snat;
    }
    if (commit) {
      for (const e of w.effects) e();
      if (outcome === 'accept' && !known) {
        const t: Translation = { masquerade: w.masquerade };
        if (w.dnat) t.dnat = w.dnat;
        if (w.snat) t.snat = w.snat;
        if (w.ipvs) t.ipvs = w.ipvs;
        this.conntrack.set(key, t);
      }
    }
    const verdict: Verdict = outcome === 'drop' ? 'DROP' : outcome === 'reject' ? 'REJECT' : w.dnat ? 'DNAT' : 'ACCEPT';
    return {
      verdict,
      endpoint: w.dnat && outcome === 'accept' ? hostPort(w.dnat.host, w.dnat.port) : null,
      masquerade: outcome === 'accept' && (w.masquerade || w.snat !== undefined),
      path: w.path,
      notes: w.notes,
      established: known !== undefined,
      rulesVisited: w.visited,
    };
  }

  /** The IPVS table's say on a new connection to a local address (no virtual service: no say). */
  private ipvsStep(w: Walk, hook: 'LOCAL_IN' | 'LOCAL_OUT', commit: boolean): Outcome {
    const d = this.options.ipvs!.lookup(
      { proto: w.p.proto, src: w.p.src, sport: w.p.sport, dst: w.dst, dport: w.dport },
      commit,
    );
    if (!d) return 'accept';
    if (w.record) w.path.push({ table: 'ipvs', chain: hook, rule: 1, line: d.line, text: d.text });
    w.visited++;
    if (!d.server) return 'reject';
    w.ipvs = { vaddr: address(d.vaddr), vproto: d.vproto, vport: d.vport };
    w.setDnat(d.server.host, d.server.port);
    return 'accept';
  }

  private runHooks(w: Walk, hooks: readonly [string, string][]): Outcome {
    for (const [table, chain] of hooks) {
      const o = this.runBuiltin(w, table, chain);
      if (o !== 'accept') return o;
    }
    return 'accept';
  }

  private builtin(table: string, name: string): Chain | undefined {
    const t = this.ruleset.tables.get(table);
    if (!t) return undefined;
    const declared = t.chains.get(name);
    if (declared) return declared;
    const k = `${table} ${name}`;
    let c = this.implicit.get(k);
    if (!c) {
      c = {
        name,
        policy: 'ACCEPT',
        line: 0,
        rules: implicitRules(table, name, (n) => t.chains.has(n), this.options.jumps),
      };
      this.implicit.set(k, c);
    }
    return c;
  }

  private runBuiltin(w: Walk, table: string, name: string): Outcome {
    const start = this.builtin(table, name);
    if (!start || (start.rules.length === 0 && start.line === 0)) return 'accept';
    const chains = this.ruleset.tables.get(table)!.chains;
    // Call stack of [chain, next rule position]; a goto replaces the top frame.
    const stack: [Chain, number][] = [[start, 0]];
    let steps = 0;
    while (stack.length > 0) {
      if (++steps > MAX_WALK_STEPS)
        throw new DataplaneError(
          `${table} ${name}: more than ${MAX_WALK_STEPS} rules for one packet: the chains loop (iptables-restore refuses that: ELOOP)`,
        );
      const frame = stack[stack.length - 1]!;
      const [chain] = frame;
      const r = this.nextMatch(w, chain, frame[1]);
      if (r === undefined) {
        stack.pop();
        if (stack.length === 0) {
          if (w.record)
            w.path.push({
              table,
              chain: chain.name,
              rule: 'policy',
              line: chain.line,
              text: `policy ${chain.policy ?? 'ACCEPT'}`,
            });
          return chain.policy === 'DROP' ? 'drop' : 'accept';
        }
        continue;
      }
      const [pos, rule] = r;
      frame[1] = pos + 1;
      if (w.record) w.path.push({ table, chain: chain.name, rule: pos + 1, line: rule.line, text: rule.text });
      const t = rule.target;
      switch (t.kind) {
        case 'none':
          break;
        case 'jump':
        case 'goto': {
          const next = chains.get(t.chain)!;
          if (t.kind === 'goto') stack.pop();
          // A loop-free walk holds each chain at most once; deeper, some chain jumps back to itself.
          if (stack.length > chains.size)
            throw new DataplaneError(
              `line ${rule.line}: chain ${t.chain} jumped to while ${stack.length} chains are active: the chains loop (iptables-restore refuses that: ELOOP)`,
            );
          stack.push([next, 0]);
          break;
        }
        case 'RETURN':
          stack.pop();
          if (stack.length === 0) {
            if (w.record)
              w.path.push({
                table,
                chain: chain.name,
                rule: 'policy',
                line: chain.line,
                text: `policy ${chain.policy ?? 'ACCEPT'}`,
              });
            return chain.policy === 'DROP' ? 'drop' : 'accept';
          }
          break;
        case 'ACCEPT':
          return 'accept';
        case 'DROP':
          return 'drop';
        case 'REJECT':
          return 'reject';
        case 'MARK':
          w.mark = markAfter(w.mark, t.op, t.value, t.mask);
          break;
        case 'DNAT':
          if (table !== 'nat') throw new DataplaneError(`line ${rule.line}: DNAT outside the nat table`);
          w.setDnat(t.host ?? w.dst, t.port ?? w.dport);
          return 'accept';
        case 'SNAT':
          w.snat = t.host;
          return 'accept';
        case 'MASQUERADE':
          w.masquerade = true;
          return 'accept';
      }
    }
    return 'accept';
  }

  /** The first rule from `from` on that matches, counting what the kernel would walk. */
  private nextMatch(w: Walk, chain: Chain, from: number): [number, Rule] | undefined {
    const rules = chain.rules;
    let index = this.indexes.get(chain);
    if (index === undefined && !this.indexes.has(chain)) {
      index = this.options.index === false ? undefined : indexChain(chain);
      this.indexes.set(chain, index);
    }
    if (index) {
      const cand = index.candidates(w.dst, w.p.proto, w.dport);
      // Binary search for the first candidate at or after `from`.
      let lo = 0;
      let hi = cand.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cand[mid]! < from) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < cand.length; i++) {
        const pos = cand[i]!;
        if (this.matches(w, rules[pos]!)) {
          w.visited += pos - from + 1;
          return [pos, rules[pos]!];
        }
      }
      w.visited += rules.length - from;
      return undefined;
    }
    for (let pos = from; pos < rules.length; pos++) {
      w.visited++;
      if (this.matches(w, rules[pos]!)) return [pos, rules[pos]!];
    }
    return undefined;
  }

  private matches(w: Walk, r: Rule): boolean {
    for (const m of r.matches) if (!this.match(w, r, m)) return false;
    return true;
  }

  private match(w: Walk, r: Rule, m: Match): boolean {
    switch (m.kind) {
      case 'source':
        return cidrHas(m.cidr, w.srcAddr) !== m.negated;
      case 'destination':
        return cidrHas(m.cidr, w.dstAddr) !== m.negated;
      case 'protocol':
        return (m.protocol === 'all' || m.protocol === w.p.proto) !== m.negated;
      case 'in-interface': {
        if (w.p.hook === 'output') return true; // -i does not apply to locally generated packets
        const iface = w.p.inIface;
        if (iface === undefined) {
          note(w, `-i ${m.name} met with no --in-iface given: treated as another interface`);
          return m.negated;
        }
        return ifaceMatches(m.name, iface) !== m.negated;
      }
      case 'out-interface':
        note(w, `-o ${m.name}: output interfaces are not modelled; treated as another interface`);
        return m.negated;
      case 'dport':
        return (w.dport >= m.range.from && w.dport <= m.range.to) !== m.negated;
      case 'sport':
        return (w.p.sport >= m.range.from && w.p.sport <= m.range.to) !== m.negated;
      case 'addrtype':
        return this.local.has((m.which === 'src' ? w.srcAddr : w.dstAddr).text) !== m.negated;
      case 'mark':
        return ((w.mark & m.mask) >>> 0 === m.value) !== m.negated;
      case 'ctstate':
        return m.states.some((s) => w.states.includes(s)) !== m.negated;
      case 'random':
        return w.chooser.chance(m.probability);
      case 'nth': {
        const n = this.nth.get(r) ?? 0;
        w.effects.push(() => this.nth.set(r, n + 1));
        return n % m.every === m.packet;
      }
      case 'recent':
        return this.recentMatch(w, m);
      case 'physdev':
        return m.negated;
      case 'ipvs': {
        const v = w.ipvs;
        const hit =
          v !== undefined &&
          (m.vaddr === undefined || cidrHas(m.vaddr, v.vaddr)) &&
          (m.vproto === undefined || m.vproto === v.vproto) &&
          (m.vport === undefined || m.vport === v.vport);
        return hit !== m.negated;
      }
      case 'set': {
        const typed = this.options.sets?.get(m.name);
        if (typed) {
          const f = { proto: w.p.proto, src: w.srcAddr, sport: w.p.sport, dst: w.dstAddr, dport: w.dport };
          return typed.has(m.dirs, f) !== m.negated;
        }
        const members = this.options.ipsets?.get(m.name);
        if (!members)
          throw new DataplaneError(`line ${r.line}: ipset ${m.name} is used but its contents were not given`);
        const a = m.dirs[0] === 'dst' ? w.dstAddr : w.srcAddr;
        return members.some((x) => x === a.text || (x.includes('/') && cidrContainsText(x, a))) !== m.negated;
      }
      case 'ignored':
        if (m.note) note(w, m.note);
        return true;
    }
  }

  private recentMatch(w: Walk, m: Extract<Match, { kind: 'recent' }>): boolean {
    const ip = m.rdest ? w.dstAddr.text : w.srcAddr.text;
    const now = this.clock.now();
    let list = this.recent.get(m.name);
    if (!list) {
      list = new Map();
      this.recent.set(m.name, list);
    }
    const l = list;
    if (m.op === 'set') {
      w.effects.push(() => l.set(ip, [...(l.get(ip) ?? []), now]));
      return true;
    }
    const seen = l.get(ip) ?? [];
    const hit = seen.some((t) => m.seconds === undefined || now - t <= m.seconds);
    if (m.reap && m.seconds !== undefined) {
      const s = m.seconds;
      w.effects.push(() =>
        l.set(
          ip,
          (l.get(ip) ?? []).filter((t) => now - t <= s),
        ),
      );
    }
    if (hit && m.op === 'update') w.effects.push(() => l.set(ip, [...(l.get(ip) ?? []), now]));
    return hit;
  }
}

function note(w: Walk, text: string): void {
  if (!w.notes.includes(text)) w.notes.push(text);
}

function ifaceMatches(pattern: string, name: string): boolean {
  return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

function cidrContainsText(cidr: string, a: Address): boolean {
  const [net, len] = cidr.split('/');
  const n = parseAddress(net!);
  if (!n || n.v6 !== a.v6) return false;
  const shift = BigInt((a.v6 ? 128 : 32) - Number(len));
  return a.value >> shift === n.value >> shift;
}

function markAfter(mark: number, op: 'set-xmark' | 'or' | 'xor' | 'and', value: number, mask: number): number {
  switch (op) {
    case 'set-xmark':
      return ((mark & ~mask) ^ value) >>> 0;
    case 'or':
      return (mark | value) >>> 0;
    case 'xor':
      return (mark ^ value) >>> 0;
    case 'and':
      return (mark & value) >>> 0;
  }
}
