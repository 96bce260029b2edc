// Test support: upstream's iptables packet tracer (proxier_test.go iptablesTracer / tracePacket),
// written again over our payload text. Like upstream it walks nat KUBE-SERVICES (what PREROUTING
// and OUTPUT jump to), follows every `-m statistic` branch so all endpoints are listed, treats rules
// that look at history (`-m recent --rcheck`, `-m mark`, `--ctstate`) as never matching, then runs
// the filter chains KUBE-SERVICES, KUBE-EXTERNAL-SERVICES, KUBE-NODEPORTS and KUBE-PROXY-FIREWALL
// against the DNATed destination. It refuses any rule option it does not know.
import { cidrContains, parseCIDRSloppy, parseIPSloppy } from '../../../src/net/index.js';
import { parseDump } from './iptables-dump.js';

export interface TraceResult {
  /** Endpoints ("ip:port, ip:port"), or ACCEPT / DROP / REJECT, or "" (no rule matched). */
  output: string;
  masq: boolean;
  /** The rules that matched, in order (for failure messages). */
  matches: string[];
}

interface Negatable {
  value: string;
  negated: boolean;
}

/** One `-A` line, split into the parts the tracer looks at. */
export interface ParsedRule {
  raw: string;
  source?: Negatable;
  destination?: Negatable;
  srcType?: Negatable;
  dstType?: Negatable;
  protocol?: Negatable;
  dport?: Negatable;
  probability?: string;
  /** `-m recent --rcheck`, `-m mark --mark`, `--ctstate`: history the tracer does not have. */
  checksHistory: boolean;
  jump?: string;
  dnat?: string;
}

/** Splits a rule into words; a double-quoted comment is one word. */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2]!);
  return out;
}

/** Options that carry one argument and do not affect the trace. */
const IGNORED_WITH_ARG = new Set(['-m', '--comment', '--name', '--seconds', '--mode', '--nfacct-name']);
const IGNORED_FLAGS = new Set(['--set', '--reap', '--random-fully']);
const IGNORED_TARGET_ARGS = new Set(['--or-mark', '--xor-mark', '--set-xmark']);

export function parseRule(line: string): ParsedRule {
  const w = words(line);
  if (w[0] !== '-A' || w.length < 2) throw new Error(`not a rule: ${line}`);
  const rule: ParsedRule = { raw: line, checksHistory: false };
  let negated = false;
  const take = (i: number): Negatable => {
    const value = w[i + 1];
    if (value === undefined) throw new Error(`option ${w[i]} without a value: ${line}`);
    return { value, negated };
  };
  for (let i = 2; i < w.length; i++) {
    const opt = w[i]!;
    if (opt === '!') {
      negated = true;
      continue;
    }
    switch (opt) {
      case '-s':
        rule.source = take(i++);
        break;
      case '-d':
        rule.destination = take(i++);
        break;
      case '-p':
        rule.protocol = take(i++);
        break;
      case '--dport':
        rule.dport = take(i++);
        break;
      case '--src-type':
        rule.srcType = take(i++);
        break;
      case '--dst-type':
        rule.dstType = take(i++);
        break;
      case '--probability':
        rule.probability = take(i++).value;
        break;
      case '--rcheck':
        rule.checksHistory = true;
        break;
      case '--mark':
      case '--ctstate':
        rule.checksHistory = true;
        i++;
        break;
      case '-j':
        rule.jump = take(i++).value;
        break;
      case '--to-destination':
        rule.dnat = take(i++).value;
        break;
      default:
        if (IGNORED_WITH_ARG.has(opt) || IGNORED_TARGET_ARGS.has(opt)) i++;
        else if (!IGNORED_FLAGS.has(opt)) throw new Error(`tracer does not understand ${opt} in: ${line}`);
    }
    negated = false;
  }
  return rule;
}

function addressMatches(address: Negatable, ip: string): boolean {
  const p = parseIPSloppy(ip);
  if (!p) throw new Error(`bad IP in test case: ${ip}`);
  let match: boolean;
  if (address.value.includes('/')) {
    const c = parseCIDRSloppy(address.value);
    if (!c) throw new Error(`bad CIDR in payload: ${address.value}`);
    match = cidrContains(c, p);
  } else {
    const q = parseIPSloppy(address.value);
    if (!q) throw new Error(`bad IP in payload: ${address.value}`);
    match = q.text === p.text;
  }
  return match !== address.negated;
}

const valueMatches = (v: Negatable, actual: string) => (v.value === actual) !== v.negated;

interface Packet {
  source: string;
  protocol: string;
  destination: string;
  dport: string;
}

/** Rules per chain, parsed when a packet first reaches the chain. */
interface Chains {
  get(chain: string): readonly ParsedRule[] | undefined;
}

class Tracer {
  readonly matches: string[] = [];
  readonly outputs: string[] = [];
  masq = false;
  constructor(private readonly localIPs: ReadonlySet<string>) {}

  private addrType(ip: string): string {
    return this.localIPs.has(ip) ? 'LOCAL' : 'not-matched';
  }

  private ruleMatches(r: ParsedRule, p: Packet): boolean {
    if (r.source && !addressMatches(r.source, p.source)) return false;
    if (r.srcType && !valueMatches(r.srcType, this.addrType(p.source))) return false;
    if (r.protocol && !valueMatches(r.protocol, p.protocol)) return false;
    if (r.destination && !addressMatches(r.destination, p.destination)) return false;
    if (r.dstType && !valueMatches(r.dstType, this.addrType(p.destination))) return false;
    if (r.dport && !valueMatches(r.dport, p.dport)) return false;
    return !r.checksHistory;
  }

  /** Runs a chain; true when the packet met a terminal target. */
  runChain(chains: Chains, chain: string, p: Packet): boolean {
    for (const r of chains.get(chain) ?? []) {
      if (r.jump === undefined || !this.ruleMatches(r, p)) continue;
      this.matches.push(r.raw);
      switch (r.jump) {
        case 'KUBE-MARK-MASQ':
          this.masq = true;
          continue;
        case 'ACCEPT':
        case 'REJECT':
        case 'DROP':
          this.outputs.push(r.jump);
          return true;
        case 'DNAT':
          if (r.dnat === undefined) throw new Error(`DNAT without --to-destination: ${r.raw}`);
          this.outputs.push(r.dnat);
          return true;
        default:
          // A probabilistic jump that ended in a DNAT still lets the next rules add endpoints.
          if (this.runChain(chains, r.jump, p) && r.probability === undefined) return true;
      }
    }
    return false;
  }
}

export interface ParsedPayload {
  nat: Chains;
  filter: Chains;
}

export function parsePayload(text: string): ParsedPayload {
  const tables = parseDump(text);
  const chainsOf = (name: string): Chains => {
    const t = tables.find((x) => x.name === name);
    if (!t) throw new Error(`payload has no ${name} table`);
    const parsed = new Map<string, readonly ParsedRule[]>();
    return {
      get(chain) {
        let rules = parsed.get(chain);
        if (rules === undefined) {
          const c = t.chains.find((x) => x.name === chain);
          if (!c) return undefined;
          rules = c.rules.map(parseRule);
          parsed.set(chain, rules);
        }
        return rules;
      },
    };
  };
  return { nat: chainsOf('nat'), filter: chainsOf('filter') };
}

function hostOf(endpoint: string): string {
  return endpoint.startsWith('[')
    ? endpoint.slice(1, endpoint.indexOf(']'))
    : endpoint.slice(0, endpoint.lastIndexOf(':'));
}

/** What happens to a new connection from `source` to `destination:dport` (protocol lower case). */
export function tracePacket(
  payload: ParsedPayload,
  source: string,
  protocol: string,
  destination: string,
  dport: number,
  nodeIPs: readonly string[],
): TraceResult {
  const t = new Tracer(new Set(['127.0.0.1', '::1', ...nodeIPs]));
  const p: Packet = { source, protocol, destination, dport: String(dport) };
  t.runChain(payload.nat, 'KUBE-SERVICES', p);
  // The DNAT is applied before the filter table sees the packet.
  const filtered = t.outputs.length > 0 ? { ...p, destination: hostOf(t.outputs[0]!) } : p;
  for (const chain of ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL'])
    t.runChain(payload.filter, chain, filtered);
  return { output: t.outputs.join(', '), masq: t.masq, matches: t.matches };
}
