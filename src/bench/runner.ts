// The benchmark harness every bench uses: warm-up runs, timed repeats, median and p90.
import { performance } from 'node:perf_hooks';

export interface Measurement {
  median: number;
  p90: number;
  min: number;
  samples: number[];
}

export interface MeasureOptions {
  warmup: number;
  repeat: number;
}

export function summarize(samples: readonly number[]): Measurement {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  const mid = sorted.length / 2;
  const median =
    sorted.length === 0
      ? Number.NaN
      : sorted.length % 2
        ? sorted[Math.floor(mid)]!
        : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, p90: at(0.9), min: sorted[0] ?? Number.NaN, samples: [...samples] };
}

/** Time `fn` (ms) after `warmup` untimed runs; `setup` runs before each call, untimed. */
export async function measure<S>(
  fn: (s: S) => unknown,
  options: MeasureOptions,
  setup: () => S = () => undefined as S,
): Promise<Measurement> {
  for (let i = 0; i < options.warmup; i++) await fn(setup());
  const samples: number[] = [];
  for (let i = 0; i < options.repeat; i++) {
    const s = setup();
    const t0 = performance.now();
    await fn(s);
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

export function round(ms: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(ms * f) / f;
}
