// One cluster CIDR cut into node-sized blocks, as kube-controller-manager's cidrset: a bitmap of used
// blocks, a count, and `nextCandidate`, where the next search starts. AllocateNext takes the first free
// block at or after nextCandidate (wrapping) and moves nextCandidate past it; Occupy and Release never
// move it, so a released block comes back only after the scan wraps.

import { IpamError } from '../errors.js';
import { type CIDR, cidrSize, formatCIDR, subnetAt } from '../net/cidr.js';
import { BITS, type IPFamily } from '../net/ip.js';

/** upstream's limit for IPv6 (an uncompressed bitmap); we apply a wider one to IPv4 to bound memory. */
const MAX_DIFF: Record<IPFamily, number> = { IPv4: 24, IPv6: 16 };

export class CidrSet {
  readonly max: number;
  private readonly used: Uint32Array;
  private allocated = 0;
  private nextCandidate = 0;
  private readonly shift: bigint;

  constructor(
    readonly cluster: CIDR,
    readonly nodeMask: number,
  ) {
    const bits = BITS[cluster.family];
    if (nodeMask < cluster.prefix)
      throw new IpamError(
        'invalid-config',
        `Invalid --cluster-cidr, mask size of cluster CIDR must be less than or equal to --node-cidr-mask-size configured for CIDR family: ${formatCIDR(cluster)} with /${nodeMask} node CIDRs`,
      );
    if (nodeMask > bits)
      throw new IpamError(
        'invalid-config',
        `node mask /${nodeMask} must be between the cluster CIDR's /${cluster.prefix} and /${bits} (${formatCIDR(cluster)})`,
      );
    if (nodeMask - cluster.prefix > MAX_DIFF[cluster.family])
      throw new IpamError(
        'invalid-config',
        `New CIDR set failed; the node CIDR size is too big: ${formatCIDR(cluster)} with /${nodeMask} nodes is 2^${nodeMask - cluster.prefix} node CIDRs (at most 2^${MAX_DIFF[cluster.family]})`,
      );
    this.max = 2 ** (nodeMask - cluster.prefix);
    this.used = new Uint32Array(Math.ceil(this.max / 32));
    this.shift = BigInt(bits - nodeMask);
  }

  get count(): number {
    return this.allocated;
  }

  /** The node CIDR at index `i`. */
  cidrAt(i: number): CIDR {
    return subnetAt(this.cluster, this.nodeMask, BigInt(i));
  }

  isUsed(i: number): boolean {
    return (this.used[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  private set(i: number, on: boolean): void {
    const was = this.isUsed(i);
    if (was === on) return;
    if (on) this.used[i >>> 5]! |= 1 << (i & 31);
    else this.used[i >>> 5]! &= ~(1 << (i & 31));
    this.allocated += on ? 1 : -1;
  }

  allocateNext(): CIDR {
    if (this.allocated === this.max)
      throw new IpamError(
        'exhausted',
        'CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range',
        formatCIDR(this.cluster),
      );
    for (let k = 0; k < this.max; k++) {
      const i = (this.nextCandidate + k) % this.max;
      // Skip a fully used 32-block word at once: keeps a 65,536-block /8 scan cheap.
      if ((i & 31) === 0 && this.used[i >>> 5] === 0xffffffff && i + 32 <= this.max) {
        k += 31;
        continue;
      }
      if (!this.isUsed(i)) {
        this.set(i, true);
        this.nextCandidate = (i + 1) % this.max;
        return this.cidrAt(i);
      }
    }
    throw new IpamError('exhausted', 'unreachable: count below max but no free bit');
  }

  /** Indexes [begin, end] that `cidr` covers, clamped to the cluster CIDR. */
  private span(cidr: CIDR): [number, number] {
    const c = this.cluster;
    const overlap =
      cidr.family === c.family &&
      (cidr.prefix >= c.prefix
        ? cidr.base >= c.base && cidr.base - c.base < cidrSize(c)
        : c.base >= cidr.base && c.base - cidr.base < cidrSize(cidr));
    if (!overlap)
      throw new IpamError('out-of-range', `cidr ${formatCIDR(cidr)} is out the range of cluster cidr ${formatCIDR(c)}`);
    if (cidr.prefix <= c.prefix) return [0, this.max - 1];
    const begin = Number((cidr.base - c.base) >> this.shift);
    const end = Number((cidr.base + cidrSize(cidr) - 1n - c.base) >> this.shift);
    return [begin, end];
  }

  occupy(cidr: CIDR): void {
    const [b, e] = this.span(cidr);
    for (let i = b; i <= e; i++) this.set(i, true);
  }

  release(cidr: CIDR): void {
    const [b, e] = this.span(cidr);
    for (let i = b; i <= e; i++) this.set(i, false);
  }
}
