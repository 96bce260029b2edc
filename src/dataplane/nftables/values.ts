// Canonical text for the values nft prints: addresses and prefixes, protocol names, port numbers,
// durations; so a rule's literal, a set element and a packet field compare as strings.
import { parseCidr } from '../address.js';

const PROTOCOLS: Record<string, string> = {
  '6': 'tcp',
  '17': 'udp',
  '132': 'sctp',
  tcp: 'tcp',
  udp: 'udp',
  sctp: 'sctp',
  icmp: 'icmp',
  '1': 'icmp',
};

/** One key part or literal: an address or prefix, a protocol, a number, or the word as written. */
export function normalizePart(text: string): string {
  if (/^\d+$/.test(text)) return String(Number(text));
  if (/^0x[0-9a-f]+$/i.test(text)) return String(Number.parseInt(text, 16));
  const p = PROTOCOLS[text];
  if (p) return p;
  if (/^[0-9a-f:.]+(\/\d+)?$/i.test(text) && (text.includes('.') || text.includes(':'))) {
    const c = parseCidr(text);
    if (c) return c.text.endsWith(`/${c.v6 ? 128 : 32}`) ? c.text.slice(0, c.text.lastIndexOf('/')) : c.text;
  }
  return text;
}

export function protocolName(text: string): string | undefined {
  return PROTOCOLS[text];
}

/** "10800s", "3h", "1d2h3m4s", "500ms" -> seconds; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const re = /(\d+)(ms|d|h|m|s)/y;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return undefined;
    const n = Number(m[1]);
    total += m[2] === 'd' ? n * 86400 : m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 'ms' ? n / 1000 : n;
    at = re.lastIndex;
  }
  return at === 0 ? undefined : total;
}

export function parseNumber(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text, 16);
  return undefined;
}

const PRIORITIES: Record<string, number> = {
  raw: -300,
  mangle: -150,
  dstnat: -100,
  filter: 0,
  security: 50,
  srcnat: 100,
};

/** "-110", "dstnat", "dstnat - 10", "filter + 5" (words already split). */
export function parsePriority(words: readonly string[]): number | undefined {
  const [a, op, b] = words;
  if (a === undefined) return undefined;
  const base = /^-?\d+$/.test(a) ? Number(a) : PRIORITIES[a];
  if (base === undefined) return undefined;
  if (op === undefined) return base;
  const n = b !== undefined && /^\d+$/.test(b) ? Number(b) : undefined;
  if (n === undefined || (op !== '+' && op !== '-')) return undefined;
  return op === '+' ? base + n : base - n;
}
