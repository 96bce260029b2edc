// One conformance suite for every IpamStore (memory, file, and later redis): each store's test file
// calls describeIpamStore with a factory. `reopen` (optional) gives a new handle on the same state,
// to check that state survives a restart.
import { describe, expect, test } from 'vitest';
import type { IpamStore } from '../../src/ipam/store.js';

export interface StoreFactory {
  create(): Promise<IpamStore>;
  reopen?(store: IpamStore): Promise<IpamStore>;
}

const o = (containerId: string, ifname = 'eth0') => ({ containerId, ifname });

export function describeIpamStore(name: string, factory: StoreFactory): void {
  describe(`IpamStore conformance: ${name}`, () => {
    test('reserve is exclusive and answers false for a taken address', async () => {
      const s = await factory.create();
      await s.withLock(async () => {
        expect(await s.reserve('10.0.0.2', o('a'), 0)).toBe(true);
        expect(await s.reserve('10.0.0.2', o('b'), 0)).toBe(false);
      });
      expect(await s.heldBy(o('a'))).toEqual(['10.0.0.2']);
      expect(await s.heldBy(o('b'))).toEqual([]);
    });

    test('the last reserved address is kept per range set', async () => {
      const s = await factory.create();
      expect(await s.lastReserved(0)).toBeUndefined();
      await s.withLock(async () => {
        await s.reserve('10.0.0.2', o('a'), 0);
        await s.reserve('fd00::2', o('a'), 1);
        await s.reserve('10.0.0.3', o('b'), 0);
      });
      expect(await s.lastReserved(0)).toBe('10.0.0.3');
      expect(await s.lastReserved(1)).toBe('fd00::2');
    });

    test('release frees an address and keeps the cursor; releasing a free address is fine', async () => {
      const s = await factory.create();
      await s.withLock(async () => {
        await s.reserve('10.0.0.2', o('a'), 0);
        await s.release('10.0.0.2');
        await s.release('10.0.0.2');
        expect(await s.reserve('10.0.0.2', o('b'), 0)).toBe(true);
      });
      expect(await s.lastReserved(0)).toBe('10.0.0.2');
    });

    test('releaseOwner frees exactly the attachment (container ID + ifname)', async () => {
      const s = await factory.create();
      await s.withLock(async () => {
        await s.reserve('10.0.0.2', o('a', 'eth0'), 0);
        await s.reserve('fd00::2', o('a', 'eth0'), 1);
        await s.reserve('10.0.0.3', o('a', 'net1'), 0);
        await s.reserve('10.0.0.4', o('b', 'eth0'), 0);
      });
      expect((await s.releaseOwner(o('a', 'eth0'))).sort()).toEqual(['10.0.0.2', 'fd00::2']);
      expect(await s.releaseOwner(o('a', 'eth0'))).toEqual([]);
      expect(await s.releaseOwner(o('unknown'))).toEqual([]);
      expect((await s.list()).map((h) => h.ip).sort()).toEqual(['10.0.0.3', '10.0.0.4']);
    });

    test('legacy id-only reservations are found and released through any ifname', async () => {
      const s = await factory.create();
      await s.withLock(() => s.reserve('10.0.0.9', o('old', ''), 0));
      expect(await s.heldBy(o('old', 'eth0'))).toEqual(['10.0.0.9']);
      expect(await s.releaseOwner(o('old', 'eth0'))).toEqual(['10.0.0.9']);
      expect(await s.list()).toEqual([]);
    });

    test('list shows every reservation with its owner', async () => {
      const s = await factory.create();
      await s.withLock(async () => {
        await s.reserve('10.0.0.2', o('a'), 0);
        await s.reserve('fd00::5', o('b', 'net1'), 1);
      });
      const list = (await s.list()).sort((x, y) => (x.ip < y.ip ? -1 : 1));
      expect(list).toEqual([
        { ip: '10.0.0.2', owner: o('a') },
        { ip: 'fd00::5', owner: o('b', 'net1') },
      ]);
    });

    test('withLock runs callers one at a time', async () => {
      const s = await factory.create();
      let inside = 0;
      let most = 0;
      await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          s.withLock(async () => {
            inside++;
            most = Math.max(most, inside);
            await new Promise((r) => setTimeout(r, 5));
            await s.reserve(`10.0.0.${10 + i}`, o(`c${i}`), 0);
            inside--;
          }),
        ),
      );
      expect(most).toBe(1);
      expect(await s.list()).toHaveLength(5);
    });

    test('an error inside withLock releases the lock', async () => {
      const s = await factory.create();
      await expect(s.withLock(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      expect(await s.withLock(async () => 'next')).toBe('next');
    });

    if (factory.reopen) {
      const reopen = factory.reopen;
      test('state survives a restart', async () => {
        const s = await factory.create();
        await s.withLock(async () => {
          await s.reserve('10.0.0.2', o('a'), 0);
          await s.reserve('10.0.0.3', o('b'), 0);
        });
        const again = await reopen(s);
        expect(await again.heldBy(o('a'))).toEqual(['10.0.0.2']);
        expect(await again.lastReserved(0)).toBe('10.0.0.3');
        expect(await again.withLock(() => again.reserve('10.0.0.3', o('c'), 0))).toBe(false);
      });
    }
  });
}
