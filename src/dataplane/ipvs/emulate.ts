// Which real server each connection gets: connections arrive in start order on an emulated clock,
// hold their destination until they end (the live counts lc/wlc/sed/nq read), and ClientIP
// persistence keeps a template per client that outlives its connections by the service's timeout.
import { type Client, type DestCounters, type Pick, schedulerFor } from './schedulers.js';
import type { VirtualServerTable, VirtualService } from './table.js';

export interface Connection {
  /** The virtual service id ("-t 10.96.0.1:443"). */
  readonly service: string;
  readonly client: Client;
  /** Seconds on the emulated clock; non-decreasing across calls. */
  readonly start: number;
  readonly end: number;
}

interface ServiceState {
  readonly vs: VirtualService;
  readonly dests: DestCounters[];
  readonly pick: Pick;
  /** client address -> template (persistent services only). */
  readonly templates: Map<string, { dest: number; expires: number }>;
}

/** A binary min-heap of connection ends. */
class Ends {
  private readonly t: number[] = [];
  private readonly d: DestCounters[] = [];
  private swap(i: number, j: number): void {
    const t = this.t[i]!;
    this.t[i] = this.t[j]!;
    this.t[j] = t;
    const d = this.d[i]!;
    this.d[i] = this.d[j]!;
    this.d[j] = d;
  }
  push(at: number, dest: DestCounters): void {
    let i = this.t.length;
    this.t.push(at);
    this.d.push(dest);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.t[p]! <= at) break;
      this.swap(i, p);
      i = p;
    }
  }
  /** End every connection that ended at or before `now`. */
  drain(now: number): void {
    while (this.t.length && this.t[0]! <= now) {
      this.d[0]!.active--;
      const t = this.t.pop()!;
      const d = this.d.pop()!;
      if (!this.t.length) break;
      this.t[0] = t;
      this.d[0] = d;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.t.length && this.t[l]! < this.t[m]!) m = l;
        if (r < this.t.length && this.t[r]! < this.t[m]!) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
  }
}

export class IpvsEmulator {
  private readonly services = new Map<string, ServiceState>();
  private readonly ends = new Ends();
  private now = Number.NEGATIVE_INFINITY;

  constructor(private readonly table: VirtualServerTable) {}

  private state(id: string): ServiceState | undefined {
    let s = this.services.get(id);
    if (!s) {
      const vs = this.table.get(id);
      if (!vs) return undefined;
      s = {
        vs,
        dests: vs.destinations.map((d) => ({ weight: d.weight, active: 0, inactive: 0 })),
        pick: schedulerFor(vs),
        templates: new Map(),
      };
      this.services.set(id, s);
    }
    return s;
  }

  /** The real server ("ip:port") a new connection gets, or null (no service, or no destination). */
  connect(c: Connection): string | null {
    if (c.start < this.now) throw new RangeError(`connections must come in start order (${c.start} < ${this.now})`);
    this.now = c.start;
    this.ends.drain(c.start);
    const s = this.state(c.service);
    if (!s) return null;
    let i = -1;
    const timeout = s.vs.persistenceTimeout;
    const tpl = timeout !== null ? s.templates.get(c.client.address) : undefined;
    // expire_quiescent_template=1 (kube-proxy sets it): a template to a weight-0 server is dropped.
    if (tpl && tpl.expires > c.start && s.dests[tpl.dest]!.weight > 0) i = tpl.dest;
    else i = s.pick(s.dests, c.client);
    if (i < 0) return null;
    const d = s.dests[i]!;
    d.active++;
    this.ends.push(c.end, d);
    if (timeout !== null) {
      // The template's timer restarts with each connection it controls, and is re-armed (by the
      // timeout again) while a controlled connection is still open.
      const prev = tpl && tpl.dest === i && tpl.expires > c.start ? tpl.expires : 0;
      let expires = c.start + timeout;
      if (c.end > expires) expires += Math.ceil((c.end - expires) / timeout) * timeout;
      s.templates.set(c.client.address, { dest: i, expires: Math.max(prev, expires) });
    }
    return s.vs.destinations[i]!.server;
  }
}

/** Schedule a stream of connections (sorted by start) over a table. */
export function schedule(table: VirtualServerTable, connections: Iterable<Connection>): (string | null)[] {
  const e = new IpvsEmulator(table);
  const out: (string | null)[] = [];
  for (const c of connections) out.push(e.connect(c));
  return out;
}
