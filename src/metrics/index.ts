// Prometheus metrics in text format 0.0.4, shared by the DNS server and the node agent: counters
// and histograms keyed by their label values.

function labelText(names: readonly string[], values: readonly string[]): string {
  return names
    .map((n, i) => `${n}="${(values[i] ?? '').replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`)
    .join(',');
}

export class Counter {
  private readonly values = new Map<string, { labels: string[]; n: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}
  inc(labels: string[], by = 1): void {
    this.incKey(labels.join('\u0000'), () => labels, by);
  }
  /** The query path's form: a caller-made key, label values built only the first time. */
  incKey(key: string, labels: () => string[], by = 1): void {
    const v = this.values.get(key);
    if (v) v.n += by;
    else this.values.set(key, { labels: labels(), n: by });
  }
  render(type = 'counter'): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${type}`];
    if (this.labelNames.length === 0) {
      // A counter without labels always has a value (CoreDNS prints coredns_panics_total 0).
      lines.push(`${this.name} ${this.values.get('')?.n ?? 0}`);
      return lines.join('\n');
    }
    for (const v of this.values.values()) lines.push(`${this.name}{${labelText(this.labelNames, v.labels)}} ${v.n}`);
    return lines.join('\n');
  }
}

export class Histogram {
  private readonly values = new Map<string, { labels: string[]; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    readonly buckets: readonly number[],
  ) {}
  observe(labels: string[], x: number): void {
    this.observeKey(labels.join('\u0000'), () => labels, x);
  }
  observeKey(key: string, labels: () => string[], x: number): void {
    let v = this.values.get(key);
    if (!v) this.values.set(key, (v = { labels: labels(), counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (x <= this.buckets[i]!) v.counts[i]!++;
    v.sum += x;
    v.count++;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    // A histogram without labels always has a series (zero counts before the first observation).
    const series =
      this.values.size === 0 && this.labelNames.length === 0
        ? [{ labels: [], counts: this.buckets.map(() => 0), sum: 0, count: 0 }]
        : [...this.values.values()];
    for (const v of series) {
      const l = labelText(this.labelNames, v.labels);
      const head = l ? `${l},` : '';
      const own = l ? `{${l}}` : '';
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{${head}le="${b}"} ${v.counts[i]}`));
      lines.push(`${this.name}_bucket{${head}le="+Inf"} ${v.count}`);
      lines.push(`${this.name}_sum${own} ${v.sum}`);
      lines.push(`${this.name}_count${own} ${v.count}`);
    }
    return lines.join('\n');
  }
}
