// The body of a sync — every service port's rules in port order — in blocks of 128 consecutive
// ports. A full sync joins each block's pieces once (big strings, cheap for the garbage collector);
// the blocks' top-level text is kept, so a partial sync rebuilds only the blocks holding changed
// ports and joins a few dozen block strings: rewriting one Service among 10,000 costs about as
// much as that Service.
import type { ProxyState } from '../state.js';
import type { ChangeSet } from '../types.js';
import type { RuleBuffer } from './line-buffer.js';
import type { IptablesOptions } from './options.js';
import { type PortOutput, writeServicePort } from './service-port.js';

const BLOCK = 128;

export interface Block {
  readonly outs: PortOutput[];
  filter: string;
  filterLines: number;
  natTop: string;
  natTopLines: number;
}

export interface Blocks {
  readonly blocks: Block[];
  /** Port key -> position in state.ports. */
  readonly position: Map<string, number>;
  /** Per-service chain lines and rules over all ports (for the skipped counts of partial syncs). */
  chainLines: number;
  chainRuleLines: number;
  /** Ports with endpoints but no local ones for internal / external Local traffic (kube-proxy's
   * sync_proxy_rules_no_local_endpoints_total). */
  noLocalInternal: number;
  noLocalExternal: number;
}

export interface BodyBuffers {
  filterRules: RuleBuffer;
  natChains: RuleBuffer;
  natRules: RuleBuffer;
  skippedChains: RuleBuffer;
  skippedRules: RuleBuffer;
}

export interface Body {
  /** Port outputs written this sync, per rewritten Service. */
  rewrittenServices: Map<string, PortOutput[]>;
  blocks: Blocks;
}

function refresh(b: Block): void {
  let filterLines = 0;
  let natTopLines = 0;
  const f: string[] = [];
  const n: string[] = [];
  for (const o of b.outs) {
    f.push(o.filter);
    n.push(o.natTop);
    filterLines += o.filterLines;
    natTopLines += o.natTopLines;
  }
  b.filter = f.join('');
  b.natTop = n.join('');
  b.filterLines = filterLines;
  b.natTopLines = natTopLines;
}

function record(map: Map<string, PortOutput[]>, out: PortOutput): void {
  const list = map.get(out.port.service);
  if (list) list.push(out);
  else map.set(out.port.service, [out]);
}

function chainLinesOf(out: PortOutput, into: string[]): void {
  for (const c of out.chains) into.push(':', c, ' - [0:0]\n');
}

/** Every port, in order; ports of rewritten Services get their chains written, the others counted. */
export function fullBody(
  state: ProxyState,
  changes: ChangeSet,
  full: boolean,
  outputs: Map<string, PortOutput>,
  opt: IptablesOptions,
  large: boolean,
  buf: BodyBuffers,
): Body {
  const rewrittenServices = new Map<string, PortOutput[]>();
  const blocks: Block[] = [];
  const position = new Map<string, number>();
  let chainLines = 0;
  let chainRuleLines = 0;
  let noLocalInternal = 0;
  let noLocalExternal = 0;
  const ports = state.ports;
  // nat text of the current block of ports, joined once per block.
  let nat: string[] = [];
  let natLines = 0;
  let chainDecl: string[] = [];
  let chainDeclLines = 0;
  const flush = () => {
    buf.natRules.raw(nat.join(''), natLines);
    buf.natChains.raw(chainDecl.join(''), chainDeclLines);
    nat = [];
    chainDecl = [];
    natLines = chainDeclLines = 0;
  };
  for (let i = 0; i < ports.length; i++) {
    const port = ports[i]!;
    const rewrite = full || changes.services.has(port.service);
    let out = outputs.get(port.key);
    if (rewrite) {
      // Chain text is not kept between syncs: a rewritten port is written again, as kube-proxy does.
      out = writeServicePort(port, state.categorized(port), opt, large, nat);
      outputs.set(port.key, out);
      natLines += out.natTopLines + out.natChainRuleLines;
      chainLinesOf(out, chainDecl);
      chainDeclLines += out.chains.length;
      record(rewrittenServices, out);
    } else {
      if (!out || out.port !== port) {
        out = writeServicePort(port, state.categorized(port), opt, large, []);
        outputs.set(port.key, out);
      }
      nat.push(out.natTop);
      natLines += out.natTopLines;
      buf.skippedChains.raw('', out.chains.length);
      buf.skippedRules.raw('', out.natChainRuleLines);
    }
    buf.filterRules.raw(out.filter, out.filterLines);
    if (i % BLOCK === 0) blocks.push({ outs: [], filter: '', filterLines: 0, natTop: '', natTopLines: 0 });
    blocks[blocks.length - 1]!.outs.push(out);
    position.set(port.key, i);
    chainLines += out.chains.length;
    chainRuleLines += out.natChainRuleLines;
    noLocalInternal += out.noLocalInternal;
    noLocalExternal += out.noLocalExternal;
    if (i % BLOCK === BLOCK - 1) flush();
  }
  flush();
  for (const b of blocks) refresh(b);
  return {
    rewrittenServices,
    blocks: { blocks, position, chainLines, chainRuleLines, noLocalInternal, noLocalExternal },
  };
}

/**
 * A partial sync when no port was added or removed: only the changed Services' ports are looked
 * at. Returns undefined when the port set changed (the caller then walks every port).
 */
export function partialBody(
  state: ProxyState,
  changes: ChangeSet,
  prev: Blocks,
  previousByService: ReadonlyMap<string, readonly PortOutput[]>,
  outputs: Map<string, PortOutput>,
  opt: IptablesOptions,
  large: boolean,
  buf: BodyBuffers,
): Body | undefined {
  const ports = state.ports;
  if (ports.length !== prev.position.size) return undefined;
  const changed = new Map<number, PortOutput>();
  for (const svc of changes.services) {
    const now = state.portsOfService(svc);
    if (now.length !== (previousByService.get(svc)?.length ?? 0)) return undefined;
    for (const port of now) {
      const i = prev.position.get(port.key);
      if (i === undefined || ports[i] !== port) return undefined;
      changed.set(i, port as never);
    }
  }
  const rewrittenServices = new Map<string, PortOutput[]>();
  const dirty = new Set<number>();
  const order = [...changed.keys()].sort((a, b) => a - b);
  const natText = new Map<number, string>();
  for (const i of order) {
    const port = ports[i]!;
    const pieces: string[] = [];
    const out = writeServicePort(port, state.categorized(port), opt, large, pieces);
    outputs.set(port.key, out);
    natText.set(i, pieces.join(''));
    const block = prev.blocks[Math.floor(i / BLOCK)]!;
    const old = block.outs[i % BLOCK]!;
    prev.chainLines += out.chains.length - old.chains.length;
    prev.chainRuleLines += out.natChainRuleLines - old.natChainRuleLines;
    prev.noLocalInternal += out.noLocalInternal - old.noLocalInternal;
    prev.noLocalExternal += out.noLocalExternal - old.noLocalExternal;
    block.outs[i % BLOCK] = out;
    changed.set(i, out);
    dirty.add(Math.floor(i / BLOCK));
    record(rewrittenServices, out);
  }
  let rewrittenChains = 0;
  let rewrittenRules = 0;
  for (let bi = 0; bi < prev.blocks.length; bi++) {
    const b = prev.blocks[bi]!;
    if (!dirty.has(bi)) {
      buf.filterRules.raw(b.filter, b.filterLines);
      buf.natRules.raw(b.natTop, b.natTopLines);
      continue;
    }
    refresh(b);
    buf.filterRules.raw(b.filter, b.filterLines);
    for (let j = 0; j < b.outs.length; j++) {
      const out = b.outs[j]!;
      const text = natText.get(bi * BLOCK + j);
      if (text === undefined) {
        buf.natRules.raw(out.natTop, out.natTopLines);
        continue;
      }
      const decl: string[] = [];
      chainLinesOf(out, decl);
      buf.natChains.raw(decl.join(''), out.chains.length);
      buf.natRules.raw(text, out.natTopLines + out.natChainRuleLines);
      rewrittenChains += out.chains.length;
      rewrittenRules += out.natChainRuleLines;
    }
  }
  buf.skippedChains.raw('', prev.chainLines - rewrittenChains);
  buf.skippedRules.raw('', prev.chainRuleLines - rewrittenRules);
  return { rewrittenServices, blocks: prev };
}
