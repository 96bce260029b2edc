// One conformance suite for every ClusterStore implementation (like undici's cacheStoreTests).
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { ClusterStore, WatchEvent } from '../../src/cluster/store.js';
import type { ClusterObject, Service } from '../../src/cluster/types.js';

function service(name: string, ip: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'app' },
    spec: { clusterIP: ip, ports: [{ name: 'http', port: 80 }] },
  };
}

const node: ClusterObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } };

export function clusterStoreConformance(name: string, open: () => Promise<ClusterStore>): void {
  describe(`${name} ClusterStore conformance`, () => {
    let store: ClusterStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
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
