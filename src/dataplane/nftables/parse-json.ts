// nftables JSON (`nft -j list ruleset`, and our `--format json` command list) into a ruleset. Each
// object is written back as the `nft -f` command it stands for and parsed by the text parser, so
// both forms share one grammar; an error names the JSON entry (nftables[i]) and its command text.
import { RuleParseError } from '../../errors.js';
import { parseNftText } from './parse-text.js';
import type { NftRuleset } from './types.js';

type J = unknown;

class JsonShapeError extends Error {}

const isObj = (x: J): x is Record<string, J> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Nesting `nft -j` never comes near (a rule is about 8 deep); past it the dump is refused, not recursed into. */
export const MAX_JSON_DEPTH = 64;

/** A value as an error message shows it: short, whatever its size. */
function shown(x: J): string {
  const text = JSON.stringify(x) ?? String(x);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

function arrayOf(x: J, what: string): J[] {
  if (!Array.isArray(x)) throw new JsonShapeError(`${what} must be an array, got ${shown(x)}`);
  return x;
}

/** Depth of the deepest container, counted iteratively (the converter below recurses per level). */
function deeperThan(root: J, max: number): boolean {
  const stack: [J, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d > max) return true;
    for (const c of Array.isArray(v) ? v : Object.values(v))
      if (typeof c === 'object' && c !== null) stack.push([c, d + 1]);
  }
  return false;
}

function only(x: Record<string, J>): [string, J] {
  const keys = Object.keys(x);
  if (keys.length !== 1) throw new JsonShapeError(`expected one key, got ${keys.join(', ') || 'none'}`);
  return [keys[0]!, x[keys[0]!]];
}

function word(x: J): string {
  if (typeof x === 'number') return String(x);
  if (typeof x === 'string') return /[\s{},;]/.test(x) || x === '' ? JSON.stringify(x) : x;
  return expr(x);
}

function expr(x: J): string {
  if (typeof x === 'string' || typeof x === 'number') return word(x);
  if (Array.isArray(x)) return x.map(expr).join(' , ');
  if (!isObj(x)) throw new JsonShapeError(`unsupported expression ${shown(x)}`);
  const [k, v] = only(x);
  const o = isObj(v) ? v : {};
  switch (k) {
    case 'payload':
      return `${o.protocol} ${o.field}`;
    case 'meta':
      return `meta ${o.key}`;
    case 'ct':
      return `ct ${o.key}`;
    case 'fib':
      return `fib ${(Array.isArray(o.flags) ? o.flags : [o.flags]).join(' . ')} ${o.result}`;
    case 'concat':
      return arrayOf(v, 'concat').map(expr).join(' . ');
    case 'set':
      return `{ ${arrayOf(v, 'set').map(element).join(' , ')} }`;
    case 'prefix':
      return `${o.addr}/${o.len}`;
    case 'range':
      return `${expr(arrayOf(v, 'range')[0])}-${expr(arrayOf(v, 'range')[1])}`;
    case '&':
    case '|':
    case '^':
      return `${expr(arrayOf(v, k)[0])} ${k} ${expr(arrayOf(v, k)[1])}`;
    case 'numgen':
      return `numgen ${o.mode} mod ${o.mod}${o.offset ? ` offset ${o.offset}` : ''}`;
    case 'elem':
      return element(x);
    default:
      return verdictText(x);
  }
}

function verdictText(x: J): string {
  if (!isObj(x)) throw new JsonShapeError(`expected a verdict, got ${shown(x)}`);
  const [k, v] = only(x);
  if (k === 'jump' || k === 'goto') {
    if (!isObj(v) || typeof v.target !== 'string') throw new JsonShapeError(`${k} needs a target chain name`);
    return `${k} ${v.target}`;
  }
  if (['accept', 'drop', 'return', 'continue', 'reject'].includes(k)) return k;
  throw new JsonShapeError(`unsupported expression "${k}"`);
}

/** A set element: a value, a concatenation, a prefix, {elem: {val, timeout, expires}} or [key, verdict]. */
function element(x: J): string {
  if (Array.isArray(x) && x.length === 2) return `${element(x[0])} : ${verdictText(x[1])}`;
  if (isObj(x) && 'elem' in x && isObj(x.elem)) {
    const e = x.elem;
    let out = expr(e.val);
    if (typeof e.timeout === 'number') out += ` timeout ${e.timeout}s`;
    if (typeof e.expires === 'number') out += ` expires ${e.expires}s`;
    return out;
  }
  return expr(x);
}

function statement(x: J): string {
  if (!isObj(x)) throw new JsonShapeError(`expected a statement object, got ${shown(x)}`);
  const [k, v] = only(x);
  const o = isObj(v) ? v : {};
  switch (k) {
    case 'match': {
      const op = o.op === '==' || o.op === 'in' ? '' : `${o.op} `;
      return `${expr(o.left)} ${op}${expr(o.right)}`;
    }
    case 'vmap': {
      const data = typeof o.data === 'string' ? o.data : expr(o.data);
      return `${expr(o.key)} vmap ${data}`;
    }
    case 'dnat': {
      const a = String(o.addr);
      const host = a.includes(':') && o.port !== undefined ? `[${a}]` : a;
      return `dnat to ${host}${o.port !== undefined ? `:${o.port}` : ''}`;
    }
    case 'masquerade':
      return 'masquerade';
    case 'mangle':
      return `${expr(o.key)} set ${expr(o.value)}`;
    case 'set':
      return `${o.op} ${o.set} { ${expr(o.elem)} }`;
    case 'counter':
      return 'counter';
    default:
      return verdictText(x);
  }
}

function spec(o: Record<string, J>, kind: string): string {
  const parts: string[] = [];
  if (kind === 'chain' && o.type !== undefined) {
    parts.push(`type ${o.type} hook ${o.hook} priority ${o.prio ?? o.priority} ;`);
    if (o.policy !== undefined) parts.push(`policy ${o.policy} ;`);
  }
  if ((kind === 'set' || kind === 'map') && typeof o.timeout === 'number') parts.push(`timeout ${o.timeout}s ;`);
  return parts.length ? ` { ${parts.join(' ')} }` : '';
}

/** One object ({table}, {chain}, {rule}, {set}, {map}, {element}) as an nft command with `verb`. */
function command(verb: string, kind: string, o: J): string[] {
  if (!isObj(o)) throw new JsonShapeError(`"${kind}" must be an object, got ${shown(o)}`);
  const fam = o.family;
  switch (kind) {
    case 'metainfo':
      return [];
    case 'table':
      return [`${verb} table ${fam} ${o.name}`];
    case 'chain':
      return [`${verb} chain ${fam} ${o.table} ${o.name}${verb === 'add' ? spec(o, kind) : ''}`];
    case 'rule': {
      const stmts = o.expr === undefined ? [] : arrayOf(o.expr, 'expr').map(statement);
      return [`${verb} rule ${fam} ${o.table} ${o.chain} ${stmts.join(' ')}`];
    }
    case 'set':
    case 'map': {
      const out = [`${verb} ${kind} ${fam} ${o.table} ${o.name}${verb === 'add' ? spec(o, kind) : ''}`];
      if (verb === 'add' && Array.isArray(o.elem) && o.elem.length > 0)
        out.push(`add element ${fam} ${o.table} ${o.name} { ${o.elem.map(element).join(' , ')} }`);
      return out;
    }
    case 'element':
      return [`${verb} element ${fam} ${o.table} ${o.name} { ${arrayOf(o.elem, 'elem').map(element).join(' , ')} }`];
    default:
      throw new JsonShapeError(`unsupported object "${kind}"`);
  }
}

export function parseNftJson(text: string): NftRuleset {
  let doc: J;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new RuleParseError(1, 1, `not JSON: ${(e as Error).message}`, '');
  }
  const list = isObj(doc) ? doc.nftables : undefined;
  if (!Array.isArray(list)) throw new RuleParseError(1, 1, 'expected {"nftables": [...]}', '');
  if (deeperThan(doc, MAX_JSON_DEPTH))
    throw new RuleParseError(1, 1, `nested deeper than ${MAX_JSON_DEPTH} levels`, '');
  const lines: string[] = [];
  const origin: number[] = [];
  list.forEach((entry, i) => {
    try {
      if (!isObj(entry)) throw new JsonShapeError('expected an object');
      const [k, v] = only(entry);
      const cmds =
        ['add', 'create', 'insert', 'delete', 'destroy', 'flush'].includes(k) && isObj(v)
          ? command(k, ...only(v))
          : command('add', k, v);
      for (const c of cmds) {
        lines.push(c);
        origin.push(i);
      }
    } catch (e) {
      if (e instanceof JsonShapeError) throw new RuleParseError(i + 1, 1, `nftables[${i}]: ${e.message}`, shown(entry));
      throw e;
    }
  });
  try {
    return parseNftText(lines.join('\n'));
  } catch (e) {
    if (!(e instanceof RuleParseError)) throw e;
    const i = origin[e.line - 1] ?? 0;
    throw new RuleParseError(
      i + 1,
      e.column,
      `nftables[${i}] (as "${lines[e.line - 1]}"): ${e.problem}`,
      shown(list[i]),
    );
  }
}
