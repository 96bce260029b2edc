// `kubeplane proxy --dns-listen IP:PORT`: the cluster DNS (src/dns) served beside the proxy. Outside
// a namespace it answers from a view of the cluster where each proxied Service sits at the proxy's
// listen address and its ports at the listeners' ports (SRV says which port); with --netns the
// portal rules make cluster IPs work, so it answers the cluster as it is.
import type { ClusterStore } from '../cluster/store.js';
import type { ClusterObject } from '../cluster/types.js';
import { DnsError, DnsListenError } from '../errors.js';
import type { PortMap } from '../proxy/userspace/port-map.js';

export interface ProxyDns {
  readonly where: string;
  /** Bring the view in line with the store's objects and the proxy's map (awaited before the map is written). */
  update(objects: readonly ClusterObject[], map: PortMap): Promise<void>;
  close(): Promise<void>;
}

export async function startProxyDns(
  cluster: ClusterStore,
  listen: { host: string; port: number },
  atProxy: boolean,
): Promise<ProxyDns> {
  const { MemoryClusterStore } = await import('../cluster/memory-store.js');
  const { startDnsService } = await import('../dns/service.js');
  const { DEFAULT_ZONE_OPTIONS } = await import('../dns/zone.js');
  const { servicesAtProxy } = await import('../proxy/userspace/dns-view.js');
  const view = atProxy ? new MemoryClusterStore() : cluster;
  const self = listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host === '::' ? '::1' : listen.host;
  const running = await startDnsService(view, {
    listen,
    zone: { ...DEFAULT_ZONE_OPTIONS, nsAddresses: [self] },
    onError: (err) => process.stderr.write(`dns: ${err instanceof Error ? err.message : String(err)}\n`),
  }).catch((err: unknown) => {
    if (!(err instanceof DnsListenError)) throw err;
    // A port taken or an address not ours is the user's to fix, as for the proxy's own listeners.
    throw new DnsError(`--dns-listen ${err.address} ${err.reason}`, true, { cause: err });
  });
  const host = running.address.host.includes(':') ? `[${running.address.host}]` : running.address.host;
  return {
    where: `${host}:${running.address.port}`,
    async update(objects, map) {
      if (atProxy) await view.replace(servicesAtProxy(objects, map));
    },
    async close() {
      await running.close();
      if (atProxy) await view.close();
    },
  };
}
