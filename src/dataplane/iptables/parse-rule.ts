// One rule's options (what follows `-A CHAIN`) into matches and a target. Options are read in the
// context of the modules loaded so far (`-m tcp`, `-p tcp` loads tcp), as iptables does; any
// option, module or target not listed here is an error naming its column.
import { parseCidr } from '../address.js';
import { type Token, TokenizeError } from './tokenize.js';
import type { Match, PortRange, Target } from './types.js';

const MODULES = new Set([
  'tcp',
  'udp',
  'sctp',
  'comment',
  'addrtype',
  'mark',
  'conntrack',
  'statistic',
  'recent',
  'set',
  'nfacct',
  'physdev',
  'ipvs',
]);
const CT_STATES = new Set(['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED', 'SNAT', 'DNAT']);

class Cursor {
  constructor(
    readonly tokens: readonly Token[],
    public i: number,
  ) {}
  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  next(): Token | undefined {
    return this.tokens[this.i++];
  }
  value(option: Token): Token {
    const v = this.next();
    if (!v) throw new TokenizeError(option.column, `${option.text} needs a value`);
    return v;
  }
}

function fail(t: Token, problem: string): never {
  throw new TokenizeError(t.column, problem);
}

function int(t: Token, what: string): number {
  const n = /^0x[0-9a-f]+$/i.test(t.text) ? Number.parseInt(t.text, 16) : /^\d+$/.test(t.text) ? Number(t.text) : NaN;
  if (!Number.isFinite(n)) fail(t, `${what} must be a number, got ${t.text}`);
  return n;
}

function portRange(t: Token): PortRange {
  const m = /^(\d{1,5})(?::(\d{1,5}))?$/.exec(t.text);
  if (!m) fail(t, `bad port ${t.text}`);
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from > 65535 || to > 65535 || to < from) fail(t, `bad port range ${t.text}`);
  return { from, to };
}

function cidr(t: Token) {
  const c = parseCidr(t.text);
  if (!c) fail(t, `bad address ${t.text}`);
  return c;
}

function markValue(t: Token): { value: number; mask: number } {
  const [v, m] = t.text.split('/');
  const value = int({ ...t, text: v! }, 'mark');
  const mask = m === undefined ? 0xffffffff : int({ ...t, text: m }, 'mark mask');
  return { value: value >>> 0, mask: mask >>> 0 };
}

/** "ip", "ip:port", "[v6]:port", ":port"; port ranges are refused (kube-proxy never wrote them). */
function natTo(t: Token): { host?: string; port?: number } {
  const text = t.text;
  let host: string | undefined = text;
  let port: string | undefined;
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    host = text.slice(1, end);
    port = text.slice(end + 1).replace(/^:/, '') || undefined;
  } else {
    const colon = text.indexOf(':');
    if (colon >= 0 && text.indexOf(':', colon + 1) < 0) {
      host = text.slice(0, colon);
      port = text.slice(colon + 1);
    }
  }
  if (host === '') host = undefined;
  const addr = host === undefined ? undefined : parseCidr(host);
  if (host !== undefined && addr?.prefix !== (host.includes(':') ? 128 : 32)) fail(t, `bad address ${text}`);
  if (port !== undefined && !isPort(port)) fail(t, `bad or unsupported port in ${text}`);
  const out: { host?: string; port?: number } = {};
  if (addr !== undefined) out.host = addr.text;
  if (port !== undefined) out.port = Number(port);
  return out;
}

/** 1 to 5 decimal digits. */
function isPort(text: string): boolean {
  if (text.length < 1 || text.length > 5) return false;
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i);
    if (d < 48 || d > 57) return false;
  }
  return true;
}

// Matches and targets are immutable data, and a dump repeats the same few thousands of them (a
// jump to KUBE-MARK-MASQ per endpoint, `-p tcp`, the same probabilities in every Service): one
// object each keeps a 10k-Service ruleset smaller and its parse cheaper.
const interned = new Map<string, Match | Target>();

function intern<T extends Match | Target>(key: string, make: () => T): T {
  let v = interned.get(key);
  if (v === undefined) {
    if (interned.size > 100_000) interned.clear();
    v = make();
    interned.set(key, v);
  }
  return v as T;
}

const COMMENT: Match = { kind: 'ignored', note: '' };

export interface ParsedOptions {
  matches: Match[];
  target: Target;
}

/** The options of tokens[start..] (a whole line's tokens, so columns stay those of the line). */
export function parseRuleOptions(tokens: readonly Token[], start = 0): ParsedOptions {
  const c = new Cursor(tokens, start);
  const matches: Match[] = [];
  const loaded = new Set<string>();
  let target: Target = { kind: 'none' };
  let targetName: string | undefined;
  let recent: Extract<Match, { kind: 'recent' }> | undefined;
  let statistic: Statistic | undefined;
  for (let t = c.next(); t; t = c.next()) {
    let negated = false;
    if (t.text === '!') {
      negated = true;
      t = c.next();
      if (!t) fail(tokens[tokens.length - 1]!, '`!` at the end of the rule');
    }
    const o = t.text;
    switch (o) {
      case '-s':
      case '--source':
        matches.push({ kind: 'source', negated, cidr: cidr(c.value(t)) });
        break;
      case '-d':
      case '--destination':
        matches.push({ kind: 'destination', negated, cidr: cidr(c.value(t)) });
        break;
      case '-p':
      case '--protocol': {
        const p = c.value(t).text.toLowerCase();
        matches.push(intern(`p${negated ? '!' : ''}${p}`, () => ({ kind: 'protocol', negated, protocol: p })));
        if (p === 'tcp' || p === 'udp' || p === 'sctp') loaded.add(p);
        break;
      }
      case '-i':
      case '--in-interface':
        matches.push({ kind: 'in-interface', negated, name: c.value(t).text });
        break;
      case '-o':
      case '--out-interface':
        matches.push({ kind: 'out-interface', negated, name: c.value(t).text });
        break;
      case '-m':
      case '--match': {
        if (negated) fail(t, `${o} cannot be negated`);
        const v = c.value(t);
        if (!MODULES.has(v.text)) fail(v, `match module "${v.text}" is not supported`);
        loaded.add(v.text);
        break;
      }
      case '-j':
      case '--jump':
      case '-g':
      case '--goto': {
        if (negated) fail(t, `${o} cannot be negated`);
        const v = c.value(t);
        targetName = v.text;
        target = targetFor(v, o === '-g' || o === '--goto');
        break;
      }
      default: {
        if (targetName !== undefined && o.startsWith('--')) {
          target = targetOption(target, t, c);
          break;
        }
        const m = moduleOption(t, c, loaded, negated);
        if (m === 'recent') {
          recent ??= { kind: 'recent', op: 'rcheck', name: 'DEFAULT', reap: false, rdest: false };
          recentOption(recent, t, c, negated);
        } else if (m === 'statistic') {
          if (negated) fail(t, `${o} cannot be negated`);
          statistic ??= { at: t };
          const v = c.value(t);
          if (o === '--mode') statistic.mode = v.text;
          else if (o === '--probability') {
            statistic.probability = Number(v.text);
            statistic.text = v.text;
          } else if (o === '--every') statistic.every = int(v, '--every');
          else statistic.packet = int(v, '--packet');
        } else matches.push(m);
      }
    }
  }
  if (recent) matches.push(recent);
  if (statistic) matches.push(statisticMatch(statistic));
  return { matches, target };
}

interface Statistic {
  mode?: string;
  probability?: number;
  text?: string;
  every?: number;
  packet?: number;
  at: Token;
}

function statisticMatch(s: Statistic): Match {
  if (s.mode === 'random') {
    const p = s.probability;
    if (p === undefined || !(p >= 0 && p <= 1))
      fail(s.at, 'statistic --mode random needs --probability between 0 and 1');
    return intern(`r${s.text}`, () => ({ kind: 'random', probability: p }));
  }
  if (s.mode === 'nth') {
    if (s.every === undefined || s.every < 1) fail(s.at, 'statistic --mode nth needs --every N');
    return { kind: 'nth', every: s.every, packet: s.packet ?? 0 };
  }
  fail(s.at, `statistic --mode ${s.mode ?? '(missing)'} is not supported`);
}

function moduleOption(
  t: Token,
  c: Cursor,
  loaded: ReadonlySet<string>,
  negated: boolean,
): Match | 'recent' | 'statistic' {
  const o = t.text;
  switch (o) {
    case '--dport':
    case '--destination-port': {
      need(t, loaded, 'tcp', 'udp', 'sctp');
      const v = c.value(t);
      return intern(`d${negated ? '!' : ''}${v.text}`, () => ({ kind: 'dport', negated, range: portRange(v) }));
    }
    case '--sport':
    case '--source-port':
      need(t, loaded, 'tcp', 'udp', 'sctp');
      return { kind: 'sport', negated, range: portRange(c.value(t)) };
    case '--comment':
      need(t, loaded, 'comment');
      // upstream's own test rules leave comments with spaces unquoted; the words up to the next
      // option are the comment (iptables-save always quotes them).
      if (!c.value(t).quoted) while (c.peek() && !c.peek()!.text.startsWith('-') && c.peek()!.text !== '!') c.next();
      return COMMENT;
    case '--src-type':
    case '--dst-type': {
      need(t, loaded, 'addrtype');
      const v = c.value(t);
      if (v.text !== 'LOCAL') fail(v, `addrtype ${v.text} is not supported (only LOCAL)`);
      return { kind: 'addrtype', negated, which: o === '--src-type' ? 'src' : 'dst', type: 'LOCAL' };
    }
    case '--mark':
      need(t, loaded, 'mark');
      return { kind: 'mark', negated, ...markValue(c.value(t)) };
    case '--ctstate': {
      need(t, loaded, 'conntrack');
      const v = c.value(t);
      const states = v.text.split(',');
      for (const s of states) if (!CT_STATES.has(s)) fail(v, `unknown conntrack state ${s}`);
      return { kind: 'ctstate', negated, states };
    }
    case '--mode':
    case '--probability':
    case '--every':
    case '--packet':
      need(t, loaded, 'statistic');
      return 'statistic';
    case '--rcheck':
    case '--set':
    case '--update':
    case '--seconds':
    case '--reap':
    case '--name':
    case '--mask':
    case '--rsource':
    case '--rdest':
      need(t, loaded, 'recent');
      return 'recent';
    case '--match-set': {
      need(t, loaded, 'set');
      const name = c.value(t).text;
      const dirs = c.value(t);
      const parts = dirs.text.split(',');
      if (!parts.every((d) => d === 'src' || d === 'dst')) fail(dirs, `bad --match-set direction ${dirs.text}`);
      return { kind: 'set', negated, name, dirs: parts as ('src' | 'dst')[] };
    }
    case '--physdev-is-in':
    case '--physdev-is-bridged':
      need(t, loaded, 'physdev');
      return { kind: 'physdev', negated, option: o === '--physdev-is-in' ? 'is-in' : 'is-bridged' };
    case '--ipvs':
      need(t, loaded, 'ipvs');
      return { kind: 'ipvs', negated };
    case '--vaddr':
    case '--vproto':
    case '--vport': {
      need(t, loaded, 'ipvs');
      const v = c.value(t);
      if (o === '--vaddr') return { kind: 'ipvs', negated, vaddr: cidr(v) };
      if (o === '--vport') return { kind: 'ipvs', negated, vport: portRange(v).from };
      return { kind: 'ipvs', negated, vproto: v.text.toLowerCase() };
    }
    case '--nfacct-name':
      need(t, loaded, 'nfacct');
      return { kind: 'ignored', note: `nfacct counter ${c.value(t).text} (counted by the kernel, not modelled)` };
    default:
      fail(t, `option ${o} is not supported`);
  }
}

function need(t: Token, loaded: ReadonlySet<string>, ...mods: string[]): void {
  for (const m of mods) if (loaded.has(m)) return;
  fail(t, `${t.text} needs -m ${mods.join(' or -m ')} first`);
}

function recentOption(r: Extract<Match, { kind: 'recent' }>, t: Token, c: Cursor, negated: boolean): void {
  const w = r as { -readonly [K in keyof typeof r]: (typeof r)[K] };
  if (negated) fail(t, `negated ${t.text} is not supported`);
  switch (t.text) {
    case '--rcheck':
      w.op = 'rcheck';
      break;
    case '--set':
      w.op = 'set';
      break;
    case '--update':
      w.op = 'update';
      break;
    case '--reap':
      w.reap = true;
      break;
    case '--rsource':
      w.rdest = false;
      break;
    case '--rdest':
      w.rdest = true;
      break;
    case '--seconds':
      w.seconds = int(c.value(t), '--seconds');
      break;
    case '--name':
      w.name = c.value(t).text;
      break;
    case '--mask': {
      const v = c.value(t);
      if (v.text !== '255.255.255.255' && v.text !== 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')
        fail(v, `recent --mask ${v.text} is not supported (only a full mask)`);
    }
  }
}

function targetFor(v: Token, isGoto: boolean): Target {
  switch (v.text) {
    case 'ACCEPT':
    case 'DROP':
    case 'RETURN':
      if (isGoto) fail(v, `-g ${v.text} is not a chain`);
      return intern(v.text, () => ({ kind: v.text as 'ACCEPT' }));
    case 'REJECT':
      return intern('REJECT', () => ({ kind: 'REJECT' }));
    case 'DNAT':
      return { kind: 'DNAT' };
    case 'SNAT':
      return { kind: 'SNAT', host: '' };
    case 'MASQUERADE':
      return { kind: 'MASQUERADE', randomFully: false };
    case 'MARK':
      return { kind: 'MARK', op: 'or', value: 0, mask: 0 };
    default:
      // Targets in upper case that are not chains of ours (LOG, CT, TPROXY...) surface when traced.
      return intern(`${isGoto ? 'g' : 'j'} ${v.text}`, () => {
        if (!/^[A-Za-z0-9_.-]+$/.test(v.text)) fail(v, `bad chain name ${v.text}`);
        return isGoto ? { kind: 'goto', chain: v.text } : { kind: 'jump', chain: v.text };
      });
  }
}

function targetOption(target: Target, t: Token, c: Cursor): Target {
  const o = t.text;
  switch (target.kind) {
    case 'DNAT':
      if (o === '--to-destination') return { kind: 'DNAT', ...natTo(c.value(t)) };
      if (o === '--random' || o === '--persistent') return target;
      break;
    case 'SNAT':
      if (o === '--to-source') {
        const to = natTo(c.value(t));
        if (!to.host) fail(t, 'SNAT --to-source needs an address');
        return { kind: 'SNAT', host: to.host, ...(to.port !== undefined ? { port: to.port } : {}) };
      }
      if (o === '--random' || o === '--random-fully' || o === '--persistent') return target;
      break;
    case 'MASQUERADE':
      if (o === '--random-fully') return { kind: 'MASQUERADE', randomFully: true };
      if (o === '--random') return target;
      break;
    case 'REJECT':
      if (o === '--reject-with') return { kind: 'REJECT', with: c.value(t).text };
      break;
    case 'MARK': {
      const op = {
        '--set-xmark': 'set-xmark',
        '--set-mark': 'set-xmark',
        '--or-mark': 'or',
        '--xor-mark': 'xor',
        '--and-mark': 'and',
      }[o];
      if (op) {
        const v = markValue(c.value(t));
        // --set-mark V[/M] is --set-xmark V/M; --or-mark V sets bits V (mask V, xor V) and so on.
        return { kind: 'MARK', op: op as 'set-xmark' | 'or' | 'xor' | 'and', value: v.value, mask: v.mask };
      }
      break;
    }
    default:
  }
  fail(
    t,
    `option ${o} is not supported for target ${target.kind === 'jump' || target.kind === 'goto' ? target.chain : target.kind}`,
  );
}
