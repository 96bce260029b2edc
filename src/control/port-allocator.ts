// The API server's node port allocator (pkg/registry/core/service/portallocator) over
// --service-node-port-range: the static block is min(max(16, size/32), 128) ports.
import { AllocationMap, type Random, rangeOffset } from './allocation-map.js';

export interface PortRange {
  base: number;
  size: number;
}

/** "30000-32767" (or one port) -> range; undefined when it does not parse. */
export function parsePortRange(text: string): PortRange | undefined {
  const m = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5}))?\s*$/.exec(text);
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo < 1 || hi > 65535 || hi < lo) return undefined;
  return { base: lo, size: hi - lo + 1 };
}

export class NodePortAllocator {
  private readonly map: AllocationMap;
  constructor(readonly range: PortRange) {
    this.map = new AllocationMap(range.size, rangeOffset(range.size, 16, 128, 32));
  }

  contains(port: number): boolean {
    return port >= this.range.base && port < this.range.base + this.range.size;
  }

  allocate(port: number): boolean {
    return this.contains(port) && this.map.allocate(port - this.range.base);
  }

  release(port: number): boolean {
    return this.contains(port) && this.map.release(port - this.range.base);
  }

  has(port: number): boolean {
    return this.contains(port) && this.map.has(port - this.range.base);
  }

  get free(): number {
    return this.map.free;
  }

  get used(): number {
    return this.map.taken;
  }

  allocateNext(rand: Random): number | undefined {
    const i = this.map.allocateNext(rand);
    return i === undefined ? undefined : this.range.base + i;
  }

  get staticSize(): number {
    return this.map.offset;
  }

  toString(): string {
    return `${this.range.base}-${this.range.base + this.range.size - 1}`;
  }
}
