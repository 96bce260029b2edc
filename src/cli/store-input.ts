// Where a command's cluster objects come from: -f manifests, or --store URL (a Redis ClusterStore
// shared with other processes). One helper for every command that takes -f, so they all accept both.
import type { LoadedManifests } from '../cluster/load.js';
import type { ClusterStore } from '../cluster/store.js';
import { UsageError } from '../errors.js';

export interface ObjectsSource {
  /** -f values. */
  file?: readonly string[] | undefined;
  /** --store value: redis://HOST:PORT/DB[?prefix=NAME] or redis+cluster://HOST:PORT,... */
  store?: string | undefined;
}

export const STORE_FLAG = '--store <url>';
export const STORE_HELP =
  'read the cluster from a store instead of -f: redis://HOST:PORT/DB or redis+cluster://HOST:PORT,...';

function check(src: ObjectsSource, flag: string): void {
  if (src.store !== undefined && src.file && src.file.length > 0)
    throw new UsageError(`${flag} and --store both given; the objects come from one of them`);
}

async function openRedis(url: string): Promise<ClusterStore & { readonly target: { display: string } }> {
  const { parseRedisUrl, RedisUrlError } = await import('../cluster/redis-url.js');
  let target: ReturnType<typeof parseRedisUrl>;
  try {
    target = parseRedisUrl(url);
  } catch (err) {
    if (err instanceof RedisUrlError) throw new UsageError(`--store: ${err.message}`);
    throw err;
  }
  const { RedisClusterStore } = await import('../cluster/redis-store.js');
  return RedisClusterStore.open(target);
}

/**
 * The objects of `-f FILES` or of `--store URL` (one consistent snapshot), in loadInput's shape:
 * commands call this instead of loadInput to take either.
 */
export async function loadObjects(src: ObjectsSource, flag = '-f/--file'): Promise<LoadedManifests> {
  check(src, flag);
  if (src.store === undefined) {
    const { loadInput } = await import('./input.js');
    return loadInput(src.file, flag);
  }
  const store = await openRedis(src.store);
  try {
    const snap = await store.snapshot();
    const counts: Record<string, number> = {};
    for (const o of snap.objects) counts[o.kind] = (counts[o.kind] ?? 0) + 1;
    return {
      objects: snap.objects,
      counts,
      skipped: {},
      mirroredEndpoints: 0,
      warnings: [],
      files: [store.target.display],
    };
  } finally {
    await store.close();
  }
}

/**
 * A live store for a long-running command: the Redis store itself for --store (followed by watch),
 * or a memory store filled from -f. `files` says whether -f was used (for --watch).
 */
export async function openObjects(
  src: ObjectsSource,
  flag = '-f/--file',
): Promise<{ store: ClusterStore; source: 'files' | 'store' }> {
  check(src, flag);
  if (src.store !== undefined) return { store: await openRedis(src.store), source: 'store' };
  const { loadInput } = await import('./input.js');
  const loaded = await loadInput(src.file, flag);
  const { MemoryClusterStore } = await import('../cluster/memory-store.js');
  return { store: new MemoryClusterStore(loaded.objects), source: 'files' };
}
