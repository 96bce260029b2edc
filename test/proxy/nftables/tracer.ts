// Test support: upstream's nftables packet tracer (helpers_test.go tracePacket/runChain), over our
// replayed table. Like upstream it only understands the rule shapes kube-proxy writes, and fails on
// anything else; numgen maps are followed to every endpoint, so the output lists all of them.
import { cidrContains, parseCIDRSloppy, parseIPSloppy } from '../../../src/net/index.js';
import type { NftModel } from './nft-model.js';

export interface TraceResult {
  output: string;
  masq: boolean;
  matches: string[];
}

function addressMatches(ip: string, want: boolean, ruleAddress: string): boolean {
  const p = parseIPSloppy(ip);
  if (!p) throw new Error(`bad IP in test case: ${ip}`);
  let match: boolean;
  if (ruleAddress.includes('/')) {
    const c = parseCIDRSloppy(ruleAddress);
    if (!c) throw new Error(`bad CIDR in output: ${ruleAddress}`);
    match = cidrContains(c, p);
  } else {
    const q = parseIPSloppy(ruleAddress);
    if (!q) throw new Error(`bad IP/CIDR in output: ${ruleAddress}`);
    match = q.text === p.text;
  }
  return match === want;
}

function anyAddressMatches(ip: string, set: string): boolean {
  return set
    .replaceAll(' ', '')
    .split(',')
    .some((a) => addressMatches(ip, true, a));
}

const RE = {
  comment: / *comment "[^"]*"$/,
  ctNew: /^ct state new/,
  destIPOnlyLookup: /^ip6? daddr @(\S+)/,
  destDispatch: /^ip6? daddr \. meta l4proto \. th dport vmap @(\S+)$/,
  destPortDispatch: /^meta l4proto \. th dport vmap @(\S+)$/,
  destAddrLookup: /^ip6? daddr (!= )?\{([^}]*)\}/,
  destAddr: /^ip6? daddr (!= )?(\S+)/,
  destAddrLocal: /^fib daddr type local/,
  sourceSetLookup: /^ip6? saddr @(\S+)/,
  sourceAddrLookup: /^ip6? saddr (!= )?\{([^}]*)\}/,
  sourceAddr: /^ip6? saddr (!= )?(\S+)/,
  sourceAddrLocal: /^fib saddr type local/,
  endpointVmap: /^numgen random mod \d+ vmap \{(.*)\}$/,
  endpointVmapEntry: /\d+ : goto (\S+)/g,
  masquerade: /^jump mark-for-masquerade$/,
  jump: /^(jump|goto) (\S+)$/,
  return: /^return$/,
  verdict: /^(drop|reject)$/,
  dnat: /^meta l4proto (tcp|udp|sctp) dnat to (\S+)$/,
  update: /^update @\S+ \{ ip6? saddr \}/,
};

class Tracer {
  matches: string[] = [];
  outputs: string[] = [];
  markMasq = false;
  constructor(
    private readonly model: NftModel,
    private readonly nodeIPs: ReadonlySet<string>,
  ) {}

  private elements(name: string) {
    const c = this.model.containers.get(name);
    if (!c) throw new Error(`unknown set/map ${name}`);
    return [...c.elements.values()];
  }

  /** Runs a chain; true when the packet met a terminal verdict. */
  runChain(chain: string, src: string, proto: string, dst: string, dport: string): boolean {
    const ch = this.model.chains.get(chain);
    if (!ch) throw new Error(`unknown chain ${chain}`);
    for (const r of ch.rules) {
      let rule = r.text.replace(RE.ctNew, '');
      let m: RegExpMatchArray | null;
      while (rule !== '') {
        rule = rule.trimStart();
        if ((m = rule.match(RE.destIPOnlyLookup))) {
          rule = rule.slice(m[0].length);
          if (!this.elements(m[1]!).some((e) => e.key[0] === dst)) rule = '';
        } else if ((m = rule.match(RE.destDispatch))) {
          const e = this.elements(m[1]!).find((x) => x.key[0] === dst && x.key[1] === proto && x.key[2] === dport);
          rule = e ? e.value! : '';
        } else if ((m = rule.match(RE.destPortDispatch))) {
          const e = this.elements(m[1]!).find((x) => x.key[0] === proto && x.key[1] === dport);
          rule = e ? e.value! : '';
        } else if ((m = rule.match(RE.destAddrLookup))) {
          rule = rule.slice(m[0].length);
          if (anyAddressMatches(dst, m[2]!) !== (m[1] !== '!= ')) rule = '';
        } else if ((m = rule.match(RE.destAddr))) {
          rule = rule.slice(m[0].length);
          if (!addressMatches(dst, m[1] !== '!= ', m[2]!)) rule = '';
        } else if ((m = rule.match(RE.destAddrLocal))) {
          rule = rule.slice(m[0].length);
          if (!this.nodeIPs.has(dst)) rule = '';
        } else if ((m = rule.match(RE.sourceSetLookup))) {
          rule = rule.slice(m[0].length);
          if (!this.elements(m[1]!).some((e) => e.key[0] === src)) rule = '';
        } else if ((m = rule.match(RE.sourceAddrLookup))) {
          rule = rule.slice(m[0].length);
          if (anyAddressMatches(src, m[2]!) !== (m[1] !== '!= ')) rule = '';
        } else if ((m = rule.match(RE.sourceAddr))) {
          rule = rule.slice(m[0].length);
          if (!addressMatches(src, m[1] !== '!= ', m[2]!)) rule = '';
        } else if ((m = rule.match(RE.sourceAddrLocal))) {
          rule = rule.slice(m[0].length);
          if (!this.nodeIPs.has(src)) rule = '';
        } else if ((m = rule.match(RE.masquerade))) {
          rule = '';
          this.matches.push(r.text);
          this.markMasq = true;
        } else if ((m = rule.match(RE.jump))) {
          rule = '';
          this.matches.push(r.text);
          if (this.runChain(m[2]!, src, proto, dst, dport)) return true;
          if (m[1] === 'goto') return false;
        } else if ((m = rule.match(RE.verdict))) {
          this.matches.push(r.text);
          this.outputs.push(m[1]!.toUpperCase());
          return true;
        } else if (rule.match(RE.return)) {
          this.matches.push(r.text);
          return false;
        } else if ((m = rule.match(RE.update))) {
          rule = rule.slice(m[0].length);
        } else if ((m = rule.match(RE.dnat))) {
          this.matches.push(r.text);
          this.outputs.push(m[2]!);
          return true;
        } else if ((m = rule.match(RE.endpointVmap))) {
          for (const e of m[1]!.matchAll(RE.endpointVmapEntry)) {
            this.matches.push(r.text);
            this.runChain(e[1]!, src, proto, dst, dport);
          }
          return true;
        } else {
          throw new Error(`unmatched rule in ${chain}: ${r.text}`);
        }
      }
    }
    return false;
  }
}

function hostOf(endpoint: string): string {
  return endpoint.startsWith('[')
    ? endpoint.slice(1, endpoint.indexOf(']'))
    : endpoint.slice(0, endpoint.lastIndexOf(':'));
}

/** Where a new connection from src to dst:dport ends: endpoints ("a, b"), "DROP", "REJECT" or "". */
export function tracePacket(
  model: NftModel,
  src: string,
  proto: string,
  dst: string,
  dport: number,
  nodeIPs: readonly string[],
): TraceResult {
  const t = new Tracer(model, new Set(nodeIPs));
  const port = String(dport);
  const done = () => ({ output: t.outputs.join(', '), masq: t.markMasq, matches: t.matches });
  if (t.runChain('filter-prerouting-pre-dnat', src, proto, dst, port)) return done();
  t.runChain('nat-prerouting', src, proto, dst, port);
  let d = dst;
  if (t.outputs.length > 0) d = hostOf(t.outputs[0]!);
  if (t.runChain('filter-forward', src, proto, d, port)) return done();
  t.runChain('filter-input', src, proto, d, port);
  return done();
}
