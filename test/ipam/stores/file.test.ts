import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { allocateAll, collectGarbage, releaseAll } from '../../../src/ipam/allocator.js';
import { parseRangeSet } from '../../../src/ipam/range-set.js';
import { FileIpamStore } from '../../../src/ipam/stores/file.js';
import { describeIpamStore } from '../store.conformance.js';

const root = mkdtempSync(join(tmpdir(), 'kp-ipam-file-'));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeIpamStore('file', {
  create: async () => new FileIpamStore(join(root, `conf-${n++}`), 'net'),
  reopen: async (s) => new FileIpamStore(join((s as FileIpamStore).dir, '..'), 'net'),
});

const sets = [parseRangeSet([{ subnet: '10.1.2.0/24' }], 'r')];
const o = (containerId: string, ifname = 'eth0') => ({ containerId, ifname });

describe('file store layout and repair', () => {
  test('host-local layout: <ip> files with "<id>\\r\\n<ifname>", last_reserved_ip.0, lock', async () => {
    const s = new FileIpamStore(join(root, 'layout'), 'net');
    await allocateAll(s, sets, o('c1'));
    const files = readdirSync(s.dir).sort();
    expect(files).toEqual(['.kubeplane', '10.1.2.2', 'last_reserved_ip.0', 'lock']);
    expect(readFileSync(join(s.dir, '10.1.2.2'), 'utf8')).toBe('c1\r\neth0');
    expect(readFileSync(join(s.dir, 'last_reserved_ip.0'), 'utf8')).toBe('10.1.2.2');
  });

  test('a shorter cursor overwrites a longer one cleanly', async () => {
    const s = new FileIpamStore(join(root, 'cursor'), 'net');
    await s.withLock(async () => {
      await s.reserve('10.1.2.100', o('a'), 0);
      await s.reserve('10.1.2.5', o('b'), 0);
    });
    expect(readFileSync(join(s.dir, 'last_reserved_ip.0'), 'utf8')).toBe('10.1.2.5');
  });

  test('a data dir written by host-local is indexed on first use: DEL finds its allocations', async () => {
    const dir = join(root, 'foreign', 'net');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '10.1.2.7'), 'old\r\neth0');
    writeFileSync(join(dir, '10.1.2.8'), 'legacy');
    writeFileSync(join(dir, 'last_reserved_ip.0'), '10.1.2.8');
    const s = new FileIpamStore(join(root, 'foreign'), 'net');
    expect(await releaseAll(s, o('old'))).toEqual(['10.1.2.7']);
    expect(await releaseAll(s, o('legacy', 'eth9'))).toEqual(['10.1.2.8']);
    const got = await allocateAll(s, sets, o('new'));
    expect(got.map((a) => a.ip.value & 255n)).toEqual([9n]);
  });

  test('an empty address file (a claim killed before its write) is taken over by the next ADD and freed by GC', async () => {
    const s = new FileIpamStore(join(root, 'empty'), 'net');
    await allocateAll(s, sets, o('a')); // 10.1.2.2, cursor there
    writeFileSync(join(s.dir, '10.1.2.3'), ''); // the crash leftover, where the cursor goes next
    const got = await allocateAll(s, sets, o('b'));
    expect(got[0]!.ip.value & 255n).toBe(3n);
    expect(readFileSync(join(s.dir, '10.1.2.3'), 'utf8')).toBe('b\r\neth0');
    writeFileSync(join(s.dir, '10.1.2.200'), '');
    const gc = await collectGarbage(s, [o('a'), o('b')]);
    expect(gc.released).toEqual(['10.1.2.200']);
    expect(existsSync(join(s.dir, 'lock'))).toBe(true);
    expect(existsSync(join(s.dir, 'last_reserved_ip.0'))).toBe(true);
  });

  test('an ADD whose second range set is full leaves no file behind', async () => {
    const s = new FileIpamStore(join(root, 'rollback'), 'net');
    const dual = [parseRangeSet([{ subnet: '10.1.2.0/24' }], 'r0'), parseRangeSet([{ subnet: 'fd00::/126' }], 'r1')];
    await allocateAll(s, dual, o('a'));
    await allocateAll(s, dual, o('b'));
    await expect(allocateAll(s, dual, o('c'))).rejects.toThrow('failed to allocate for range 1');
    expect(
      readdirSync(s.dir)
        .filter((f) => /^[0-9a-f:.]+$/.test(f) && f !== 'lock')
        .sort(),
    ).toEqual(['10.1.2.2', '10.1.2.3', 'fd00::2', 'fd00::3']);
  });

  test('an index deleted from outside (a tool walking the data dir) is rebuilt before use', async () => {
    const s = new FileIpamStore(join(root, 'wiped'), 'net');
    await allocateAll(s, sets, o('a'));
    const owners = join(s.dir, '.kubeplane', 'owners');
    for (const f of readdirSync(owners)) rmSync(join(owners, f));
    expect(await releaseAll(s, o('a'))).toEqual(['10.1.2.2']);
  });

  test('many ADD/DEL cycles of one bucket stay correct across index compaction', async () => {
    const s = new FileIpamStore(join(root, 'compact'), 'net');
    const big = [parseRangeSet([{ subnet: '10.9.0.0/16' }], 'r')];
    // The same attachment again and again (a long ID makes lines long): its bucket grows past 16 KiB
    // until compaction rewrites it.
    const same = `same-${'x'.repeat(200)}`;
    for (let i = 0; i < 120; i++) {
      await allocateAll(s, big, o(same));
      expect(await releaseAll(s, o(same))).toHaveLength(1);
    }
    await allocateAll(s, big, o(same));
    const bucketDir = join(s.dir, '.kubeplane', 'owners');
    const sizes = readdirSync(bucketDir).map((f) => readFileSync(join(bucketDir, f)).length);
    expect(Math.max(...sizes)).toBeLessThan(20 * 1024);
    expect(await releaseAll(s, o(same))).toHaveLength(1);
  });
});

describe('file store: a directory changed by someone else since our last operation', () => {
  test('an address file written after our index was built is found by DEL, CHECK and the duplicate check', async () => {
    const s = new FileIpamStore(join(root, 'later'), 'net');
    await allocateAll(s, sets, o('ours')); // index built, 10.1.2.2
    writeFileSync(join(s.dir, '10.1.2.50'), 'theirs\r\neth0'); // as host-local writes it, outside our lock
    writeFileSync(join(s.dir, '10.1.2.51'), ' legacy \n'); // an id-only record with stray whitespace
    await expect(allocateAll(s, sets, o('theirs'))).rejects.toThrow(
      '10.1.2.50 has been allocated to theirs, duplicate allocation is not allowed',
    );
    expect(await s.withLock(() => s.heldBy(o('legacy')))).toEqual(['10.1.2.51']);
    expect(await releaseAll(s, o('theirs'))).toEqual(['10.1.2.50']);
    expect(await releaseAll(s, o('legacy'))).toEqual(['10.1.2.51']);
    expect(existsSync(join(s.dir, '10.1.2.50')) || existsSync(join(s.dir, '10.1.2.51'))).toBe(false);
  });

  test('a rescan keeps the intent of a claim killed before its write, so that owner’s DEL still frees it', async () => {
    const s = new FileIpamStore(join(root, 'rescan-empty'), 'net');
    await allocateAll(s, sets, o('a'));
    await s.withLock(async () => {
      // what reserve() does before a kill -9 between claim and write: note the owner, create the file
      (s as unknown as { owners: { note(ip: string, owner: object): void } }).owners.note('10.1.2.9', o('killed'));
    });
    writeFileSync(join(s.dir, '10.1.2.9'), ''); // the claim, made "later" (the directory changes: rescan)
    writeFileSync(join(s.dir, '10.1.2.10'), 'other\r\neth0');
    expect(await releaseAll(s, o('other'))).toEqual(['10.1.2.10']); // this operation rescans
    await releaseAll(s, o('killed'));
    expect(existsSync(join(s.dir, '10.1.2.9'))).toBe(false);
  });

  test('our own operations keep the index (no rescan); a foreign change triggers exactly one', async () => {
    const s = new FileIpamStore(join(root, 'no-rescan'), 'net');
    // A rebuild replaces the whole index directory: a file of ours planted in it shows whether one ran.
    const probe = () => join(s.dir, '.kubeplane', 'owners', 'probe');
    await allocateAll(s, sets, o('a'));
    writeFileSync(probe(), '');
    await allocateAll(new FileIpamStore(join(root, 'no-rescan'), 'net'), sets, o('b')); // as a new process would
    await releaseAll(s, o('a'));
    expect(existsSync(probe())).toBe(true);
    writeFileSync(join(s.dir, '10.1.2.99'), 'x\r\neth0'); // someone else's allocation
    await releaseAll(s, o('nobody'));
    expect(existsSync(probe())).toBe(false);
    writeFileSync(probe(), '');
    await allocateAll(s, sets, o('c'));
    expect(existsSync(probe())).toBe(true);
  });

  test('a cursor with a trailing newline is not an address (host-local restarts at rangeStart)', async () => {
    const s = new FileIpamStore(join(root, 'cursor-nl'), 'net');
    await allocateAll(s, sets, o('a')); // .2
    writeFileSync(join(s.dir, 'last_reserved_ip.0'), '10.1.2.40\n');
    const got = await allocateAll(s, sets, o('b'));
    expect(got[0]!.ip.value & 255n).toBe(3n);
  });
});
