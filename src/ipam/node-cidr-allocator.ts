// Node pod-CIDR allocation as kube-controller-manager's range allocator does it: one CidrSet per
// cluster CIDR (in flag order, so the first CIDR's family is every node's primary family); nodes that
// already have podCIDRs occupy them at start-up; every other node gets the next free block of each set.
// Pure: Nodes in, assignments out.

import { IpamError, type Setting } from '../errors.js';
import { type CIDR, cidrsOverlap, formatCIDR } from '../net/cidr.js';
import { parseCIDRSloppy } from '../net/sloppy.js';
import { CidrSet } from './cidr-set.js';

export interface NodeCidrConfig {
  readonly clusterCIDRs: readonly CIDR[];
  /** Node mask per cluster CIDR, same order. */
  readonly nodeMasks: readonly number[];
  /** Service CIDRs (--service-cluster-ip-range): blocks they overlap are never handed to nodes. */
  readonly serviceCIDRs?: readonly CIDR[];
}

export interface NodeMaskOptions {
  /** Comma-separated service CIDRs, occupied in every cluster CIDR they overlap. */
  serviceCidr?: string;
  /** One mask for a single-stack cluster, or one per cluster CIDR ("24,64"). */
  nodeMask?: string;
  nodeMaskIPv4?: string;
  nodeMaskIPv6?: string;
}

const DEFAULT_MASK = { IPv4: 24, IPv6: 64 } as const;

function invalid(setting: Setting, message: string): IpamError {
  return new IpamError('invalid-config', message).about(setting);
}

/** Parse a CIDR from a manifest or flag the way Kubernetes does (leading-zero IPv4 is decimal). */
export function parseKubeCIDR(text: string): CIDR | undefined {
  const c = parseCIDRSloppy(text.trim());
  return c ? { family: c.family, base: c.base, prefix: c.prefix } : undefined;
}

function mask(setting: 'nodeMask' | 'nodeMaskIPv4' | 'nodeMaskIPv6', text: string): number {
  if (!/^\d{1,3}$/.test(text)) throw invalid(setting, `${setting}: ${JSON.stringify(text)} is not a prefix length`);
  return Number(text);
}

/** Cluster CIDRs and node masks -> config, with the checks kube-controller-manager makes of its flags. */
export function parseNodeCidrConfig(clusterCidr: string, opts: NodeMaskOptions = {}): NodeCidrConfig {
  const texts = clusterCidr.split(',').map((s) => s.trim());
  const clusterCIDRs = texts.map((t) => {
    const c = parseKubeCIDR(t);
    if (!c) throw invalid('clusterCidr', `clusterCidr: ${JSON.stringify(t)} is not a CIDR`);
    return c;
  });
  // kube-controller-manager's checks and texts, in its order: mixed families first, then the count.
  const bothFamilies = clusterCIDRs.some((c) => c.family === 'IPv4') && clusterCIDRs.some((c) => c.family === 'IPv6');
  if (clusterCIDRs.length > 1 && !bothFamilies)
    throw invalid(
      'clusterCidr',
      `clusterCidr ${clusterCidr}: len of ClusterCIDRs==${clusterCIDRs.length} and they are not configured as dual stack (at least one from each IPFamily)`,
    );
  if (clusterCIDRs.length > 2)
    throw invalid(
      'clusterCidr',
      `clusterCidr ${clusterCidr}: length of clusterCIDRs is:${clusterCIDRs.length} more than max allowed of 2`,
    );
  const dual = clusterCIDRs.length === 2;
  const generic = opts.nodeMask?.split(',').map((s) => s.trim());
  if (generic && (opts.nodeMaskIPv4 !== undefined || opts.nodeMaskIPv6 !== undefined))
    throw invalid('nodeMask', 'nodeMask cannot be combined with the per-family node masks');
  if (generic && generic.length !== 1 && generic.length !== clusterCIDRs.length)
    throw invalid('nodeMask', `nodeMask: give one mask per cluster CIDR (${clusterCIDRs.length})`);
  // kube-controller-manager rejects its generic mask flag in dual stack. Here one value is taken for
  // the family it can describe (<= 32: IPv4, else IPv6) and the other family keeps its default.
  const single = generic && dual && generic.length === 1 ? mask('nodeMask', generic[0]!) : undefined;
  for (const [flag, value, fam] of [
    ['nodeMaskIPv4', opts.nodeMaskIPv4, 'IPv4'],
    ['nodeMaskIPv6', opts.nodeMaskIPv6, 'IPv6'],
  ] as const) {
    if (value !== undefined && !clusterCIDRs.some((c) => c.family === fam))
      throw invalid(flag, `${flag} is set but no cluster CIDR is ${fam}`);
  }
  const nodeMasks = clusterCIDRs.map((c, k) => {
    if (single !== undefined) return (single <= 32 ? 'IPv4' : 'IPv6') === c.family ? single : DEFAULT_MASK[c.family];
    if (generic) return mask('nodeMask', generic[k] ?? generic[0]!);
    const perFamily = c.family === 'IPv4' ? opts.nodeMaskIPv4 : opts.nodeMaskIPv6;
    return perFamily !== undefined
      ? mask(c.family === 'IPv4' ? 'nodeMaskIPv4' : 'nodeMaskIPv6', perFamily)
      : DEFAULT_MASK[c.family];
  });
  const serviceCIDRs = (opts.serviceCidr ? opts.serviceCidr.split(',') : []).map((t) => {
    const c = parseKubeCIDR(t);
    if (!c) throw invalid('serviceCidr', `serviceCidr: ${JSON.stringify(t.trim())} is not a CIDR`);
    return c;
  });
  return { clusterCIDRs, nodeMasks, ...(serviceCIDRs.length ? { serviceCIDRs } : {}) };
}

export interface NodeInput {
  readonly name: string;
  /** spec.podCIDRs (or [spec.podCIDR]) as written in the manifest; empty when unset. */
  readonly podCIDRs: readonly string[];
}

export interface NodeAssignment {
  readonly name: string;
  readonly podCIDRs: readonly string[];
  /** 'existing': kept from the Node; 'allocated': handed out now. */
  readonly source: 'existing' | 'allocated';
}

export interface PoolUsage {
  readonly clusterCIDR: string;
  readonly nodeMask: number;
  readonly capacity: number;
  readonly used: number;
}

/** The allocator state: one CidrSet per cluster CIDR, plus who holds what. */
export class NodeCidrAllocator {
  private readonly sets: CidrSet[];
  private readonly held = new Map<string, CIDR[]>();

  constructor(readonly config: NodeCidrConfig) {
    this.sets = config.clusterCIDRs.map((c, k) => new CidrSet(c, config.nodeMasks[k]!));
    for (const svc of config.serviceCIDRs ?? [])
      for (const set of this.sets) if (cidrsOverlap(set.cluster, svc)) set.occupy(svc);
  }

  /** Start-up occupancy of a Node that already has podCIDRs. Throws naming the node and field. */
  occupy(node: string, podCIDRs: readonly string[]): CIDR[] {
    if (podCIDRs.length > this.sets.length)
      throw new IpamError(
        'out-of-range',
        `node ${node}: spec.podCIDRs has ${podCIDRs.length} CIDRs but the cluster has ${this.sets.length} cluster CIDR(s)`,
      );
    const cidrs = podCIDRs.map((text, k) => {
      const c = parseKubeCIDR(text);
      if (!c)
        throw new IpamError('out-of-range', `node ${node}: spec.podCIDRs[${k}]: ${JSON.stringify(text)} is not a CIDR`);
      return c;
    });
    cidrs.forEach((c, k) => {
      try {
        this.sets[k]!.occupy(c);
      } catch (err) {
        throw new IpamError('out-of-range', `node ${node}: spec.podCIDRs[${k}]: ${(err as Error).message}`, undefined, {
          cause: err,
        });
      }
    });
    this.held.set(node, cidrs);
    return cidrs;
  }

  /** A node without podCIDRs: the next free block of every set. Nothing is kept if one set is full. */
  allocate(node: string): CIDR[] {
    const got: CIDR[] = [];
    for (let k = 0; k < this.sets.length; k++) {
      try {
        got.push(this.sets[k]!.allocateNext());
      } catch (err) {
        got.forEach((c, j) => this.sets[j]!.release(c));
        throw new IpamError(
          'exhausted',
          `node ${node}: failed to allocate cidr from cluster cidr at idx:${k}: ${(err as Error).message}`,
          formatCIDR(this.sets[k]!.cluster),
          { cause: err },
        );
      }
    }
    this.held.set(node, got);
    return got;
  }

  /** Node deleted: its blocks become free (the search position does not move back). */
  release(node: string): CIDR[] {
    const cidrs = this.held.get(node) ?? [];
    cidrs.forEach((c, k) => this.sets[k]?.release(c));
    this.held.delete(node);
    return cidrs;
  }

  cidrsOf(node: string): readonly CIDR[] | undefined {
    return this.held.get(node);
  }

  usage(): PoolUsage[] {
    return this.sets.map((s) => ({
      clusterCIDR: formatCIDR(s.cluster),
      nodeMask: s.nodeMask,
      capacity: s.max,
      used: s.count,
    }));
  }
}

export interface NodeCidrPlan {
  readonly nodes: NodeAssignment[];
  readonly usage: PoolUsage[];
}

/**
 * A controller start over `nodes`: all existing podCIDRs are occupied first, then nodes without
 * podCIDRs are allocated in name order (the order the API server lists Nodes; upstream's parallel
 * workers give no order at all). Nodes with podCIDRs keep them unchanged. Exhaustion throws, naming
 * every node left without a CIDR.
 */
export function planNodeCidrs(nodes: readonly NodeInput[], config: NodeCidrConfig): NodeCidrPlan {
  const alloc = new NodeCidrAllocator(config);
  const sorted = [...nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const n of sorted) if (n.podCIDRs.length > 0) alloc.occupy(n.name, n.podCIDRs);
  const out: NodeAssignment[] = [];
  const failed: string[] = [];
  let firstError: IpamError | undefined;
  for (const n of sorted) {
    if (n.podCIDRs.length > 0) {
      out.push({ name: n.name, podCIDRs: [...n.podCIDRs], source: 'existing' });
      continue;
    }
    try {
      out.push({ name: n.name, podCIDRs: alloc.allocate(n.name).map(formatCIDR), source: 'allocated' });
    } catch (err) {
      if (!(err instanceof IpamError) || err.kind !== 'exhausted') throw err;
      firstError ??= err;
      failed.push(n.name);
    }
  }
  if (firstError)
    throw new IpamError(
      'exhausted',
      `${failed.length} node(s) left without a pod CIDR (${failed.slice(0, 10).join(', ')}${failed.length > 10 ? ', ...' : ''}): ${firstError.message}`,
      firstError.details,
    );
  return { nodes: out, usage: alloc.usage() };
}
