// `--watch` for commands that serve the -f manifests (dns serve, proxy): re-read them on change and
// bring the store in line, so its watchers see the difference. The only printing is the reload line.
import type { ClusterStore } from '../cluster/store.js';

/** Reload on change; validate first, keep the old zone on error. Returns a stop function. */
export async function watchManifests(
  paths: readonly string[],
  store: ClusterStore,
  /** What a failed reload keeps ("zone", "proxy state"). */
  kept: string,
): Promise<() => void> {
  const { watch } = await import('node:fs');
  const { loadManifests } = await import('../cluster/load.js');
  const { syncStore } = await import('../dns/reload.js');
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const reload = () => {
    running = running.then(async () => {
      try {
        const loaded = await loadManifests(paths);
        const r = await syncStore(store, loaded.objects);
        process.stderr.write(`reloaded: ${r.upserted} changed, ${r.deleted} deleted\n`);
      } catch (err) {
        process.stderr.write(
          `reload failed, keeping the previous ${kept}:\n${err instanceof Error ? err.message : String(err)}\n`,
        );
      }
    });
  };
  const { statSync } = await import('node:fs');
  const { basename, dirname } = await import('node:path');
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(reload, 200);
  };
  // A file is watched through its directory, so editors that save by renaming a new file into
  // place are seen too; a directory is watched with everything below it.
  const watchers = paths
    .filter((p) => p !== '-')
    .map((p) => {
      if (statSync(p).isDirectory()) return watch(p, { recursive: true }, schedule);
      const name = basename(p);
      return watch(dirname(p), (_event, file) => {
        if (file === null || file === name) schedule();
      });
    });
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
