// List-then-watch, as client-go's reflector does it: take a snapshot, then watch from its
// resourceVersion so no change between the two is lost. When the watch's position is gone (the store
// trimmed its history: "resourceVersion too old"), list again and hand the consumer the whole set as
// a resync instead of the events it missed.
import { ResourceVersionGoneError, StoreError } from '../errors.js';
import type { ClusterStore, StoreSnapshot, Watch, WatchEvent } from './store.js';

export interface InformerHandler {
  /** The whole set: once at start ("initial"), and again whenever the watch had to re-list ("resync"). */
  onSync(snapshot: StoreSnapshot, reason: 'initial' | 'resync'): void;
  /** One change after the last sync, in store order. */
  onEvent(event: WatchEvent): void;
  /** The store failed in a way re-listing cannot fix; the informer has stopped. */
  onError?(err: StoreError): void;
  /** The store's connection went away (false) or came back (true); the informer resumes by itself. */
  onConnection?(up: boolean, err?: unknown): void;
}

export interface Informer {
  /** The resourceVersion of the last sync or event handed over. */
  readonly resourceVersion: number;
  /** How many times the informer re-listed after losing its watch position. */
  readonly resyncs: number;
  stop(): void;
}

/** How many re-lists in a row may fail to find a watchable position before the informer gives up. */
const MAX_RELIST_ATTEMPTS = 5;

/** Start following `store`: resolves once the initial snapshot has been handed to `handler`. */
export async function startInformer(store: ClusterStore, handler: InformerHandler): Promise<Informer> {
  let watch: Watch | undefined;
  let stopped = false;
  let resourceVersion = 0;
  let resyncs = 0;

  const onEvent = (e: WatchEvent) => {
    if (stopped) return;
    resourceVersion = e.resourceVersion;
    handler.onEvent(e);
  };

  const listAndWatch = async (reason: 'initial' | 'resync'): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      const snapshot = await store.snapshot();
      if (stopped) return;
      resourceVersion = snapshot.resourceVersion;
      if (reason === 'resync') resyncs++;
      handler.onSync(snapshot, reason);
      try {
        watch = await store.watch(onEvent, {
          sinceResourceVersion: snapshot.resourceVersion,
          onClose,
          onConnection: (up, err) => handler.onConnection?.(up, err),
        });
        if (stopped) watch.stop();
        return;
      } catch (err) {
        // The history moved past the snapshot before the watch started: list again.
        if (!(err instanceof ResourceVersionGoneError) || attempt >= MAX_RELIST_ATTEMPTS) throw err;
        reason = 'resync';
      }
    }
  };

  const onClose = (err: StoreError) => {
    watch = undefined;
    if (stopped) return;
    const fail = (e: unknown) => {
      if (stopped) return;
      stopped = true;
      handler.onError?.(e instanceof StoreError ? e : new StoreError(String(e), { cause: e }));
    };
    if (!(err instanceof ResourceVersionGoneError)) return fail(err);
    listAndWatch('resync').catch(fail);
  };

  await listAndWatch('initial');
  return {
    get resourceVersion() {
      return resourceVersion;
    },
    get resyncs() {
      return resyncs;
    },
    stop() {
      stopped = true;
      watch?.stop();
    },
  };
}
