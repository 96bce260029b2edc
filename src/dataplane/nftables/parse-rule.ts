// A rule's words into statements, one construct at a time, as kube-proxy writes them and as
// `nft list ruleset` prints them back (`meta mark & 0x4000 == 0x0`, `counter packets 0 bytes 0`).
// A word that starts no known construct is an error naming its column.
import { type NftToken, NftTokenizeError } from './tokenize.js';
import type { Selector, Statement, Value, Verdict } from './types.js';
import { normalizePart, parseNumber } from './values.js';

class Words {
  i = 0;
  constructor(readonly t: readonly NftToken[]) {}
  peek(k = 0): string | undefined {
    return this.t[this.i + k]?.text;
  }
  next(what: string): NftToken {
    const w = this.t[this.i++];
    if (!w)
      throw new NftTokenizeError((this.t[this.t.length - 1]?.column ?? 0) + 1, `rule ends where ${what} was expected`);
    return w;
  }
  expect(text: string): NftToken {
    const w = this.next(`"${text}"`);
    if (w.text !== text) fail(w, `expected "${text}", got "${w.text}"`);
    return w;
  }
  done(): boolean {
    return this.i >= this.t.length;
  }
}

function fail(t: NftToken, problem: string): never {
  throw new NftTokenizeError(t.column, problem);
}

const FIELDS: Record<string, Record<string, Selector>> = {
  ip: { saddr: 'ip saddr', daddr: 'ip daddr' },
  ip6: { saddr: 'ip6 saddr', daddr: 'ip6 daddr' },
  th: { dport: 'th dport', sport: 'th sport' },
  tcp: { dport: 'tcp dport' },
  udp: { dport: 'udp dport' },
  sctp: { dport: 'sctp dport' },
  meta: { l4proto: 'meta l4proto', mark: 'meta mark', nfproto: 'meta nfproto' },
};

/** A selector at the cursor, or undefined (cursor unmoved) when the words start something else. */
function selector(w: Words): Selector | undefined {
  const a = w.peek();
  const b = w.peek(1);
  if (a === undefined) return undefined;
  if (a === 'mark' && b !== 'set') {
    w.i++;
    return 'meta mark';
  }
  if (a === 'iifname' || a === 'oifname') {
    w.i++;
    return a;
  }
  if (a === 'ct' && b === 'state') {
    w.i += 2;
    return 'ct state';
  }
  if (a === 'fib' && (b === 'saddr' || b === 'daddr') && w.peek(2) === 'type') {
    w.i += 3;
    return b === 'saddr' ? 'fib saddr type' : 'fib daddr type';
  }
  const f = b === undefined ? undefined : FIELDS[a]?.[b];
  if (f && !(a === 'meta' && b === 'mark' && w.peek(2) === 'set')) {
    w.i += 2;
    return f;
  }
  return undefined;
}

export function parseVerdict(w: Words): Verdict | undefined {
  const a = w.peek();
  if (a === 'jump' || a === 'goto') {
    w.i++;
    return { kind: a, chain: w.next('a chain name').text };
  }
  if (a === 'accept' || a === 'drop' || a === 'return' || a === 'continue') {
    w.i++;
    return { kind: a };
  }
  if (a === 'reject') {
    w.i++;
    // "with icmp port-unreachable", "with tcp reset": the kind of reply, not modelled.
    if (w.peek() === 'with') while (!w.done() && w.peek() !== 'comment') w.i++;
    return { kind: 'reject' };
  }
  return undefined;
}

/** `{ k : verdict , k : verdict }` (k may be a concatenation "a . b"). */
function verdictEntries(w: Words): Map<string, Verdict> {
  w.expect('{');
  const out = new Map<string, Verdict>();
  while (w.peek() !== '}') {
    const parts: string[] = [normalizePart(w.next('a key').text)];
    while (w.peek() === '.') {
      w.i++;
      parts.push(normalizePart(w.next('a key part').text));
    }
    w.expect(':');
    const at = w.t[w.i];
    const v = parseVerdict(w);
    if (!v) fail(at ?? w.t[w.i - 1]!, 'expected a verdict (goto, jump, drop, accept, return)');
    out.set(parts.join(' . '), v);
    if (w.peek() === ',') w.i++;
  }
  w.expect('}');
  return out;
}

function value(w: Words): Value {
  const t = w.next('a value');
  if (t.text.startsWith('@')) return { kind: 'set-ref', name: t.text.slice(1) };
  if (t.text === '{') {
    const items: string[] = [];
    while (w.peek() !== '}') {
      const x = w.next('a set element');
      if (x.text !== ',') items.push(normalizePart(x.text));
    }
    w.i++;
    return { kind: 'anon-set', items };
  }
  let text = normalizePart(t.text);
  // ct state new,established
  while (w.peek() === ',') {
    w.i++;
    text += `,${w.next('a value').text}`;
  }
  return { kind: 'literal', text: t.quoted ? t.text : text };
}

export function parseRuleStatements(tokens: readonly NftToken[]): Statement[] {
  const w = new Words(tokens);
  const out: Statement[] = [];
  while (!w.done()) {
    const t = w.t[w.i]!;
    const sel = selector(w);
    if (sel) {
      const keys: Selector[] = [sel];
      while (w.peek() === '.') {
        w.i++;
        const at = w.t[w.i];
        const k = selector(w);
        if (!k) fail(at ?? t, 'expected a selector after "."');
        keys.push(k);
      }
      let mask: number | undefined;
      if (w.peek() === '&' || w.peek() === 'and') {
        w.i++;
        const m = w.next('a mask');
        mask = parseNumber(m.text);
        if (mask === undefined) fail(m, `bad mask ${m.text}`);
      }
      if (w.peek() === 'vmap') {
        w.i++;
        const map = w.peek()?.startsWith('@')
          ? { name: w.next('a map').text.slice(1) }
          : { entries: verdictEntries(w) };
        out.push({ kind: 'vmap', keys, map });
        continue;
      }
      let negated = false;
      if (w.peek() === '!=' || w.peek() === '==') negated = w.next('').text === '!=';
      if (keys.length > 1) {
        const v = value(w);
        if (v.kind !== 'set-ref') fail(t, 'a concatenation is only supported against a set (@name)');
        out.push({ kind: 'lookup', keys, set: v.name, negated });
        continue;
      }
      const st: Statement = { kind: 'match', selector: sel, negated, value: value(w) };
      if (mask !== undefined) st.mask = mask;
      out.push(st);
      continue;
    }
    const v = parseVerdict(w);
    if (v) {
      out.push({ kind: 'verdict', verdict: v });
      continue;
    }
    switch (t.text) {
      case 'numgen': {
        w.i++;
        w.expect('random');
        w.expect('mod');
        const n = w.next('a modulus');
        const mod = parseNumber(n.text);
        if (!mod) fail(n, `bad numgen modulus ${n.text}`);
        if (w.peek() === 'offset') {
          w.i++;
          if (w.next('an offset').text !== '0') fail(w.t[w.i - 1]!, 'numgen offset other than 0 is not supported');
        }
        w.expect('vmap');
        out.push({ kind: 'numgen-vmap', mod, entries: verdictEntries(w) });
        break;
      }
      case 'dnat': {
        w.i++;
        if (w.peek() === 'ip' || w.peek() === 'ip6') w.i++;
        w.expect('to');
        const to = w.next('an address');
        const m = /^\[([^\]]+)\]:(\d+)$/.exec(to.text) ?? /^([^:]+):(\d+)$/.exec(to.text) ?? /^(.+)()$/.exec(to.text)!;
        const host = normalizePart(m[1]!);
        out.push(m[2] ? { kind: 'dnat', host, port: Number(m[2]) } : { kind: 'dnat', host });
        break;
      }
      case 'masquerade':
        w.i++;
        while (w.peek() === 'fully-random' || w.peek() === 'random' || w.peek() === 'persistent' || w.peek() === ',')
          w.i++;
        out.push({ kind: 'masquerade' });
        break;
      case 'mark':
      case 'meta': {
        // mark set mark or 0x4000 | meta mark set meta mark | 0x00004000 | mark set 0x1
        w.i += t.text === 'meta' ? 2 : 1;
        w.expect('set');
        let op: 'or' | 'xor' | 'and' | 'set' = 'set';
        if (w.peek() === 'mark' || (w.peek() === 'meta' && w.peek(1) === 'mark')) {
          w.i += w.peek() === 'meta' ? 2 : 1;
          const o = w.next('an operator');
          const ops: Record<string, 'or' | 'xor' | 'and'> = {
            or: 'or',
            '|': 'or',
            xor: 'xor',
            '^': 'xor',
            and: 'and',
            '&': 'and',
          };
          const mapped = ops[o.text];
          if (!mapped) fail(o, `unsupported mark operator ${o.text}`);
          op = mapped;
        }
        const n = w.next('a mark value');
        const value = parseNumber(n.text);
        if (value === undefined) fail(n, `bad mark value ${n.text}`);
        out.push({ kind: 'mark-set', op, value });
        break;
      }
      case 'update':
      case 'add': {
        w.i++;
        const s = w.next('a set');
        if (!s.text.startsWith('@')) fail(s, `expected @set after ${t.text}`);
        w.expect('{');
        const key: Selector[] = [];
        while (w.peek() !== '}') {
          const at = w.t[w.i]!;
          const k = selector(w);
          if (!k) fail(at, `unsupported element expression ${at.text}`);
          key.push(k);
          if (w.peek() === '.') w.i++;
          else if (w.peek() === 'timeout') w.i += 2;
        }
        w.i++;
        out.push({ kind: 'update-set', set: s.text.slice(1), key });
        break;
      }
      case 'counter':
        w.i++;
        if (w.peek() === 'packets') w.i += 4;
        out.push({ kind: 'counter' });
        break;
      case 'comment':
        w.i += 2;
        if (!w.done()) fail(w.t[w.i]!, 'nothing may follow a rule comment');
        break;
      default:
        fail(t, `unsupported nftables expression "${t.text}"`);
    }
  }
  return out;
}
