// A running userspace proxy: a ClusterStore followed into a ProxyTracker (every watch event folded in,
// synced on the next tick), the proxier's listeners, and the port map file rewritten whenever it
// changes. The library entry point behind `kubeplane proxy`; it reports through `onReport`, never prints.
import type { ClusterStore, Watch } from '../../cluster/store.js';
import type { IPFamily } from '../../cluster/types.js';
import type { ProxyConfig } from '../config.js';
import { type ProxyState, ProxyTracker } from '../state.js';
import type { PortMap } from './port-map.js';
import { writePortMap } from './port-map-file.js';
import { type ProxierOptions, type SyncReport, UserspaceProxier } from './proxier.js';
import { appProtocolsOf, proxyTargets } from './targets.js';

export interface UserspaceProxyOptions extends ProxierOptions {
  readonly family: IPFamily;
  readonly config: ProxyConfig;
  readonly l7Http: boolean;
  /** Where to write the port map (atomically) once every listener is up, and after each change. */
  readonly portMapFile?: string | undefined;
  /** Follow store events after start-up (`--watch`). */
  readonly follow: boolean;
  /**
   * After each sync, before the port map file is written (awaited: what it sets up, such as portal
   * rules or the DNS view, is in place once the map appears). `state` is what was synced.
   */
  readonly onReport?: (report: SyncReport, map: PortMap, state: ProxyState) => void | Promise<void>;
  /** The port map after each change that altered it (the DNS rewrite follows it). */
  readonly onPortMap?: (map: PortMap) => void;
}

export interface RunningProxy {
  readonly proxier: UserspaceProxier;
  portMap(): PortMap;
  /** Resolves once every sync scheduled so far has been applied. */
  settled(): Promise<void>;
  close(drainMs: number): Promise<void>;
}

export async function startUserspaceProxy(store: ClusterStore, options: UserspaceProxyOptions): Promise<RunningProxy> {
  const tracker = new ProxyTracker(options.family, options.config);
  const proxier = new UserspaceProxier(options);
  const snapshot = await store.snapshot();
  for (const o of snapshot.objects) tracker.upsert(o);

  let first = true;
  const syncOnce = async () => {
    const { state } = tracker.sync();
    const services = await store.list('Service');
    const report = await proxier.sync(proxyTargets(state, appProtocolsOf(services), { l7Http: options.l7Http }));
    const map = proxier.portMap();
    // Reported before the map is written: the map file is the signal that everything is up.
    await options.onReport?.(report, map, state);
    if (report.mapChanged || first) {
      first = false;
      if (options.portMapFile) await writePortMap(options.portMapFile, map);
      options.onPortMap?.(map);
    }
  };
  try {
    await syncOnce();
  } catch (err) {
    // Nothing half-started: listeners that opened are closed again.
    await proxier.close(0);
    throw err;
  }

  let pending: Promise<void> = Promise.resolve();
  let scheduled = false;
  let watch: Watch | undefined;
  if (options.follow) {
    watch = await store.watch(
      (event) => {
        tracker.apply(event);
        if (scheduled) return;
        scheduled = true;
        // Events of one reload arrive together; one sync takes them all.
        pending = pending.then(
          () =>
            new Promise<void>((resolve) =>
              setImmediate(() => {
                scheduled = false;
                syncOnce().then(resolve, (err: unknown) => {
                  options.onEvent?.(`sync failed: ${err instanceof Error ? err.message : String(err)}`);
                  resolve();
                });
              }),
            ),
        );
      },
      { sinceResourceVersion: snapshot.resourceVersion },
    );
  }
  return {
    proxier,
    portMap: () => proxier.portMap(),
    settled: () => pending,
    async close(drainMs) {
      watch?.stop();
      await pending;
      await proxier.close(drainMs);
    },
  };
}
