// The iptables mode's syncer (bench, serve): the cleanup clock comes in with each sync and lives in
// the memo, so in large-cluster mode stale chains are deleted at most once per syncPeriod (30 s),
// and a memo stays valid after a sync from it (a failed apply is retried from it).
import { describe, expect, test } from 'vitest';
import { loadManifests } from '../../../src/cluster/load.js';
import { resolveProxyConfig } from '../../../src/proxy/config.js';
import { iptablesMode } from '../../../src/proxy/iptables/mode.js';
import { ProxyTracker } from '../../../src/proxy/state.js';
import { FULL_SYNC } from '../../../src/proxy/types.js';
import { fixture } from '../../support/cli.js';

const dir = (f: string) => fixture('upstream-iptables', 'large-cluster', f);

async function largeCluster() {
  const objects = (await loadManifests([dir('above.yaml'), dir('svc4.yaml')])).objects;
  const tracker = new ProxyTracker('IPv4', resolveProxyConfig(objects));
  for (const o of objects) tracker.upsert(o);
  const syncer = iptablesMode.createSyncer({ family: 'IPv4', profile: 'kube-proxy-test', format: 'text' });
  return { objects, tracker, syncer };
}

const deletes = (text: string) => text.split('\n').filter((l) => l.startsWith('-X '));

describe('iptables syncer', () => {
  test('large-cluster mode: a deleted Service keeps its chains until 30 s after the last cleanup', async () => {
    const { objects, tracker, syncer } = await largeCluster();
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const first = syncer.sync(tracker.sync().state, FULL_SYNC, syncer.initialMemo, t0);
    for (const o of objects) if (o.kind === 'Service' && o.metadata.name === 'svc4') tracker.delete(o);
    const next = tracker.sync();
    const soon = syncer.sync(next.state, next.changes, first.memo, t0 + 1000);
    expect(deletes(soon.payloads[0]!.text)).toEqual([]);
    const later = tracker.sync();
    const due = syncer.sync(later.state, later.changes, soon.memo, t0 + 31_000);
    expect(deletes(due.payloads[0]!.text)).toEqual(['-X KUBE-SEP-SU5STNODRYEWJAUF', '-X KUBE-SVC-EBDQOQU5SJFXRIL3']);
  });

  test('a memo stays valid: syncing twice from it gives the same payload and the same next memo', async () => {
    const { objects, tracker, syncer } = await largeCluster();
    const base = syncer.sync(tracker.sync().state, FULL_SYNC, syncer.initialMemo, 0).memo;
    for (const o of objects) if (o.kind === 'Service' && o.metadata.name === 'svc4') tracker.delete(o);
    const next = tracker.sync();
    const once = syncer.sync(next.state, next.changes, base, 40_000);
    const again = syncer.sync(next.state, next.changes, base, 40_000);
    expect(again.payloads).toEqual(once.payloads);
    expect(deletes(once.payloads[0]!.text)).toHaveLength(2);
    // And a different change from the same base is not spoiled by the first one.
    const idle = syncer.sync(next.state, { full: false, services: new Set() }, base, 40_000);
    expect(deletes(idle.payloads[0]!.text)).toEqual([]);
  });
});
