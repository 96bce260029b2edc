// A packet through an nftables ruleset as the kernel runs it: at each hook, every base chain of
// every table in priority order; accept ends one base chain, drop/reject end the packet. nat base
// chains see only a connection's first packet (conntrack keeps the translation). Sets and maps are
// looked up by key; timed sets (affinity) expire on the emulated clock.

import { DataplaneError } from '../../errors.js';
import { type Address, cidrHas, hostPort, parseAddress, parseCidr } from '../address.js';
import { type Clock, EmulatedClock } from '../clock.js';
import type { Dataplane } from '../dataplane.js';
import { type Chooser, connKey, type Packet, type Step, type Trace } from '../packet.js';
import { MAX_WALK_STEPS, NFT_JUMP_STACK_SIZE } from '../walk-bounds.js';
import type { NftChain, NftRule, NftRuleset, NftSet, NftTable, Selector, Value, Verdict } from './types.js';

export interface NftablesOptions {
  localAddresses: Iterable<string>;
  clock?: Clock;
}

type Outcome = 'accept' | 'drop' | 'reject';

class Walk {
  dst: string;
  dport: number;
  dstAddr: Address;
  readonly srcAddr: Address;
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
  constructor(
    readonly p: Packet,
    readonly chooser: Chooser,
    established: boolean,
    record: boolean,
  ) {
    this.record = record;
    this.dst = p.dst;
    this.dport = p.dport;
    this.dstAddr = addr(p.dst);
    this.srcAddr = addr(p.src);
    this.states = [established ? 'established' : 'new'];
  }
}

function addr(text: string): Address {
  const a = parseAddress(text);
  if (!a) throw new DataplaneError(`not an IP address: ${text}`);
  return a;
}

export class NftablesDataplane implements Dataplane {
  private readonly local = new Set(['127.0.0.1', '::1']);
  private readonly clock: Clock;
  private readonly conntrack = new Map<string, { dnat?: { host: string; port: number }; masquerade: boolean }>();
  private readonly hooks = new Map<string, { chain: NftChain; table: NftTable }[]>();

  constructor(
    readonly ruleset: NftRuleset,
    options: NftablesOptions,
  ) {
    for (const a of options.localAddresses) this.local.add(addr(a).text);
    this.clock = options.clock ?? new EmulatedClock();
    for (const t of ruleset.tables.values())
      for (const c of t.chains.values())
        if (c.base) {
          const list = this.hooks.get(c.base.hook) ?? [];
          list.push({ chain: c, table: t });
          this.hooks.set(c.base.hook, list);
        }
    for (const list of this.hooks.values()) list.sort((a, b) => a.chain.base!.priority - b.chain.base!.priority);
  }

  flushConntrack(): void {
    this.conntrack.clear();
  }

  trace(p: Packet, chooser: Chooser, commit = true, record = true): Trace {
    const key = connKey(p);
    const known = this.conntrack.get(key);
    const w = new Walk(p, chooser, known !== undefined, record);
    if (known?.dnat) this.setDnat(w, known.dnat.host, known.dnat.port);
    const nat = known === undefined;
    let o = this.runHook(w, p.hook, nat);
    if (o === 'accept') {
      const local = this.local.has(w.dstAddr.text);
      if (p.hook === 'prerouting') {
        o = this.runHook(w, local ? 'input' : 'forward', nat);
        if (o === 'accept' && !local) o = this.runHook(w, 'postrouting', nat);
      } else {
        o = this.runHook(w, 'postrouting', nat);
        if (o === 'accept' && local) o = this.runHook(w, 'input', nat);
      }
    }
    if (known) w.masquerade = known.masquerade;
    if (commit) {
      for (const e of w.effects) e();
      if (o === 'accept' && !known)
        this.conntrack.set(key, { ...(w.dnat ? { dnat: w.dnat } : {}), masquerade: w.masquerade });
    }
    return {
      verdict: o === 'drop' ? 'DROP' : o === 'reject' ? 'REJECT' : w.dnat ? 'DNAT' : 'ACCEPT',
      endpoint: o === 'accept' && w.dnat ? hostPort(w.dnat.host, w.dnat.port) : null,
      masquerade: o === 'accept' && w.masquerade,
      path: w.path,
      notes: w.notes,
      established: known !== undefined,
      rulesVisited: w.visited,
    };
  }

  private setDnat(w: Walk, host: string, port: number): void {
    w.dnat = { host, port };
    w.dst = host;
    w.dport = port;
    w.dstAddr = addr(host);
    if (!w.states.includes('dnat')) w.states.push('dnat');
  }

  private runHook(w: Walk, hook: string, nat: boolean): Outcome {
    for (const { chain: c, table } of this.hooks.get(hook) ?? []) {
      if (c.base!.type === 'nat' && !nat) continue;
      if (table.family === 'ip' && w.srcAddr.v6) continue;
      if (table.family === 'ip6' && !w.srcAddr.v6) continue;
      const o = this.runBase(w, table, c);
      if (o !== 'accept') return o;
    }
    return 'accept';
  }

  private runBase(w: Walk, t: NftTable, base: NftChain): Outcome {
    const stack: [NftChain, number][] = [[base, 0]];
    let steps = 0;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const [chain, from] = frame;
      let verdict: Verdict | undefined;
      let pos = from;
      for (; pos < chain.rules.length && verdict === undefined; pos++) {
        w.visited++;
        if (++steps > MAX_WALK_STEPS)
          throw new DataplaneError(
            `chain ${base.name}: more than ${MAX_WALK_STEPS} rules for one packet: the chains loop (the kernel refuses that when loading)`,
          );
        verdict = this.runRule(w, t, chain, chain.rules[pos]!, pos);
      }
      frame[1] = pos;
      if (verdict === undefined || verdict.kind === 'return') {
        stack.pop();
        if (stack.length === 0) {
          if (w.record)
            w.path.push({
              table: t.name,
              chain: chain.name,
              rule: 'policy',
              line: chain.line,
              text: `policy ${base.base!.policy}`,
            });
          return base.base!.policy === 'drop' ? 'drop' : 'accept';
        }
        continue;
      }
      switch (verdict.kind) {
        case 'accept':
          return 'accept';
        case 'drop':
          return 'drop';
        case 'reject':
          return 'reject';
        case 'continue':
          break;
        case 'jump':
        case 'goto': {
          const next = t.chains.get(verdict.chain);
          if (!next) throw new DataplaneError(`chain ${verdict.chain} does not exist in table ${t.name}`);
          if (verdict.kind === 'goto') stack.pop();
          if (stack.length > NFT_JUMP_STACK_SIZE)
            throw new DataplaneError(
              `chain ${chain.name}: ${verdict.kind} ${verdict.chain} nests deeper than the kernel's ${NFT_JUMP_STACK_SIZE} jumps (a loop, or a ruleset nft would refuse: EMLINK)`,
            );
          stack.push([next, 0]);
        }
      }
    }
    return 'accept';
  }

  /** Runs one rule; a verdict when it reached one, undefined to go on to the next rule. */
  private runRule(w: Walk, t: NftTable, chain: NftChain, r: NftRule, pos: number): Verdict | undefined {
    let recorded = false;
    const record = () => {
      if (!recorded && w.record)
        w.path.push({ table: t.name, chain: chain.name, rule: pos + 1, line: r.line, text: r.text });
      recorded = true;
    };
    for (const s of r.statements) {
      switch (s.kind) {
        case 'match':
          if (!this.match(w, t, s.selector, s.value, s.mask) !== s.negated) return undefined;
          break;
        case 'lookup': {
          const hit =
            this.lookup(
              t,
              s.set,
              s.keys.map((k) => this.field(w, k)),
            ) !== undefined;
          if (hit === s.negated) return undefined;
          break;
        }
        case 'vmap': {
          const key = s.keys.map((k) => this.field(w, k));
          const v = 'name' in s.map ? this.lookup(t, s.map.name, key)?.verdict : s.map.entries.get(key.join(' . '));
          if (!v) return undefined;
          record();
          return v;
        }
        case 'numgen-vmap': {
          const v = s.entries.get(String(w.chooser.pick(s.mod)));
          if (!v) return undefined;
          record();
          return v;
        }
        case 'verdict':
          record();
          return s.verdict;
        case 'dnat':
          record();
          this.setDnat(w, s.host, s.port ?? w.dport);
          return { kind: 'accept' };
        case 'masquerade':
          record();
          w.masquerade = true;
          return { kind: 'accept' };
        case 'mark-set':
          record();
          w.mark =
            (s.op === 'or'
              ? w.mark | s.value
              : s.op === 'xor'
                ? w.mark ^ s.value
                : s.op === 'and'
                  ? w.mark & s.value
                  : s.value) >>> 0;
          break;
        case 'update-set': {
          record();
          const set = this.set(t, s.set);
          const key = s.key.map((k) => this.field(w, k));
          const expires = set.timeout === undefined ? undefined : this.clock.now() + set.timeout;
          w.effects.push(() => set.elements.set(key.join(' . '), expires === undefined ? { key } : { key, expires }));
          break;
        }
        case 'counter':
          break;
      }
    }
    if (r.statements.length > 0) record();
    return undefined;
  }

  private field(w: Walk, s: Selector): string {
    switch (s) {
      case 'ip saddr':
      case 'ip6 saddr':
        return w.srcAddr.text;
      case 'ip daddr':
      case 'ip6 daddr':
        return w.dstAddr.text;
      case 'meta l4proto':
        return w.p.proto;
      case 'th dport':
      case 'tcp dport':
      case 'udp dport':
      case 'sctp dport':
        return String(w.dport);
      case 'th sport':
        return String(w.p.sport);
      case 'meta mark':
        return String(w.mark);
      case 'iifname':
        return w.p.inIface ?? '';
      case 'oifname':
        return '';
      case 'meta nfproto':
        return w.srcAddr.v6 ? 'ipv6' : 'ipv4';
      case 'fib saddr type':
        return this.local.has(w.srcAddr.text) ? 'local' : 'unicast';
      case 'fib daddr type':
        return this.local.has(w.dstAddr.text) ? 'local' : 'unicast';
      case 'ct state':
        return w.states.join(',');
    }
  }

  private match(w: Walk, t: NftTable, sel: Selector, v: Value, mask: number | undefined): boolean {
    if ((sel === 'tcp dport' || sel === 'udp dport' || sel === 'sctp dport') && !sel.startsWith(w.p.proto))
      return false;
    if (sel === 'ct state') {
      const want = v.kind === 'literal' ? v.text.split(',') : v.kind === 'anon-set' ? v.items : [];
      return want.some((s) => w.states.includes(s));
    }
    if (sel === 'oifname') {
      if (!w.notes.includes('oifname: output interfaces are not modelled'))
        w.notes.push('oifname: output interfaces are not modelled');
      return false;
    }
    let actual = this.field(w, sel);
    if (mask !== undefined) actual = String((Number(actual) & mask) >>> 0);
    const one = (x: string) => {
      if (sel === 'iifname' && x.endsWith('*')) return actual.startsWith(x.slice(0, -1));
      if (x.includes('/')) {
        const c = parseCidr(x);
        const a = parseAddress(actual);
        return c !== undefined && a !== undefined && cidrHas(c, a);
      }
      return x === actual;
    };
    if (v.kind === 'literal') return one(v.text);
    if (v.kind === 'anon-set') return v.items.some(one);
    return this.lookup(t, v.name, [actual]) !== undefined;
  }

  private set(t: NftTable, name: string): NftSet {
    const s = t.sets.get(name);
    if (!s) throw new DataplaneError(`set ${name} does not exist in table ${t.name}`);
    return s;
  }

  private lookup(t: NftTable, name: string, key: readonly string[]) {
    const s = this.set(t, name);
    const e = s.elements.get(key.join(' . '));
    if (e) return e.expires === undefined || e.expires > this.clock.now() ? e : undefined;
    for (const iv of s.intervals) if (iv.key.every((k, i) => partMatches(k, key[i]!))) return iv;
    return undefined;
  }
}

function partMatches(pattern: string, actual: string): boolean {
  if (pattern.includes('/')) {
    const c = parseCidr(pattern);
    const a = parseAddress(actual);
    return c !== undefined && a !== undefined && cidrHas(c, a);
  }
  const range = /^(\d+)-(\d+)$/.exec(pattern);
  if (range) return Number(actual) >= Number(range[1]) && Number(actual) <= Number(range[2]);
  return pattern === actual;
}
