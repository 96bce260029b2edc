// One conformance suite for every ClusterStore implementation (like undici's cacheStoreTests).
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startInformer } from '../../src/cluster/informer.js';
import type { ClusterStore, StoreSnapshot, WatchEvent } from '../../src/cluster/store.js';
import type { ClusterObject, Service } from '../../src/cluster/types.js';
import { objectKey } from '../../src/cluster/types.js';
import { ResourceVersionGoneError } from '../../src/errors.js';

function service(name: string, ip: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'app' },
    spec: { clusterIP: ip, ports: [{ name: 'http', port: 80 }] },
  };
}

const node: ClusterObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } };

const labelled = (name: string, gen: number): Service => ({
  ...service(name, '10.96.0.1'),
  metadata: { name, namespace: 'app', labels: { gen: String(gen) } },
});

/** Options a store under test must honour; a fresh, empty store each time. */
export interface OpenOptions {
  /** How many past events the store keeps for watches that resume (its history or stream length). */
  historyLimit?: number;
}

export function clusterStoreConformance(name: string, open: (options?: OpenOptions) => Promise<ClusterStore>): void {
  describe(`${name} ClusterStore conformance`, () => {
    let store: ClusterStore;
    const extra: ClusterStore[] = [];
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
      for (const s of extra.splice(0)) await s.close();
    });

    test('upsert then get and list by kind', async () => {
      await store.upsert([service('a', '10.96.0.1'), node]);
      expect(await store.get('Service', 'app/a')).toEqual(service('a', '10.96.0.1'));
      expect(await store.get('Node', 'n1')).toEqual(node);
      expect((await store.list('Service')).map((o) => o.metadata?.name)).toEqual(['a']);
      expect(await store.list()).toHaveLength(2);
    });

    test('resourceVersion increases with every change; a batch is one version', async () => {
      const rv1 = await store.upsert([service('a', '10.96.0.1'), service('b', '10.96.0.2')]);
      const rv2 = await store.upsert([service('a', '10.96.0.3')]);
      expect(rv2).toBeGreaterThan(rv1);
      const rv3 = await store.delete('Service', 'app/b');
      expect(rv3).toBeGreaterThan(rv2);
      expect((await store.snapshot()).resourceVersion).toBe(rv3);
    });

    test('deleting a missing object returns undefined and changes nothing', async () => {
      const rv = await store.upsert([node]);
      expect(await store.delete('Service', 'app/none')).toBeUndefined();
      expect((await store.snapshot()).resourceVersion).toBe(rv);
    });

    test('watch delivers ADDED, MODIFIED and DELETED in order', async () => {
      const events: WatchEvent[] = [];
      const w = await store.watch((e) => events.push(e));
      await store.upsert([service('a', '10.96.0.1')]);
      await store.upsert([service('a', '10.96.0.2')]);
      await store.delete('Service', 'app/a');
      await waitFor(() => events.length >= 3);
      w.stop();
      expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
      expect((events[1]!.object as Service).spec.clusterIP).toBe('10.96.0.2');
      expect(events[2]!.object.metadata?.name).toBe('a');
    });

    test('watch from a resourceVersion replays what came after it', async () => {
      const rv = await store.upsert([service('a', '10.96.0.1')]);
      await store.upsert([service('b', '10.96.0.2')]);
      const events: WatchEvent[] = [];
      const w = await store.watch((e) => events.push(e), { sinceResourceVersion: rv });
      await waitFor(() => events.length >= 1);
      w.stop();
      expect(events.map((e) => e.object.metadata?.name)).toEqual(['b']);
    });

    test('replace makes the set exactly the given objects under one resourceVersion', async () => {
      await store.upsert([service('a', '10.96.0.1'), service('b', '10.96.0.2'), node]);
      const events: WatchEvent[] = [];
      const w = await store.watch((e) => events.push(e));
      const rv = await store.replace([service('a', '10.96.0.1'), service('b', '10.96.0.9'), service('c', '10.96.0.3')]);
      await waitFor(() => events.length >= 3);
      w.stop();
      const seen = events.map((e) => `${e.type} ${e.object.kind}/${e.object.metadata?.name}`).sort();
      expect(seen).toEqual(['ADDED Service/c', 'DELETED Node/n1', 'MODIFIED Service/b']);
      expect(new Set(events.map((e) => e.resourceVersion))).toEqual(new Set([rv]));
      const snap = await store.snapshot();
      expect(snap.resourceVersion).toBe(rv);
      expect(snap.objects.map((o) => `${o.kind}/${objectKey(o)}`).sort()).toEqual([
        'Service/app/a',
        'Service/app/b',
        'Service/app/c',
      ]);
      expect(((await store.get('Service', 'app/b')) as Service).spec.clusterIP).toBe('10.96.0.9');
    });

    test('replace with the same set changes nothing', async () => {
      const rv = await store.upsert([service('a', '10.96.0.1'), node]);
      expect(await store.replace([node, service('a', '10.96.0.1')])).toBe(rv);
      expect(await store.replace([])).toBeGreaterThan(rv);
      expect(await store.list()).toEqual([]);
    });

    test('the events of one batch share its resourceVersion and arrive together, in order', async () => {
      const events: WatchEvent[] = [];
      const w = await store.watch((e) => events.push(e));
      const rv1 = await store.upsert([service('a', '10.96.0.1'), service('b', '10.96.0.2'), service('c', '10.96.0.3')]);
      const rv2 = await store.upsert([service('d', '10.96.0.4')]);
      await waitFor(() => events.length >= 4);
      w.stop();
      expect(events.map((e) => [e.object.metadata?.name, e.resourceVersion])).toEqual([
        ['a', rv1],
        ['b', rv1],
        ['c', rv1],
        ['d', rv2],
      ]);
    });

    test('a snapshot never shows half a batch', async () => {
      const names = ['a', 'b', 'c', 'd'];
      const writes = (async () => {
        for (let gen = 1; gen <= 40; gen++) await store.upsert(names.map((n) => labelled(n, gen)));
      })();
      const snapshots: StoreSnapshot[] = [];
      for (let i = 0; i < 40; i++) snapshots.push(await store.snapshot());
      await writes;
      snapshots.push(await store.snapshot());
      for (const s of snapshots) {
        const gens = new Set(s.objects.map((o) => o.metadata?.labels?.gen));
        expect(gens.size, `snapshot at ${s.resourceVersion}`).toBeLessThanOrEqual(1);
        if (s.objects.length > 0) expect(s.objects).toHaveLength(names.length);
      }
      expect(snapshots.at(-1)!.objects[0]!.metadata?.labels?.gen).toBe('40');
    });

    test('snapshot then watch from its resourceVersion: every change exactly once, none lost', async () => {
      const writes = (async () => {
        for (let i = 0; i < 60; i++) {
          await store.upsert([service(`s${i % 7}`, `10.96.1.${i}`)]);
          if (i % 5 === 4) await store.delete('Service', `app/s${(i + 3) % 7}`);
        }
      })();
      await new Promise((r) => setTimeout(r, 1));
      const snap = await store.snapshot();
      const state = new Map(snap.objects.map((o) => [objectKey(o), o]));
      const events: WatchEvent[] = [];
      const w = await store.watch((e) => events.push(e), { sinceResourceVersion: snap.resourceVersion });
      await writes;
      const final = await store.snapshot();
      await waitFor(() => (events.at(-1)?.resourceVersion ?? snap.resourceVersion) >= final.resourceVersion);
      w.stop();
      for (const e of events) {
        expect(e.resourceVersion).toBeGreaterThan(snap.resourceVersion);
        if (e.type === 'DELETED') state.delete(objectKey(e.object));
        else state.set(objectKey(e.object), e.object);
      }
      const rvs = events.map((e) => e.resourceVersion);
      expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
      const byKey = (a: ClusterObject, b: ClusterObject) => (objectKey(a) < objectKey(b) ? -1 : 1);
      expect([...state.values()].sort(byKey)).toEqual(final.objects.sort(byKey));
    });

    test('watching from a resourceVersion the store no longer keeps is "410 Gone"', async () => {
      const small = await open({ historyLimit: 3 });
      extra.push(small);
      const first = await small.upsert([service('a', '10.96.0.1')]);
      for (let i = 2; i <= 10; i++) await small.upsert([service('a', `10.96.0.${i}`)]);
      const err = await small.watch(() => {}, { sinceResourceVersion: first }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ResourceVersionGoneError);
      expect((err as ResourceVersionGoneError).code).toBe('KP_STORE_GONE');
      expect((err as ResourceVersionGoneError).resourceVersion).toBe(first);
      // The last kept events can still be resumed from.
      const latest = (await small.snapshot()).resourceVersion;
      const events: WatchEvent[] = [];
      const w = await small.watch((e) => events.push(e), { sinceResourceVersion: latest - 2 });
      await waitFor(() => events.length >= 2);
      w.stop();
      expect(events.map((e) => e.resourceVersion)).toEqual([latest - 1, latest]);
    });

    test('an informer hands over the snapshot, then every later change', async () => {
      await store.upsert([service('a', '10.96.0.1'), node]);
      const syncs: [string, number][] = [];
      const events: WatchEvent[] = [];
      const informer = await startInformer(store, {
        onSync: (s, reason) => syncs.push([reason, s.objects.length]),
        onEvent: (e) => events.push(e),
      });
      expect(syncs).toEqual([['initial', 2]]);
      const rv = await store.upsert([service('b', '10.96.0.2')]);
      await store.delete('Node', 'n1');
      await waitFor(() => events.length >= 2);
      expect(events.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
      expect(informer.resourceVersion).toBeGreaterThan(rv);
      informer.stop();
      await store.upsert([node]);
      await new Promise((r) => setTimeout(r, 50));
      expect(events).toHaveLength(2);
    });

    test('a stopped watch receives nothing more', async () => {
      const events: WatchEvent[] = [];
      const w = await store.watch((e) => events.push(e));
      w.stop();
      await store.upsert([node]);
      await new Promise((r) => setTimeout(r, 50));
      expect(events).toHaveLength(0);
    });
  });
}

async function waitFor(ok: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out waiting for watch events');
    await new Promise((r) => setTimeout(r, 5));
  }
}
