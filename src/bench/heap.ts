// A garbage collection on demand, so heap figures measure what a sync keeps rather than when V8
// last collected. Node exposes gc() only with --expose-gc; the flag can be set at run time and the
// function read from a fresh context, so the bench needs no special node invocation.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

export function heapUsed(): number {
  return process.memoryUsage().heapUsed;
}
