// The API server's ClusterIP allocator for one service CIDR (pkg/registry/core/service/ipallocator):
// the network address is never handed out, nor the IPv4 broadcast; IPv6 ranges are capped at 65536
// addresses (the bitmap's size); the static block is min(max(16, size/16), 256) addresses.

import { type CIDR, cidrSize, formatCIDR, networkAddress } from '../net/cidr.js';
import type { IPFamily } from '../net/ip.js';
import { formatIP, type IP } from '../net/ip.js';
import { AllocationMap, type Random, rangeOffset } from './allocation-map.js';

export class ServiceIPRange {
  private readonly map: AllocationMap;
  /** The first address handed out (network + 1). */
  private readonly base: bigint;

  constructor(readonly cidr: CIDR) {
    const size = cidrSize(cidr);
    const bits = cidr.family === 'IPv4' ? 32 : 128;
    let max = bits - cidr.prefix >= 63 ? Number.MAX_SAFE_INTEGER : Number(size);
    if (bits - cidr.prefix >= 31 && size <= 2n) max = 0;
    if (cidr.family === 'IPv6') max = Math.min(max, 65536);
    else max -= 1; // the broadcast address
    max = Math.max(0, max - 1); // the network address
    this.base = networkAddress(cidr).value + 1n;
    this.map = new AllocationMap(max, rangeOffset(Number(size > 1n << 52n ? 1n << 52n : size), 16, 256, 16));
  }

  get family(): IPFamily {
    return this.cidr.family;
  }

  /** Index of `ip` in the bitmap, or undefined when outside the allocatable span. */
  indexOf(ip: IP): number | undefined {
    if (ip.family !== this.cidr.family) return undefined;
    const d = ip.value - this.base;
    return d < 0n || d >= BigInt(this.map.max) ? undefined : Number(d);
  }

  contains(ip: IP): boolean {
    return this.indexOf(ip) !== undefined;
  }

  /** Mark `ip` used (an address a Service already has); false when taken or outside. */
  allocate(ip: IP): boolean {
    const i = this.indexOf(ip);
    return i !== undefined && this.map.allocate(i);
  }

  /** Give `ip` back; false when it was not taken or is outside. */
  release(ip: IP): boolean {
    const i = this.indexOf(ip);
    return i !== undefined && this.map.release(i);
  }

  has(ip: IP): boolean {
    const i = this.indexOf(ip);
    return i !== undefined && this.map.has(i);
  }

  get free(): number {
    return this.map.free;
  }

  get used(): number {
    return this.map.taken;
  }

  allocateNext(rand: Random): string | undefined {
    const i = this.map.allocateNext(rand);
    return i === undefined ? undefined : formatIP({ family: this.cidr.family, value: this.base + BigInt(i) });
  }

  /** The `kubernetes` Service's address: the first of the range. */
  firstAddress(): string {
    return formatIP({ family: this.cidr.family, value: this.base });
  }

  get staticSize(): number {
    return this.map.offset;
  }

  get size(): number {
    return this.map.max;
  }

  toString(): string {
    return formatCIDR(this.cidr);
  }
}
