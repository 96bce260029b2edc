// The iptables mode's sync renderer (bench, serve): it keeps kube-proxy's cleanup clock, so in
// large-cluster mode stale chains are deleted at most once per syncPeriod (30 s by default).
import { afterEach, describe, expect, test, vi } from 'vitest';
import { loadManifests } from '../../../src/cluster/load.js';
import { resolveProxyConfig } from '../../../src/proxy/config.js';
import { createIptablesSyncRenderer } from '../../../src/proxy/iptables/mode.js';
import { ProxyTracker } from '../../../src/proxy/state.js';
import { FULL_SYNC } from '../../../src/proxy/types.js';
import { fixture } from '../../support/cli.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('createIptablesSyncRenderer', () => {
  test('large-cluster mode: a deleted Service keeps its chains until 30 s after the last cleanup', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const dir = (f: string) => fixture('upstream-iptables', 'large-cluster', f);
    const objects = (await loadManifests([dir('above.yaml'), dir('svc4.yaml')])).objects;
    const config = resolveProxyConfig(objects);
    const renderer = createIptablesSyncRenderer({ config, family: 'IPv4', profile: 'kube-proxy-test', format: 'text' });
    const tracker = new ProxyTracker('IPv4', config);
    for (const o of objects) tracker.upsert(o);
    renderer.sync(tracker.sync().state, FULL_SYNC);
    for (const o of objects) if (o.kind === 'Service' && o.metadata.name === 'svc4') tracker.delete(o);
    const next = tracker.sync();
    expect(renderer.sync(next.state, next.changes).payload).not.toContain('-X ');
    vi.setSystemTime(new Date('2026-01-01T00:00:31Z'));
    const later = tracker.sync();
    const deleted = renderer
      .sync(later.state, later.changes)
      .payload.split('\n')
      .filter((l) => l.startsWith('-X '));
    expect(deleted).toEqual(['-X KUBE-SEP-SU5STNODRYEWJAUF', '-X KUBE-SVC-EBDQOQU5SJFXRIL3']);
  });
});
