// `kubeplane store load|apply|delete -f FILES --store URL` and `kubeplane store dump --store URL`:
// write manifests into a shared (Redis) ClusterStore, and read it back as YAML that -f loads again.
import type { Command } from 'commander';
import type { ClusterStore } from '../cluster/store.js';
import type { ClusterObject } from '../cluster/types.js';
import { UsageError } from '../errors.js';
import { collect, writeOutput } from './io.js';
import { STORE_FLAG } from './store-input.js';

interface StoreFlags {
  file?: string[];
  store?: string;
  out?: string;
}

const STORE_URL_HELP = 'the store: redis://HOST:PORT/DB[?prefix=NAME] or redis+cluster://HOST:PORT,...';

async function withStore<T>(flags: StoreFlags, work: (store: ClusterStore) => Promise<T>): Promise<T> {
  if (flags.store === undefined) throw new UsageError('--store is required (e.g. --store redis://127.0.0.1:6379/0)');
  const { openObjects } = await import('./store-input.js');
  const { store } = await openObjects({ store: flags.store });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Validate every -f object before the store is touched: nothing is half-applied. */
async function inputObjects(flags: StoreFlags): Promise<ClusterObject[]> {
  const { loadInput } = await import('./input.js');
  return (await loadInput(flags.file)).objects;
}

function summary(verb: string, n: number, rv: number | undefined): string {
  return `${verb} ${n} object(s)${rv !== undefined ? ` at resourceVersion ${rv}` : ''}\n`;
}

export function registerStore(program: Command): void {
  const store = program.command('store').description('write manifests into a shared cluster store, or dump it');
  const files = (c: Command) =>
    c
      .option('-f, --file <path>', 'manifest file, directory, or - for stdin (repeatable)', collect)
      .option(STORE_FLAG, STORE_URL_HELP);

  files(store.command('load').description('make the store hold exactly the -f objects (one atomic change)')).action(
    async (flags: StoreFlags) => {
      const objects = await inputObjects(flags);
      const rv = await withStore(flags, (s) => s.replace(objects));
      process.stderr.write(summary('loaded', objects.length, rv));
    },
  );

  files(store.command('apply').description('add or update the -f objects (one atomic change)')).action(
    async (flags: StoreFlags) => {
      const objects = await inputObjects(flags);
      const rv = await withStore(flags, (s) => s.upsert(objects));
      process.stderr.write(summary('applied', objects.length, rv));
    },
  );

  files(store.command('delete').description('delete the -f objects from the store (missing ones are ignored)')).action(
    async (flags: StoreFlags) => {
      const objects = await inputObjects(flags);
      const { objectKey } = await import('../cluster/types.js');
      const { deleted, rv } = await withStore(flags, async (s) => {
        let n = 0;
        let last: number | undefined;
        for (const o of objects) {
          const r = await s.delete(o.kind, objectKey(o));
          if (r !== undefined) {
            n++;
            last = r;
          }
        }
        return { deleted: n, rv: last };
      });
      process.stderr.write(summary('deleted', deleted, rv));
    },
  );

  store
    .command('dump')
    .description('print every object in the store as YAML (what -f reads back)')
    .option(STORE_FLAG, STORE_URL_HELP)
    .option('-o, --out <file>', 'write here instead of stdout')
    .action(async (flags: StoreFlags) => {
      const snap = await withStore(flags, (s) => s.snapshot());
      const { dumpObjects } = await import('../cluster/dump.js');
      await writeOutput(await dumpObjects(snap.objects, snap.resourceVersion), flags.out);
    });
}
