// Which real server each connection gets: connections arrive in start order on an emulated clock,
// hold their destination until they end (the live counts lc/wlc/sed/nq read), and ClientIP
// persistence keeps a template per client that outlives its connections by the service's timeout.
import { type Client, type Dests, type Pick, schedulerFor } from './schedulers.js';
import type { VirtualServerTable, VirtualService } from './table.js';

export interface Connection {
  /** The virtual service id ("-t 10.96.0.1:443"). */
  readonly service: string;
  readonly client: Client;
  /** Seconds on the emulated clock; non-decreasing across calls. */
  readonly start: number;
  readonly end: number;
}

interface Template {
  dest: number;
  expires: number;
}

interface ServiceState {
  readonly index: number;
  readonly vs: VirtualService;
  readonly dests: Dests;
  readonly pick: Pick;
  /** client address -> template (persistent services only). */
  readonly templates: Map<string, Template>;
}

/**
 * A binary min-heap of connection ends, in typed arrays (a million connections move through it):
 * the end time, and which service and destination the connection holds.
 */
class Ends {
  private at = new Float64Array(1024);
  private svc = new Int32Array(1024);
  private dest = new Int32Array(1024);
  size = 0;

  push(at: number, svc: number, dest: number): void {
    if (this.size === this.at.length) this.grow();
    let i = this.size++;
    const a = this.at;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= at) break;
      a[i] = a[p]!;
      this.svc[i] = this.svc[p]!;
      this.dest[i] = this.dest[p]!;
      i = p;
    }
    a[i] = at;
    this.svc[i] = svc;
    this.dest[i] = dest;
  }

  private grow(): void {
    const n = this.at.length * 2;
    const at = new Float64Array(n);
    at.set(this.at);
    const svc = new Int32Array(n);
    svc.set(this.svc);
    const dest = new Int32Array(n);
    dest.set(this.dest);
    this.at = at;
    this.svc = svc;
    this.dest = dest;
  }

  /** End every connection that ended at or before `now`, calling `end(svc, dest, at)` for each. */
  drain(now: number, end: (svc: number, dest: number, at: number) => void): void {
    const a = this.at;
    while (this.size > 0 && a[0]! <= now) {
      end(this.svc[0]!, this.dest[0]!, a[0]!);
      const n = --this.size;
      if (n === 0) break;
      // Sift the last entry down from the root.
      const t = a[n]!;
      const s = this.svc[n]!;
      const d = this.dest[n]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && a[r]! < a[l]! ? r : l;
        if (a[m]! >= t) break;
        a[i] = a[m]!;
        this.svc[i] = this.svc[m]!;
        this.dest[i] = this.dest[m]!;
        i = m;
      }
      a[i] = t;
      this.svc[i] = s;
      this.dest[i] = d;
    }
  }
}

export class IpvsEmulator {
  private readonly services = new Map<string, ServiceState>();
  private readonly byIndex: ServiceState[] = [];
  private readonly ends = new Ends();
  private now = Number.NEGATIVE_INFINITY;
  /** An ended connection stays in the table as inactive this long (TIME_WAIT); 0: it leaves at once. */
  private readonly linger: number;
  private readonly endOne = (svc: number, dest: number, at: number) => {
    const d = this.byIndex[svc]!.dests;
    // A negative slot is an inactive (lingering) connection timing out.
    if (dest < 0) {
      d.inactive[~dest]!--;
      return;
    }
    d.active[dest]!--;
    if (this.linger > 0) {
      d.inactive[dest]!++;
      this.lingering.push([at + this.linger, svc, ~dest]);
    }
  };
  private readonly lingering: [number, number, number][] = [];

  constructor(
    private readonly table: VirtualServerTable,
    options: { lingerSeconds?: number } = {},
  ) {
    this.linger = options.lingerSeconds ?? 0;
  }

  private state(id: string): ServiceState | undefined {
    let s = this.services.get(id);
    if (s === undefined) {
      const vs = this.table.get(id);
      if (!vs) return undefined;
      const n = vs.destinations.length;
      const dests: Dests = {
        n,
        weight: Int32Array.from(vs.destinations, (d) => d.weight),
        active: new Int32Array(n),
        inactive: new Int32Array(n),
      };
      s = { index: this.byIndex.length, vs, dests, pick: schedulerFor(vs), templates: new Map() };
      this.byIndex.push(s);
      this.services.set(id, s);
    }
    return s;
  }

  /**
   * The real server ("ip:port") a new connection gets, or null (no service, or no destination).
   * With `dry` nothing changes: the answer is what the connection would get.
   */
  connect(c: Connection, dry = false): string | null {
    if (c.start < this.now) throw new RangeError(`connections must come in start order (${c.start} < ${this.now})`);
    if (!dry) {
      this.now = c.start;
      this.drain(c.start);
    }
    const s = this.state(c.service);
    if (s === undefined) return null;
    const timeout = s.vs.persistenceTimeout;
    const tpl = timeout !== null ? s.templates.get(c.client.address) : undefined;
    let i: number;
    // expire_quiescent_template=1 (kube-proxy sets it): a template to a weight-0 server is dropped.
    if (tpl !== undefined && tpl.expires > c.start && s.dests.weight[tpl.dest]! > 0) i = tpl.dest;
    else i = s.pick(s.dests, c.client, dry);
    if (i < 0) return null;
    if (dry) return s.vs.destinations[i]!.server;
    s.dests.active[i]!++;
    this.ends.push(c.end, s.index, i);
    if (timeout !== null) {
      // The template's timer restarts with each connection it controls, and is re-armed (by the
      // timeout again) while a controlled connection is still open.
      const prev = tpl !== undefined && tpl.dest === i && tpl.expires > c.start ? tpl.expires : 0;
      let expires = c.start + timeout;
      if (c.end > expires) expires += Math.ceil((c.end - expires) / timeout) * timeout;
      expires = Math.max(prev, expires);
      if (tpl !== undefined) {
        tpl.dest = i;
        tpl.expires = expires;
      } else s.templates.set(c.client.address, { dest: i, expires });
    }
    return s.vs.destinations[i]!.server;
  }

  private drain(now: number): void {
    if (this.ends.size === 0) return;
    this.ends.drain(now, this.endOne);
    // Connections that ended while draining linger as inactive: queue their time-outs too.
    while (this.lingering.length > 0) {
      for (const [at, svc, slot] of this.lingering.splice(0)) this.ends.push(at, svc, slot);
      this.ends.drain(now, this.endOne);
    }
  }

  /** The virtual service of an id, if the table has it. */
  service(id: string): VirtualService | undefined {
    return this.table.get(id);
  }
}

/** Schedule a stream of connections (sorted by start) over a table. */
export function schedule(table: VirtualServerTable, connections: Iterable<Connection>): (string | null)[] {
  const e = new IpvsEmulator(table);
  const out: (string | null)[] = [];
  for (const c of connections) out.push(e.connect(c));
  return out;
}
