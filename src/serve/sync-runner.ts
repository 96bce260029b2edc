// When the agent syncs, as kube-proxy's BoundedFrequencyRunner decides it: a change asks for a sync,
// which runs at once unless the last one was less than minSyncPeriod ago (then the changes of that
// wait are batched into one sync); and a full sync runs every syncPeriod whatever happens.
export interface SyncRunnerOptions {
  minSyncPeriodMs: number;
  syncPeriodMs: number;
  /** One sync; `full` when the periodic timer fired. Errors are the callback's to report. */
  run(full: boolean): void;
  now?: () => number;
}

export class SyncRunner {
  private lastRun = -Infinity;
  private pending: NodeJS.Timeout | undefined;
  private readonly periodic: NodeJS.Timeout;
  private readonly now: () => number;
  private stopped = false;

  constructor(private readonly options: SyncRunnerOptions) {
    this.now = options.now ?? Date.now;
    this.periodic = setInterval(() => this.fire(true), options.syncPeriodMs);
    this.periodic.unref();
  }

  /** A change arrived: sync now, or once minSyncPeriod has passed since the last sync. */
  request(): void {
    if (this.stopped || this.pending) return;
    const wait = Math.max(0, this.lastRun + this.options.minSyncPeriodMs - this.now());
    this.pending = setTimeout(() => this.fire(false), wait);
  }

  private fire(full: boolean): void {
    if (this.stopped) return;
    clearTimeout(this.pending);
    this.pending = undefined;
    this.lastRun = this.now();
    this.options.run(full);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.pending);
    clearInterval(this.periodic);
  }
}
