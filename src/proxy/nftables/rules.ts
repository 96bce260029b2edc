// Every rule form kube-proxy's nftables proxier writes, each as knftables text and as libnftables
// JSON statements side by side (the JSON is built only when rendering JSON). Rule text is spelled
// exactly as kube-proxy passes it to knftables, not as `nft list` prints it.
import { addressExpr, verdictExpr } from './json.js';
import { flat } from './names.js';
import type { JsonExpr } from './transaction.js';

export const MARK_MASQ_CHAIN = 'mark-for-masquerade';

/** One piece of a rule: its text and its JSON statements. */
export interface Piece {
  readonly text: string;
  readonly expr: readonly JsonExpr[];
}

export interface RuleContext {
  /** "ip" or "ip6" (payload protocol and table family). */
  readonly ipX: 'ip' | 'ip6';
  /** Build JSON statements too. */
  readonly json: boolean;
  /** The masquerade mark as written ("0x00004000", or "0x4000" in upstream's tests). */
  readonly mark: string;
  /** Local-traffic detector pieces, or undefined when no detector is configured. */
  readonly detector?: { readonly ifLocal: Piece; readonly ifNotLocal: Piece };
}

/** A rule body (text + optional JSON) ready to go into a RuleObject. */
export interface RuleBody {
  readonly text: string;
  readonly expr?: readonly JsonExpr[];
}

const NONE: readonly JsonExpr[] = [];

function payload(protocol: string, field: string): JsonExpr {
  return { payload: { protocol, field } };
}
function meta(key: string): JsonExpr {
  return { meta: { key } };
}
function match(op: '==' | '!=' | 'in', left: JsonExpr, right: unknown): JsonExpr {
  return { match: { op, left, right } };
}
const DEST_TUPLE = (ipX: string): JsonExpr => ({
  concat: [payload(ipX, 'daddr'), meta('l4proto'), payload('th', 'dport')],
});
const PORT_TUPLE: JsonExpr = { concat: [meta('l4proto'), payload('th', 'dport')] };

function body(ctx: RuleContext, text: string, expr: () => JsonExpr[]): RuleBody {
  return ctx.json ? { text: flat(text), expr: expr() } : { text: flat(text) };
}

/** A detector piece for "ip saddr [!=] <cidr>" or "iifname [!=] <name>". */
export function detectorPieces(
  ctx: Pick<RuleContext, 'ipX'>,
  kind: 'cidr' | 'iifname',
  value: string,
): { ifLocal: Piece; ifNotLocal: Piece } {
  const left = kind === 'cidr' ? payload(ctx.ipX, 'saddr') : meta('iifname');
  const label = kind === 'cidr' ? `${ctx.ipX} saddr` : 'iifname';
  // kube-proxy's LocalTrafficDetector writes interface names bare ("iifname eth*"), as its tests assert.
  const written = value;
  const right = kind === 'cidr' ? addressExpr(value) : value;
  return {
    ifLocal: { text: `${label} ${written}`, expr: [match('==', left, right)] },
    ifNotLocal: { text: `${label} != ${written}`, expr: [match('!=', left, right)] },
  };
}

export function jumpRule(ctx: RuleContext, ctNew: boolean, target: string): RuleBody {
  const text = `${ctNew ? 'ct state new ' : ''}jump ${target}`;
  return body(ctx, text, () => [
    ...(ctNew ? [match('in', { ct: { key: 'state' } }, 'new')] : []),
    { jump: { target } },
  ]);
}

export function verdictRule(ctx: RuleContext, verdict: string): RuleBody {
  return body(ctx, verdict, () => [verdictExpr(verdict)]);
}

function markValue(mark: string): number {
  return Number.parseInt(mark, 16);
}

export function markForMasqueradeRule(ctx: RuleContext): RuleBody {
  return body(ctx, `mark set mark or ${ctx.mark}`, () => [
    { mangle: { key: meta('mark'), value: { '|': [meta('mark'), markValue(ctx.mark)] } } },
  ]);
}

export function masqueradingRules(ctx: RuleContext): RuleBody[] {
  const v = markValue(ctx.mark);
  return [
    body(ctx, `mark and ${ctx.mark} == 0 return`, () => [match('==', { '&': [meta('mark'), v] }, 0), { return: null }]),
    body(ctx, `mark set mark xor ${ctx.mark}`, () => [
      { mangle: { key: meta('mark'), value: { '^': [meta('mark'), v] } } },
    ]),
    body(ctx, 'masquerade fully-random', () => [{ masquerade: { flags: 'fully-random' } }]),
  ];
}

/** "ip daddr @set <verdict>" */
export function daddrInSetRule(ctx: RuleContext, set: string, verdict: string): RuleBody {
  return body(ctx, `${ctx.ipX} daddr @${set} ${verdict}`, () => [
    match('==', payload(ctx.ipX, 'daddr'), `@${set}`),
    verdictExpr(verdict),
  ]);
}

/** "ip daddr { cidr,cidr } drop": the CIDRs joined by "," as kube-proxy stores them. */
export function daddrInCIDRsRule(ctx: RuleContext, cidrs: readonly string[], verdict: string): RuleBody {
  return body(ctx, `${ctx.ipX} daddr { ${cidrs.join(',')} } ${verdict}`, () => [
    match('==', payload(ctx.ipX, 'daddr'), { set: cidrs.map(addressExpr) }),
    verdictExpr(verdict),
  ]);
}

/** "ip daddr . meta l4proto . th dport vmap @map" */
export function destVmapRule(ctx: RuleContext, map: string): RuleBody {
  return body(ctx, `${ctx.ipX} daddr . meta l4proto . th dport vmap @${map}`, () => [
    { vmap: { key: DEST_TUPLE(ctx.ipX), data: `@${map}` } },
  ]);
}

function noLocalhost(ctx: RuleContext): Piece {
  const addr = ctx.ipX === 'ip' ? '127.0.0.0/8' : '::1';
  return {
    text: `${ctx.ipX} daddr != ${addr}`,
    expr: [match('!=', payload(ctx.ipX, 'daddr'), addressExpr(addr))],
  };
}

/**
 * NodePort dispatch: "fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @m"
 * when every address accepts NodePorts, else "ip daddr @nodeport-ips meta l4proto . th dport vmap @m".
 * `fibLocal` is false for the no-endpoint check, which has no fib match.
 */
export function nodePortVmapRule(ctx: RuleContext, map: string, matchAll: boolean, fibLocal: boolean): RuleBody {
  const vmap: JsonExpr = { vmap: { key: PORT_TUPLE, data: `@${map}` } };
  if (!matchAll)
    return body(ctx, `${ctx.ipX} daddr @nodeport-ips meta l4proto . th dport vmap @${map}`, () => [
      match('==', payload(ctx.ipX, 'daddr'), '@nodeport-ips'),
      vmap,
    ]);
  const nl = noLocalhost(ctx);
  const fib = fibLocal ? 'fib daddr type local ' : '';
  return body(ctx, `${fib}${nl.text} meta l4proto . th dport vmap @${map}`, () => [
    ...(fibLocal ? [match('==', { fib: { result: 'type', flags: ['daddr'] } }, 'local')] : []),
    ...nl.expr,
    vmap,
  ]);
}

/** "ip daddr <clusterIP> [<not local>] jump mark-for-masquerade" */
export function clusterIPMasqueradeRule(ctx: RuleContext, clusterIP: string, detector: Piece | undefined): RuleBody {
  const text = `${ctx.ipX} daddr ${clusterIP}${detector ? ` ${detector.text}` : ''} jump ${MARK_MASQ_CHAIN}`;
  return body(ctx, text, () => [
    match('==', payload(ctx.ipX, 'daddr'), clusterIP),
    ...(detector?.expr ?? NONE),
    { jump: { target: MARK_MASQ_CHAIN } },
  ]);
}

/** "<detector piece> goto <chain>" (short-circuit pod traffic). */
export function pieceThenVerdictRule(ctx: RuleContext, piece: Piece, verdict: string): RuleBody {
  return body(ctx, `${piece.text} ${verdict}`, () => [...piece.expr, verdictExpr(verdict)]);
}

/** "fib saddr type local <verdict>" */
export function fibSaddrLocalRule(ctx: RuleContext, verdict: string): RuleBody {
  return body(ctx, `fib saddr type local ${verdict}`, () => [
    match('==', { fib: { result: 'type', flags: ['saddr'] } }, 'local'),
    verdictExpr(verdict),
  ]);
}

/** "ip saddr != { a , b } drop": LoadBalancerSourceRanges (and LB IPs), separated by " , ". */
export function sourceRangesDropRule(ctx: RuleContext, sources: readonly string[]): RuleBody {
  return body(ctx, `${ctx.ipX} saddr != { ${sources.join(' , ')} } drop`, () => [
    match('!=', payload(ctx.ipX, 'saddr'), { set: sources.map(addressExpr) }),
    { drop: null },
  ]);
}

/** "ip saddr @affinity-X goto endpoint-X" */
export function affinityCheckRule(ctx: RuleContext, set: string, chain: string): RuleBody {
  return body(ctx, `${ctx.ipX} saddr @${set} goto ${chain}`, () => [
    match('==', payload(ctx.ipX, 'saddr'), `@${set}`),
    { goto: { target: chain } },
  ]);
}

/** "numgen random mod N vmap { 0 : goto A , 1 : goto B }" */
export function numgenRule(ctx: RuleContext, chains: readonly string[]): RuleBody {
  let elems = '';
  for (let i = 0; i < chains.length; i++) elems += `${i === 0 ? '' : ' , '}${i} : goto ${chains[i]}`;
  return body(ctx, `numgen random mod ${chains.length} vmap { ${elems} }`, () => [
    {
      vmap: {
        key: { numgen: { mode: 'random', mod: chains.length, offset: 0 } },
        data: { set: chains.map((c, i) => [i, { goto: { target: c } }]) },
      },
    },
  ]);
}

/** "ip saddr <endpoint IP> jump mark-for-masquerade" (hairpin). */
export function endpointHairpinRule(ctx: RuleContext, ip: string): RuleBody {
  return body(ctx, `${ctx.ipX} saddr ${ip} jump ${MARK_MASQ_CHAIN}`, () => [
    match('==', payload(ctx.ipX, 'saddr'), ip),
    { jump: { target: MARK_MASQ_CHAIN } },
  ]);
}

/** "update @affinity-X { ip saddr }" */
export function affinityUpdateRule(ctx: RuleContext, set: string): RuleBody {
  return body(ctx, `update @${set} { ${ctx.ipX} saddr }`, () => [
    { set: { op: 'update', elem: payload(ctx.ipX, 'saddr'), set: `@${set}` } },
  ]);
}

/** "meta l4proto tcp dnat to 10.180.0.1:80" ("[fd00::1]:80" for IPv6). */
export function dnatRule(ctx: RuleContext, protocol: string, ip: string, port: number, endpoint: string): RuleBody {
  return body(ctx, `meta l4proto ${protocol} dnat to ${endpoint}`, () => [
    match('==', meta('l4proto'), protocol),
    { dnat: { addr: ip, port } },
  ]);
}
