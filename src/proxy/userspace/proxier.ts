// The userspace proxier: one listener per service port on an OS-chosen port of the listen address,
// balanced by one LoadBalancer. `sync(targets)` brings the listeners in line with the targets: new
// ports open, removed ones stop accepting (their open connections go on), and the endpoint sets
// change in place, so a changed EndpointSlice never drops a connection.
import { ProxyRuntimeError } from '../../errors.js';
import { type BalanceStrategy, LoadBalancer } from './balancer.js';
import { startHttpListener } from './http-listener.js';
import type { ListenAddress, Listener, PickContext } from './listener.js';
import { joinHostPort, type PortMap } from './port-map.js';
import type { RandomSource } from './random.js';
import type { ProxyTarget } from './targets.js';
import { startTcpListener } from './tcp-listener.js';
import { startUdpListener } from './udp-listener.js';

export interface ProxierOptions {
  readonly listenHost: string;
  readonly strategy: BalanceStrategy;
  readonly random: RandomSource;
  readonly udpIdleTimeoutMs: number;
  readonly now?: () => number;
  readonly onEvent?: (message: string) => void;
  /** Shuffle new endpoint sets as LoadBalancerRR (default true). */
  readonly shuffle?: boolean;
}

export interface SyncReport {
  readonly opened: readonly { target: ProxyTarget; address: ListenAddress }[];
  readonly closed: readonly ProxyTarget[];
  /** SCTP ports seen for the first time: not proxied. */
  readonly unsupported: readonly ProxyTarget[];
  /** Ports that could not be opened after start-up (start-up itself throws). */
  readonly failed: readonly { target: ProxyTarget; error: ProxyRuntimeError }[];
  /** Whether the port map differs from the one before this sync. */
  readonly mapChanged: boolean;
}

interface Open {
  target: ProxyTarget;
  listener: Listener;
}

export class UserspaceProxier {
  readonly balancer: LoadBalancer;
  private readonly open = new Map<string, Open>();
  private readonly stopped: Listener[] = [];
  private readonly unsupported = new Set<string>();
  private readonly now: () => number;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly sweeper: NodeJS.Timeout;
  private started = false;

  constructor(private readonly options: ProxierOptions) {
    this.now = options.now ?? Date.now;
    this.balancer = new LoadBalancer({
      strategy: options.strategy,
      random: options.random,
      ...(options.shuffle === undefined ? {} : { shuffle: options.shuffle }),
    });
    // CleanupStaleStickySessions ran on every sync; a timer keeps idle affinities from piling up.
    this.sweeper = setInterval(() => this.balancer.expireAffinities(this.now()), 60_000).unref();
  }

  /** Apply targets; calls run one after another. The first sync is all or nothing. */
  sync(targets: readonly ProxyTarget[]): Promise<SyncReport> {
    const run = this.queue.then(() => this.syncNow(targets));
    this.queue = run.catch(() => {});
    return run;
  }

  private async syncNow(targets: readonly ProxyTarget[]): Promise<SyncReport> {
    const before = JSON.stringify(this.portMap());
    const opened: { target: ProxyTarget; address: ListenAddress }[] = [];
    const closed: ProxyTarget[] = [];
    const unsupported: ProxyTarget[] = [];
    const failed: { target: ProxyTarget; error: ProxyRuntimeError }[] = [];
    const wanted = new Set<string>();
    for (const t of targets) {
      if (t.kind === 'sctp') {
        if (!this.unsupported.has(t.key)) unsupported.push(t);
        this.unsupported.add(t.key);
        continue;
      }
      wanted.add(t.key);
      this.balancer.setPolicy(t.key, t.affinity);
      this.balancer.setEndpoints(t.key, t.endpoints);
      const cur = this.open.get(t.key);
      if (cur && cur.target.kind === t.kind) {
        cur.target = t;
        continue;
      }
      if (cur) await this.retire(t.key, cur, closed, false);
      try {
        const listener = await this.listen(t);
        this.open.set(t.key, { target: t, listener });
        opened.push({ target: t, address: listener.address });
      } catch (err) {
        const error = listenError(err, t, this.options.listenHost);
        if (!this.started) {
          await this.shutdown(0);
          throw error;
        }
        failed.push({ target: t, error });
      }
    }
    for (const [key, cur] of this.open) if (!wanted.has(key)) await this.retire(key, cur, closed, true);
    for (const key of this.unsupported) if (!targets.some((t) => t.key === key)) this.unsupported.delete(key);
    this.started = true;
    return { opened, closed, unsupported, failed, mapChanged: JSON.stringify(this.portMap()) !== before };
  }

  private async retire(key: string, cur: Open, closed: ProxyTarget[], gone: boolean): Promise<void> {
    this.open.delete(key);
    if (gone) this.balancer.deletePort(key);
    await cur.listener.stop();
    this.stopped.push(cur.listener);
    closed.push(cur.target);
  }

  private listen(t: ProxyTarget): Promise<Listener> {
    const ctx: PickContext = { balancer: this.balancer, key: t.key, now: this.now, onEvent: this.options.onEvent };
    const at = { host: this.options.listenHost, port: 0 };
    if (t.kind === 'udp') return startUdpListener(at, ctx, this.options.udpIdleTimeoutMs);
    if (t.kind === 'http') return startHttpListener(at, ctx);
    return startTcpListener(at, ctx);
  }

  portMap(): PortMap {
    return {
      ports: [...this.open.values()].map(({ target: t, listener }) => ({
        service: t.service,
        portName: t.portName,
        protocol: t.protocol,
        clusterIP: t.clusterIP,
        port: t.port,
        listen: joinHostPort(listener.address.host, listener.address.port),
      })),
    };
  }

  /** Connections and sessions open now, over every listener (stopped ones included). */
  get active(): number {
    let n = 0;
    for (const { listener } of this.open.values()) n += listener.active;
    for (const l of this.stopped) n += l.active;
    return n;
  }

  /** Stop accepting, let open connections finish for up to `drainMs`, then close what is left. */
  async close(drainMs: number): Promise<void> {
    await this.queue;
    await this.shutdown(drainMs);
  }

  /** close() without waiting for the sync queue (a failing first sync calls it from inside). */
  private async shutdown(drainMs: number): Promise<void> {
    clearInterval(this.sweeper);
    const all = [...[...this.open.values()].map((o) => o.listener), ...this.stopped];
    this.open.clear();
    await Promise.all(all.map((l) => l.stop()));
    const deadline = this.now() + drainMs;
    while (all.some((l) => l.active > 0) && this.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const l of all) l.destroyAll();
  }
}

function listenError(err: unknown, t: ProxyTarget, host: string): ProxyRuntimeError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'EADDRNOTAVAIL'
      ? `listenAddress ${host} is not an address of this machine`
      : code === 'EADDRINUSE'
        ? `${host}: address already in use`
        : `cannot listen on ${host} (${code ?? (err as Error).message})`;
  const error = new ProxyRuntimeError(`${t.key}: ${why}`, code === 'EADDRNOTAVAIL' || code === 'EADDRINUSE', {
    cause: err,
  });
  return code === 'EADDRNOTAVAIL' ? error.about('listenAddress') : error;
}
