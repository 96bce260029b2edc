// A running cluster DNS: a ClusterStore followed into a ZoneIndex (every watch event applied as it
// arrives, so a Service added resolves on the next query), the DNS sockets, the upstream with its
// cache, and the operations HTTP server. The library entry point behind `kubeplane dns serve`.
import { startInformer } from '../cluster/informer.js';
import type { ClusterStore } from '../cluster/store.js';
import { ReplyCache } from './cache.js';
import { DnsError } from './errors.js';
import { DnsHandler } from './handler.js';
import { ZoneIndex } from './index.js';
import { DnsMetrics } from './metrics.js';
import { type OpsServer, startOps } from './ops.js';
import { DnsServer, type ListenAddress } from './server.js';
import { Upstream, type UpstreamAddress } from './upstream.js';
import type { ZoneOptions } from './zone.js';

export interface DnsServiceOptions {
  listen: ListenAddress;
  zone: ZoneOptions;
  upstream?: UpstreamAddress | undefined;
  upstreamTimeoutMs?: number;
  metricsListen?: ListenAddress | undefined;
  onError?: (err: unknown) => void;
}

export interface RunningDns {
  address: ListenAddress;
  metricsAddress: ListenAddress | undefined;
  index: ZoneIndex;
  close(): Promise<void>;
}

export async function startDnsService(store: ClusterStore, options: DnsServiceOptions): Promise<RunningDns> {
  // List-then-watch: the first snapshot fills the index, every later event is applied as it comes,
  // and a watch that lost its position re-lists into the same index.
  const index = new ZoneIndex();
  const watch = await startInformer(store, {
    onSync: (snapshot) => index.reset(snapshot.objects),
    onEvent: (e) => index.apply(e),
    onError: options.onError,
  });
  const upstream = options.upstream ? new Upstream(options.upstream, options.upstreamTimeoutMs) : undefined;
  const cache = upstream ? new ReplyCache() : undefined;
  const metrics = new DnsMetrics(`dns://${options.listen.host}:${options.listen.port}`);
  metrics.cache = cache;
  const handler = new DnsHandler(index, { zone: options.zone, upstream, cache, metrics, onError: options.onError });
  let server: DnsServer;
  try {
    server = await DnsServer.start(handler, { listen: options.listen, onError: options.onError });
  } catch (err) {
    watch.stop();
    upstream?.close();
    throw listenError(err, '--listen', options.listen);
  }
  let ops: OpsServer | undefined;
  try {
    if (options.metricsListen) ops = await startOps(options.metricsListen, metrics, () => true);
  } catch (err) {
    await server.close();
    watch.stop();
    upstream?.close();
    throw listenError(err, '--metrics-listen', options.metricsListen!);
  }
  return {
    address: server.address,
    metricsAddress: ops?.address,
    index,
    async close() {
      watch.stop();
      upstream?.close();
      await Promise.all([server.close(), ops?.close()]);
    },
  };
}

/** A socket that cannot be opened, said in terms of the flag that chose its address. */
function listenError(err: unknown, flag: string, at: ListenAddress): DnsError {
  const code = (err as NodeJS.ErrnoException).code;
  const where = `${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}`;
  const why =
    code === 'EADDRINUSE'
      ? 'is already in use (another server?); choose another port'
      : code === 'EADDRNOTAVAIL'
        ? 'is not an address of this machine'
        : code === 'EACCES'
          ? 'needs privileges (ports below 1024 need root or CAP_NET_BIND_SERVICE)'
          : `cannot be opened (${code ?? (err as Error).message})`;
  return new DnsError(`${flag} ${where} ${why}`, false, { cause: err });
}
