// iptables-restore / iptables-save text into tables of chains of parsed rules. Understands table
// headers, chain declarations with policies and counters, COMMIT, -A / -I / -D-less edits (-X, -F),
// comments and blank lines. Applying a restore payload flushes the chains it declares, as
// `iptables-restore --noflush` does; a chain used before it is declared is an error.
import { ruleParseError } from '../source.js';
import { parseRuleOptions } from './parse-rule.js';
import { type Token, TokenizeError, tokenize } from './tokenize.js';
import { BUILTIN_CHAINS, type Chain, type IptablesRuleset, type Rule, type Table } from './types.js';

export function parseIptables(text: string): IptablesRuleset {
  const lines = text.split('\n');
  const tables = new Map<string, Table>();
  let table: Table | undefined;
  let tableLine = 0;
  for (let n = 1; n <= lines.length; n++) {
    const raw = lines[n - 1]!;
    const line = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    const c0 = line.charCodeAt(0);
    // "-A ..." (nearly every line of a dump) needs no trimming; blank lines and comments are skipped.
    if (c0 !== 45) {
      const first = line.trimStart()[0];
      if (first === undefined || first === '#') continue;
    }
    let tokens: Token[];
    try {
      tokens = tokenize(line);
    } catch (e) {
      if (e instanceof TokenizeError) throw ruleParseError(lines, n, e.column, e.message);
      throw e;
    }
    const head = tokens[0]!;
    const h = head.text;
    if (h.charCodeAt(0) === 42 /* * */) {
      if (table)
        throw ruleParseError(
          lines,
          n,
          1,
          `table ${h} starts before table ${table.name} (line ${tableLine}) has a COMMIT`,
        );
      const name = h.slice(1);
      if (!BUILTIN_CHAINS[name]) throw ruleParseError(lines, n, 2, `unknown table ${name}`);
      table = tables.get(name) ?? { name, chains: new Map() };
      tables.set(name, table);
      tableLine = n;
      continue;
    }
    if (h === 'COMMIT') {
      if (!table) throw ruleParseError(lines, n, 1, 'COMMIT outside a table');
      table = undefined;
      continue;
    }
    if (!table) throw ruleParseError(lines, n, 1, `line outside a table: ${h}`);
    if (h.charCodeAt(0) === 58 /* : */) {
      declareChain(table, tokens, n, lines);
      continue;
    }
    const chainArg = tokens[1];
    if (!chainArg) throw ruleParseError(lines, n, head.column, `${h} needs a chain name`);
    switch (h) {
      case '-A':
      case '--append':
      case '-I':
      case '--insert': {
        const chain = chainOf(table, chainArg, lines, n);
        let start = 2;
        const append = h === '-A' || h === '--append';
        let at = append ? chain.rules.length : 0;
        const pos = tokens[2];
        if (!append && pos && /^\d+$/.test(pos.text)) {
          at = Number(pos.text) - 1;
          if (at > chain.rules.length)
            throw ruleParseError(lines, n, pos.column, `insert position ${pos.text} is past the end`);
          start = 3;
        }
        let parsed: ReturnType<typeof parseRuleOptions>;
        try {
          parsed = parseRuleOptions(tokens, start);
        } catch (e) {
          if (e instanceof TokenizeError) throw ruleParseError(lines, n, e.column, e.message);
          throw e;
        }
        const rule: Rule = {
          line: n,
          text: c0 === 45 ? line.trimEnd() : line.trim(),
          matches: parsed.matches,
          target: parsed.target,
        };
        if (at === chain.rules.length) chain.rules.push(rule);
        else chain.rules.splice(at, 0, rule);
        break;
      }
      case '-F':
      case '--flush':
        chainOf(table, chainArg, lines, n).rules = [];
        break;
      case '-X':
      case '--delete-chain': {
        const c = chainOf(table, chainArg, lines, n);
        if (c.policy !== undefined)
          throw ruleParseError(lines, n, chainArg.column, `built-in chain ${c.name} cannot be deleted`);
        table.chains.delete(c.name);
        break;
      }
      default:
        throw ruleParseError(lines, n, head.column, `unsupported command ${h}`);
    }
  }
  if (table) throw ruleParseError(lines, tableLine, 1, `table ${table.name} has no COMMIT`);
  checkTargets(tables, lines);
  return { tables, lineCount: lines.length };
}

function chainOf(t: Table, arg: Token, lines: readonly string[], n: number): Chain {
  const c = t.chains.get(arg.text);
  if (c) return c;
  // Built-in chains always exist (kube-proxy's jumps are `-I INPUT 1 ...` on chains it never
  // declares); the kernel's policy stays, which is ACCEPT on a node kube-proxy runs on.
  if (BUILTIN_CHAINS[t.name]!.includes(arg.text)) {
    const b: Chain = { name: arg.text, policy: 'ACCEPT', line: 0, rules: [] };
    t.chains.set(b.name, b);
    return b;
  }
  throw ruleParseError(lines, n, arg.column, `chain ${arg.text} is not declared in table ${t.name}`);
}

function declareChain(t: Table, tokens: Token[], n: number, lines: readonly string[]): void {
  const err = (column: number, problem: string) => ruleParseError(lines, n, column, problem);
  const head = tokens[0]!;
  const name = head.text.slice(1);
  if (name === '') throw err(1, 'chain declaration without a name');
  const policy = tokens[1];
  if (!policy) throw err(head.column + head.text.length, `chain ${name} needs a policy (or -)`);
  const builtin = BUILTIN_CHAINS[t.name]!.includes(name);
  // "-" on a built-in chain keeps the kernel's policy, which is ACCEPT unless someone changed it.
  if (builtin && policy.text !== 'ACCEPT' && policy.text !== 'DROP' && policy.text !== '-')
    throw err(policy.column, `built-in chain ${name} needs policy ACCEPT, DROP or -, got ${policy.text}`);
  if (!builtin && policy.text !== '-') throw err(policy.column, `user chain ${name} cannot have policy ${policy.text}`);
  const counters = tokens[2];
  if (counters && counters.text !== '[0:0]' && !/^\[\d+:\d+\]$/.test(counters.text))
    throw err(counters.column, `bad counters ${counters.text}`);
  if (tokens[3]) throw err(tokens[3].column, `unexpected ${tokens[3].text} after the chain declaration`);
  // Declaring a chain in a restore payload flushes it.
  t.chains.set(name, {
    name,
    policy: builtin ? (policy.text === 'DROP' ? 'DROP' : 'ACCEPT') : undefined,
    line: n,
    rules: [],
  });
}

/** Every jump and goto must name a chain of its table (iptables-restore refuses the payload otherwise). */
function checkTargets(tables: Map<string, Table>, lines: readonly string[]): void {
  for (const t of tables.values())
    for (const c of t.chains.values())
      for (const r of c.rules) {
        if (r.target.kind !== 'jump' && r.target.kind !== 'goto') continue;
        if (t.chains.has(r.target.chain)) continue;
        const col = (lines[r.line - 1] ?? '').indexOf(` ${r.target.chain}`) + 2;
        throw ruleParseError(
          lines,
          r.line,
          col,
          `target ${r.target.chain} is neither a supported target nor a chain of table ${t.name}`,
        );
      }
}
