// Shared settings of the fuzz suites (issue 18): seeded, bounded in count and in time. `npm test`
// runs a few hundred cases per property in a few seconds; `npm run fuzz` runs many more. A failure
// prints fast-check's seed and path: rerun it with KUBEPLANE_FUZZ_SEED=<seed> (the path is in the
// report) and make the shrunk counterexample a fixture.
import { KubeplaneError } from '../../src/errors.js';

const int = (name: string, fallback: number): number => {
  const v = process.env[name];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : fallback;
};

/** fast-check parameters for one property: `runs` cases in `npm test`, scaled by KUBEPLANE_FUZZ_RUNS. */
export function fuzzParams(runs: number) {
  const scale = int('KUBEPLANE_FUZZ_SCALE', 1);
  return {
    seed: int('KUBEPLANE_FUZZ_SEED', 18),
    numRuns: runs * scale,
    // A loaded machine slows the run, never fails it: past the time bound the run stops early and
    // passes with what it checked (the seed makes the same cases come first next time).
    interruptAfterTimeLimit: int('KUBEPLANE_FUZZ_SECONDS', 8) * 1000 * scale,
    markInterruptAsFailure: false,
    endOnFailure: true,
  } as const;
}

/** Per-test timeout above the property's own time bound. */
export function fuzzTimeout(): number {
  return int('KUBEPLANE_FUZZ_SECONDS', 8) * 1000 * int('KUBEPLANE_FUZZ_SCALE', 1) + 60_000;
}

/** Messages that only a bug produces (a JavaScript engine error leaking out as the answer). */
export const ENGINE_ERROR =
  /Maximum call stack|Cannot read propert|Cannot set propert|is not a function|is not iterable|is not defined|Invalid (array|string) length|Cannot convert|of undefined|of null|RangeError|TypeError|ReferenceError/;

/** An error a hostile input may cause: a typed input error with a message that names no engine fault. */
export function isInputError(err: unknown): boolean {
  return err instanceof KubeplaneError && err.isInputError && !ENGINE_ERROR.test(err.message.split('\n')[0] ?? '');
}

/** One value anywhere in `v` (found iteratively) replaced by `value`, in place; `v` itself when it has none. */
export function replaceAt(v: unknown, pick: number, value: unknown): unknown {
  const all: { parent: Record<string | number, unknown>; key: string | number }[] = [];
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const o = stack.pop();
    if (typeof o !== 'object' || o === null) continue;
    for (const [k, c] of Object.entries(o)) {
      all.push({ parent: o as Record<string, unknown>, key: Array.isArray(o) ? Number(k) : k });
      stack.push(c);
    }
  }
  if (all.length === 0) return value;
  const { parent, key } = all[pick % all.length]!;
  parent[key] = value;
  return v;
}
