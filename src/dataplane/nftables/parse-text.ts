// nftables text into a ruleset: both the `nft -f` command form we write (add/flush/delete lines,
// as knftables does) and the block form `nft list ruleset` prints (table { chain { ... } }).
import { ruleParseError } from '../source.js';
import { parseRuleStatements } from './parse-rule.js';
import { type NftToken, NftTokenizeError, tokenizeNft } from './tokenize.js';
import type { NftChain, NftElement, NftRuleset, NftSet, NftTable } from './types.js';
import { normalizePart, parseDuration, parsePriority } from './values.js';

interface Line {
  n: number;
  tokens: NftToken[];
  text: string;
}

class Failure extends Error {
  constructor(
    readonly column: number,
    problem: string,
  ) {
    super(problem);
  }
}

const fail = (t: NftToken | undefined, problem: string): never => {
  throw new Failure(t?.column ?? 1, problem);
};

export function parseNftText(text: string): NftRuleset {
  const lines = text.split('\n');
  const ruleset: NftRuleset = { tables: new Map() };
  const parsed: Line[] = [];
  for (let n = 1; n <= lines.length; n++) {
    const raw = lines[n - 1]!.replace(/\r$/, '');
    try {
      const tokens = tokenizeNft(raw);
      if (tokens.length > 0) parsed.push({ n, tokens, text: raw.trim() });
    } catch (e) {
      if (e instanceof NftTokenizeError) throw ruleParseError(lines, n, e.column, e.message);
      throw e;
    }
  }
  let i = 0;
  let current = 0;
  try {
    while (i < parsed.length) {
      const line = parsed[i]!;
      current = line.n;
      if (line.tokens[0]!.text === 'table') i = blockTable(ruleset, parsed, i, (n) => (current = n));
      else {
        command(ruleset, line);
        i++;
      }
    }
  } catch (e) {
    if (e instanceof Failure || e instanceof NftTokenizeError)
      throw ruleParseError(lines, current, e.column, e.message);
    throw e;
  }
  return ruleset;
}

function tableOf(rs: NftRuleset, family: NftToken | undefined, name: NftToken | undefined, create: boolean): NftTable {
  if (!family || !name) return fail(family ?? name, 'expected a family and a table name');
  const key = `${family.text} ${name.text}`;
  let t = rs.tables.get(key);
  if (!t) {
    if (!create) return fail(name, `table ${key} does not exist`);
    if (!['ip', 'ip6', 'inet'].includes(family.text)) fail(family, `table family ${family.text} is not supported`);
    t = { family: family.text, name: name.text, chains: new Map(), sets: new Map() };
    rs.tables.set(key, t);
  }
  return t;
}

/** `{ type nat hook prerouting priority -100 ; policy accept ; }` or the same words on a line. */
function chainSpec(chain: NftChain, words: readonly NftToken[]): void {
  const w = words.filter((t) => t.text !== '{' && t.text !== '}');
  for (let i = 0; i < w.length; i++) {
    const t = w[i]!;
    if (t.text === ';') continue;
    if (t.text === 'type') {
      const type = w[i + 1]?.text;
      if (w[i + 2]?.text !== 'hook') fail(w[i + 2] ?? t, 'expected "hook" after the chain type');
      const hook = w[i + 3]?.text;
      if (w[i + 4]?.text !== 'priority') fail(w[i + 4] ?? t, 'expected "priority"');
      const pw: string[] = [];
      let j = i + 5;
      while (j < w.length && w[j]!.text !== ';') pw.push(w[j++]!.text);
      const priority = parsePriority(pw);
      if (priority === undefined) fail(w[i + 5] ?? t, `bad priority ${pw.join(' ')}`);
      if (!type || !hook) fail(t, 'incomplete chain type');
      chain.base = { type: type!, hook: hook!, priority: priority!, policy: chain.base?.policy ?? 'accept' };
      i = j;
    } else if (t.text === 'policy') {
      const p = w[i + 1]?.text;
      if (p !== 'accept' && p !== 'drop') fail(w[i + 1] ?? t, 'policy must be accept or drop');
      if (chain.base) chain.base.policy = p as 'accept' | 'drop';
      i++;
    } else if (t.text === 'comment') i++;
    else if (t.text === 'devices' || t.text === 'device') fail(t, 'netdev/ingress chains are not supported');
    else fail(t, `unexpected "${t.text}" in the chain declaration`);
  }
}

function setSpec(set: NftSet, words: readonly NftToken[]): void {
  const w = words.filter((t) => t.text !== '{' && t.text !== '}' && t.text !== ';');
  for (let i = 0; i < w.length; i++) {
    const t = w[i]!.text;
    if (t === 'type' || t === 'typeof') {
      while (
        i + 1 < w.length &&
        !['flags', 'timeout', 'comment', 'size', 'policy', 'counter', 'gc-interval'].includes(w[i + 1]!.text)
      )
        i++;
    } else if (t === 'flags') {
      while (w[i + 2]?.text === ',') i += 2;
      i++;
    } else if (t === 'timeout') {
      const d = parseDuration(w[i + 1]?.text ?? '');
      if (d === undefined) fail(w[i + 1] ?? w[i], 'bad timeout');
      set.timeout = d;
      i++;
    } else if (t === 'comment' || t === 'size' || t === 'policy' || t === 'gc-interval') i++;
    else if (t === 'counter') continue;
    else fail(w[i], `unexpected "${t}" in the set declaration`);
  }
}

/** `{ a . b : goto c , d timeout 3h expires 2h , ... }` into elements of `set`. */
function elements(set: NftSet, words: readonly NftToken[], remove: boolean): void {
  let i = words[0]?.text === '{' ? 1 : 0;
  while (i < words.length && words[i]!.text !== '}') {
    const parts: string[] = [];
    let expires: number | undefined;
    let verdict: NftElement['verdict'];
    while (i < words.length && words[i]!.text !== ',' && words[i]!.text !== '}') {
      const t = words[i]!;
      if (t.text === '.') i++;
      else if (t.text === ':') {
        const v = words[i + 1]?.text;
        if (v === 'goto' || v === 'jump') {
          verdict = { kind: v, chain: words[i + 2]?.text ?? fail(t, 'verdict without a chain') };
          i += 3;
        } else if (v === 'drop' || v === 'accept' || v === 'return' || v === 'reject') {
          verdict = { kind: v };
          i += 2;
        } else fail(words[i + 1] ?? t, 'expected a verdict after ":"');
      } else if (t.text === 'timeout') i += 2;
      else if (t.text === 'expires') {
        expires = parseDuration(words[i + 1]?.text ?? '');
        i += 2;
      } else if (t.text === 'comment' || t.text === 'counter') i += t.text === 'comment' ? 2 : 1;
      else if (t.text === 'packets' || t.text === 'bytes') i += 2;
      else {
        parts.push(normalizePart(t.text));
        i++;
      }
    }
    if (words[i]?.text === ',') i++;
    if (parts.length === 0) continue;
    const el: NftElement = verdict ? { key: parts, verdict } : { key: parts };
    if (expires !== undefined) el.expires = expires;
    const k = parts.join(' . ');
    if (remove) {
      if (!set.elements.delete(k)) fail(words[0], `element ${k} is not in ${set.name}`);
    } else if (parts.some((p) => p.includes('/') || p.includes('-'))) set.intervals.push(el);
    else set.elements.set(k, el);
  }
}

function newSet(t: NftTable, name: string, isMap: boolean): NftSet {
  return { table: t.name, name, isMap, elements: new Map(), intervals: [] };
}

function command(rs: NftRuleset, line: Line): void {
  const [verb, what, family, table, name] = line.tokens;
  const v = verb!.text;
  if (!['add', 'create', 'insert', 'flush', 'delete', 'destroy'].includes(v))
    fail(verb, `unsupported nft command "${v}"`);
  if (what?.text === 'ruleset' && v === 'flush') {
    rs.tables.clear();
    return;
  }
  if (what?.text === 'table') {
    if (v === 'delete' || v === 'destroy') rs.tables.delete(`${family?.text} ${table?.text}`);
    else if (v === 'flush') {
      const t = tableOf(rs, family, table, false);
      for (const c of t.chains.values()) c.rules = [];
    } else tableOf(rs, family, table, true);
    return;
  }
  const t = tableOf(rs, family, table, false);
  if (!name) fail(table, 'expected a name');
  const nm = name!.text;
  const rest = line.tokens.slice(5);
  switch (what?.text) {
    case 'chain': {
      const c = t.chains.get(nm);
      if (v === 'add' || v === 'create') {
        const chain = c ?? { table: t.name, name: nm, rules: [], line: line.n };
        if (rest.length > 0) chainSpec(chain, rest);
        t.chains.set(nm, chain);
      } else if (!c) {
        if (v !== 'destroy') fail(name, `chain ${nm} does not exist`);
      } else if (v === 'flush') c.rules = [];
      else t.chains.delete(nm);
      return;
    }
    case 'rule': {
      const c = t.chains.get(nm) ?? fail(name, `chain ${nm} does not exist`);
      if (v !== 'add' && v !== 'insert') fail(verb, `${v} rule is not supported`);
      const rule = { line: line.n, text: line.text, statements: parseRuleStatements(rest) };
      if (v === 'add') c.rules.push(rule);
      else c.rules.unshift(rule);
      return;
    }
    case 'set':
    case 'map': {
      const s = t.sets.get(nm);
      if (v === 'add' || v === 'create') {
        const set = s ?? newSet(t, nm, what.text === 'map');
        setSpec(set, rest);
        t.sets.set(nm, set);
      } else if (!s) {
        if (v !== 'destroy') fail(name, `${what.text} ${nm} does not exist`);
      } else if (v === 'flush') {
        s.elements.clear();
        s.intervals = [];
      } else t.sets.delete(nm);
      return;
    }
    case 'element': {
      const s = t.sets.get(nm) ?? fail(name, `set or map ${nm} does not exist`);
      if (v === 'flush') fail(verb, 'flush element is not a command');
      elements(s, rest, v === 'delete' || v === 'destroy');
      return;
    }
    default:
      fail(what, `unsupported nft object "${what?.text}"`);
  }
}

/** `table FAMILY NAME {` ... `}`, as `nft list ruleset` prints it. Returns the next line index. */
function blockTable(rs: NftRuleset, lines: readonly Line[], i: number, at: (n: number) => void): number {
  const head = lines[i]!.tokens;
  const t = tableOf(rs, head[1], head[2], true);
  if (head[3]?.text !== '{') fail(head[3] ?? head[2], 'expected "{" after the table name');
  i++;
  while (i < lines.length) {
    const line = lines[i]!;
    at(line.n);
    const [a, b, c] = line.tokens;
    if (a!.text === '}') return i + 1;
    if (a!.text === 'comment' || a!.text === 'flags') {
      i++;
      continue;
    }
    if ((a!.text === 'chain' || a!.text === 'set' || a!.text === 'map') && c?.text === '{') {
      const name = b!.text;
      i++;
      if (a!.text === 'chain') {
        const chain: NftChain = t.chains.get(name) ?? { table: t.name, name, rules: [], line: line.n };
        t.chains.set(name, chain);
        for (; i < lines.length && lines[i]!.tokens[0]!.text !== '}'; i++) {
          const l = lines[i]!;
          at(l.n);
          const first = l.tokens[0]!.text;
          if (first === 'type' || first === 'policy') chainSpec(chain, l.tokens);
          else if (first === 'comment' && l.tokens.length === 2) continue;
          else chain.rules.push({ line: l.n, text: l.text, statements: parseRuleStatements(l.tokens) });
        }
      } else {
        const set = t.sets.get(name) ?? newSet(t, name, a!.text === 'map');
        t.sets.set(name, set);
        for (; i < lines.length && lines[i]!.tokens[0]!.text !== '}'; i++) {
          const l = lines[i]!;
          at(l.n);
          if (l.tokens[0]!.text === 'elements') {
            if (l.tokens[1]?.text !== '=') fail(l.tokens[1], 'expected "=" after elements');
            // The element list may span lines until its braces close.
            const words = l.tokens.slice(2);
            while (!words.some((w) => w.text === '}') && i + 1 < lines.length) {
              i++;
              at(lines[i]!.n);
              words.push(...lines[i]!.tokens);
            }
            elements(set, words, false);
          } else setSpec(set, l.tokens);
        }
      }
      i++;
      continue;
    }
    fail(a, `unexpected "${a!.text}" in table ${t.name}`);
  }
  return fail(head[0], `table ${t.name} has no closing "}"`);
}
