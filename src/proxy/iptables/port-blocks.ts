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

/** Never changed once a render returned it: a partial sync copies the blocks it changes. */
export interface Blocks {
  readonly blocks: readonly Block[];
  /** Port key -> position in state.ports. */
  readonly position: ReadonlyMap<string, number>;
  /** Per-service chain lines and rules over all ports (for the skipped counts of partial syncs). */
  readonly chainLines: number;
  readonly chainRuleLines: number;
  /** Ports with endpoints but no local ones for internal / external Local traffic (kube-proxy's
   * sync_proxy_rules_no_local_endpoints_total). */
  readonly noLocalInternal: number;
  readonly noLocalExternal: number;
}

/** The output a previous render kept for a port key, if any. */
function previousOutput(prev: Blocks | undefined, key: string): PortOutput | undefined {
  const i = prev?.position.get(key);
  return i === undefined ? undefined : prev!.blocks[Math.floor(i / BLOCK)]!.outs[i % BLOCK];
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
  previous: Blocks | undefined,
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
    let out: PortOutput | undefined;
    if (rewrite) {
      // Chain text is not kept between syncs: a rewritten port is written again, as kube-proxy does.
      out = writeServicePort(port, state.categorized(port), opt, large, sink);
      buf.natRules.count(out.natTopLines + out.natChainRuleLines);
      buf.natChains.count(out.chains.length);
      record(rewrittenServices, out);
    } else {
      out = previousOutput(previous, port.key);
      if (!out || out.port !== port) out = writeServicePort(port, state.categorized(port), opt, large, scratchSink());
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
  previousByService: { get(service: string): readonly PortOutput[] | undefined },
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
  // Copy on write: the blocks this sync changes are new objects; the previous memo keeps its own.
  const blocks = prev.blocks.slice();
  let { chainLines, chainRuleLines, noLocalInternal, noLocalExternal } = prev;
  for (const i of order) {
    const port = ports[i]!;
    const text = new ByteWriter(256);
    const out = writeServicePort(port, state.categorized(port), opt, large, { rules: text, chains: buf.natChains.out });
    natText.set(i, text);
    const bi = Math.floor(i / BLOCK);
    if (!dirty.has(bi)) {
      const b = blocks[bi]!;
      blocks[bi] = { ...b, outs: b.outs.slice() };
      dirty.add(bi);
    }
    const block = blocks[bi]!;
    const old = block.outs[i % BLOCK]!;
    chainLines += out.chains.length - old.chains.length;
    chainRuleLines += out.natChainRuleLines - old.natChainRuleLines;
    noLocalInternal += out.noLocalInternal - old.noLocalInternal;
    noLocalExternal += out.noLocalExternal - old.noLocalExternal;
    block.outs[i % BLOCK] = out;
    changed.set(i, out);
    record(rewrittenServices, out);
  }
  let rewrittenChains = 0;
  let rewrittenRules = 0;
  for (let bi = 0; bi < blocks.length; bi++) {
    const b = blocks[bi]!;
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
  buf.skippedChains.raw('', chainLines - rewrittenChains);
  buf.skippedRules.raw('', chainRuleLines - rewrittenRules);
  return {
    rewrittenServices,
    blocks: { blocks, position: prev.position, chainLines, chainRuleLines, noLocalInternal, noLocalExternal },
  };
}
