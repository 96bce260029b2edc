// The body of a sync — every service port's rules in port order — in blocks of 128 consecutive
// ports. A full sync writes every port's rules as bytes (byte-writer.ts); the blocks' top-level
// text is kept as strings, so a partial sync rebuilds only the blocks holding changed ports and
// copies a few dozen block strings: rewriting one Service among 10,000 costs about as much as
// that Service.
import type { ProxyState } from '../state.js';
import type { ChangeSet } from '../types.js';
import { ByteWriter } from './byte-writer.js';
import type { LineBuffer, RuleBuffer } from './line-buffer.js';
import type { IptablesOptions } from './options.js';
import { type NatSink, type PortOutput, writeServicePort } from './service-port.js';

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
  filterRules: LineBuffer;
  natChains: LineBuffer;
  natRules: LineBuffer;
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

/** Writers for text that is computed but not sent (a port written only for its top-level text). */
function scratchSink(): NatSink {
  return { rules: new ByteWriter(256), chains: new ByteWriter(256) };
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
  const sink: NatSink = { rules: buf.natRules.out, chains: buf.natChains.out };
  for (let i = 0; i < ports.length; i++) {
    const port = ports[i]!;
    const rewrite = full || changes.services.has(port.service);
    let out = outputs.get(port.key);
    if (rewrite) {
      // Chain text is not kept between syncs: a rewritten port is written again, as kube-proxy does.
      out = writeServicePort(port, state.categorized(port), opt, large, sink);
      outputs.set(port.key, out);
      buf.natRules.count(out.natTopLines + out.natChainRuleLines);
      buf.natChains.count(out.chains.length);
      record(rewrittenServices, out);
    } else {
      if (!out || out.port !== port) {
        out = writeServicePort(port, state.categorized(port), opt, large, scratchSink());
        outputs.set(port.key, out);
      }
      buf.natRules.raw(out.natTop, out.natTopLines);
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
  }
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
  // Rule text per changed port, copied in at its place below. Chain declarations go straight to
  // natChains: they are all the per-service declarations of this sync, in port order.
  const natText = new Map<number, ByteWriter>();
  for (const i of order) {
    const port = ports[i]!;
    const text = new ByteWriter(256);
    const out = writeServicePort(port, state.categorized(port), opt, large, { rules: text, chains: buf.natChains.out });
    outputs.set(port.key, out);
    natText.set(i, text);
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
      buf.natChains.count(out.chains.length);
      buf.natRules.out.writer(text);
      buf.natRules.count(out.natTopLines + out.natChainRuleLines);
      rewrittenChains += out.chains.length;
      rewrittenRules += out.natChainRuleLines;
    }
  }
  buf.skippedChains.raw('', prev.chainLines - rewrittenChains);
  buf.skippedRules.raw('', prev.chainRuleLines - rewrittenRules);
  return { rewrittenServices, blocks: prev };
}
