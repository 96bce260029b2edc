// The API server's allocation bitmap (pkg/registry/core/service/allocator): `max` slots, of which the
// first `offset` are the static block. AllocateNext scans the upper (dynamic) part first from a random
// start, then the static block from a random start, so addresses and ports users pick by hand in the
// static block rarely collide with dynamic ones (KEP-3070 / KEP-3668).
export type Random = () => number;

export class AllocationMap {
  private readonly used: Uint8Array;
  private count = 0;

  constructor(
    readonly max: number,
    readonly offset: number,
  ) {
    this.used = new Uint8Array(max);
  }

  has(i: number): boolean {
    return this.used[i] === 1;
  }

  /** Take slot `i`; false when it is out of range or taken. */
  allocate(i: number): boolean {
    if (i < 0 || i >= this.max || this.used[i] === 1) return false;
    this.used[i] = 1;
    this.count++;
    return true;
  }

  /** Give slot `i` back; false when it was not taken. */
  release(i: number): boolean {
    if (i < 0 || i >= this.max || this.used[i] !== 1) return false;
    this.used[i] = 0;
    this.count--;
    return true;
  }

  /** randomScanStrategyWithOffset.AllocateBit: undefined when full. */
  allocateNext(rand: Random): number | undefined {
    if (this.count >= this.max) return undefined;
    const upper = this.max - this.offset;
    if (upper > 0) {
      const start = Math.floor(rand() * upper);
      for (let k = 0; k < upper; k++) {
        const at = this.offset + ((start + k) % upper);
        if (this.allocate(at)) return at;
      }
    }
    if (this.offset > 0) {
      const start = Math.floor(rand() * this.offset);
      for (let k = 0; k < this.offset; k++) {
        const at = (start + k) % this.offset;
        if (this.allocate(at)) return at;
      }
    }
    return undefined;
  }

  get free(): number {
    return this.max - this.count;
  }

  get taken(): number {
    return this.count;
  }
}

/** calculateRangeOffset: size/step clamped to [min, max]; 0 for ranges of at most `min`. */
export function rangeOffset(size: number, min: number, max: number, step: number): number {
  if (size <= min) return 0;
  return Math.max(min, Math.min(max, Math.floor(size / step)));
}
