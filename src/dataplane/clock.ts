// Time as the evaluator sees it: seconds on an emulated clock, so affinity timeouts are tested
// without waiting.
export interface Clock {
  now(): number;
}

export class EmulatedClock implements Clock {
  constructor(private seconds = 0) {}
  now(): number {
    return this.seconds;
  }
  advance(seconds: number): void {
    this.seconds += seconds;
  }
}
