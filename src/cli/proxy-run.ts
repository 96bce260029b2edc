// The running `kubeplane proxy` command: loads the input, starts the proxy (and the DNS server with
// --dns-listen), prints where each service port listens, and on SIGTERM/SIGINT drains and returns.
import type { ClusterObject } from '../cluster/types.js';
import { NodeSelectionError } from '../errors.js';
import type { SyncReport } from '../proxy/userspace/proxier.js';
import { errorText } from './error-text.js';
import type { ProxyDns } from './proxy-dns.js';
import type { PortalInstaller } from './proxy-netns.js';

/** `kubeplane proxy` flags after checking (src/cli/proxy.ts checks them). */
export interface CheckedProxyFlags {
  files: string[];
  watch: boolean;
  listenHost: string;
  portMap: string | undefined;
  strategy: 'round-robin' | 'random';
  seed: number | undefined;
  node: string | undefined;
  udpIdleTimeoutMs: number;
  l7Http: boolean;
  /** Serve the cluster DNS here, Services answered with the proxy's addresses (--dns-listen). */
  dnsListen: { host: string; port: number } | undefined;
  /** Running inside this namespace (re-run by --netns): install the portal rules. */
  netns: string | undefined;
}

/** How long open connections may finish after SIGTERM before they are closed (exit stays under 5 s). */
const DRAIN_MS = 2000;

export async function configFor(objects: readonly ClusterObject[], node: string | undefined) {
  const { resolveProxyConfig } = await import('../proxy/config.js');
  try {
    return resolveProxyConfig(objects, node ? { node } : {});
  } catch (err) {
    // kube-proxy's own default when no name is given: the machine's hostname.
    if (!(err instanceof NodeSelectionError) || node || objects.some((o) => o.kind === 'Node')) throw err;
    const { hostname } = await import('node:os');
    return resolveProxyConfig(objects, { node: hostname().toLowerCase() });
  }
}

export function printReport(report: SyncReport): void {
  for (const t of report.unsupported)
    process.stderr.write(
      `${t.key} ${t.clusterIP}:${t.port}: SCTP is not supported by the userspace proxy (TCP and UDP only); not proxied\n`,
    );
  for (const t of report.closed) process.stdout.write(`closed ${t.key}\n`);
  for (const { target: t, address } of report.opened) {
    const host = address.host.includes(':') ? `[${address.host}]` : address.host;
    const kind = t.kind === 'http' ? ' (http)' : '';
    process.stdout.write(`${t.key} ${t.clusterIP}:${t.port} -> ${host}:${address.port}${kind}\n`);
  }
  for (const f of report.failed) process.stderr.write(`error: ${errorText(f.error)}\n`);
}

export async function runProxy(flags: CheckedProxyFlags): Promise<void> {
  const { loadInput } = await import('./input.js');
  const loaded = await loadInput(flags.files);
  const config = await configFor(loaded.objects, flags.node);
  const { MemoryClusterStore } = await import('../cluster/memory-store.js');
  const { startUserspaceProxy } = await import('../proxy/userspace/service.js');
  const { seededRandom } = await import('../proxy/userspace/random.js');
  const { randomInt } = await import('node:crypto');
  const store = new MemoryClusterStore(loaded.objects);
  let portals: PortalInstaller | undefined;
  if (flags.netns !== undefined) {
    const { PortalInstaller, hostIPOfNamespace } = await import('./proxy-netns.js');
    const hostIP = flags.listenHost === '0.0.0.0' ? hostIPOfNamespace(flags.netns) : flags.listenHost;
    portals = new PortalInstaller(flags.netns, flags.listenHost, hostIP);
  }
  let dns: ProxyDns | undefined;
  if (flags.dnsListen) {
    const { startProxyDns } = await import('./proxy-dns.js');
    dns = await startProxyDns(store, flags.dnsListen, flags.netns === undefined);
  }
  const random = flags.seed !== undefined ? seededRandom(flags.seed) : () => randomInt(0, 2 ** 32) / 2 ** 32;
  const running = await startUserspaceProxy(store, {
    family: flags.listenHost.includes(':') ? 'IPv6' : 'IPv4',
    config,
    listenHost: flags.listenHost,
    strategy: flags.strategy,
    random,
    udpIdleTimeoutMs: flags.udpIdleTimeoutMs,
    l7Http: flags.l7Http,
    portMapFile: flags.portMap,
    follow: flags.watch,
    onEvent: (m) => process.stderr.write(`proxy: ${m}\n`),
    onReport: async (report, map, state) => {
      printReport(report);
      // Rules and names are in place before the map file says the proxy is up.
      await portals?.sync(state, map);
      await dns?.update(await store.list(), map);
    },
  }).catch(async (err: unknown) => {
    await dns?.close();
    throw err;
  });
  const ports = running.portMap().ports.length;
  process.stderr.write(
    `proxying ${ports} service port(s) on ${flags.listenHost}${flags.portMap ? `; port map in ${flags.portMap}` : ''}${flags.netns ? `; portal rules in ${flags.netns}` : ''}${dns ? `; cluster DNS on ${dns.where}` : ''}\n`,
  );
  const { watchManifests } = await import('./watch.js');
  const stopWatching = flags.watch ? await watchManifests(flags.files, store, 'proxy state') : () => {};
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  stopWatching();
  await running.close(DRAIN_MS);
  await portals?.remove();
  await dns?.close();
  process.stderr.write('proxy stopped\n');
}
