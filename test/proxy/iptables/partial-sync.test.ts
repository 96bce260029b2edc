// Partial syncs, checked without a kernel: a small model of `iptables-restore --noflush` (a chain
// line creates or flushes a chain, -A appends, -X deletes) applies each partial payload on top of
// what the previous syncs left, and the result must equal a fresh full sync of the same state.
import { describe, expect, test } from 'vitest';
import { generateCluster, seededRandom } from '../../../src/cluster/generate.js';
import type { ClusterObject, EndpointSlice, Service } from '../../../src/cluster/types.js';
import { resolveProxyConfig } from '../../../src/proxy/config.js';
import { iptablesOptions } from '../../../src/proxy/iptables/options.js';
import { EMPTY_MEMO, type IptablesMemo, render } from '../../../src/proxy/iptables/render.js';
import { ProxyTracker } from '../../../src/proxy/state.js';
import { FULL_SYNC } from '../../../src/proxy/types.js';

type Kernel = Map<string, Map<string, string[]>>;

function restoreNoflush(kernel: Kernel, payload: string): void {
  let table: Map<string, string[]> | undefined;
  for (const line of payload.split('\n')) {
    if (line.startsWith('*')) {
      const name = line.slice(1);
      if (!kernel.has(name)) kernel.set(name, new Map());
      table = kernel.get(name);
    } else if (line.startsWith(':')) table!.set(line.slice(1).split(' ')[0]!, []);
    else if (line.startsWith('-A ')) {
      const chain = table!.get(line.split(' ')[1]!);
      if (!chain) throw new Error(`append to missing chain: ${line}`);
      chain.push(line);
    } else if (line.startsWith('-X ')) {
      const name = line.slice(3);
      for (const rules of table!.values())
        if (rules.some((r) => r.endsWith(` -j ${name}`))) throw new Error(`-X ${name} while still referenced`);
      table!.delete(name);
    }
  }
}

function snapshot(kernel: Kernel): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  for (const [t, chains] of kernel) out[t] = Object.fromEntries([...chains].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  return out;
}

function mutate(objects: ClusterObject[], rand: () => number, tracker: ProxyTracker): void {
  const services = objects.filter((o): o is Service => o.kind === 'Service');
  const slices = objects.filter((o): o is EndpointSlice => o.kind === 'EndpointSlice');
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const r = rand();
  if (r < 0.25) {
    const s = structuredClone(pick(services));
    s.spec.ports![0]!.port += 1;
    tracker.upsert(s);
  } else if (r < 0.4) {
    tracker.delete(pick(services));
  } else if (r < 0.55) {
    tracker.upsert(pick(services)); // back (or a no-op)
  } else if (r < 0.8) {
    const sl = structuredClone(pick(slices));
    const ep = sl.endpoints?.[0];
    if (ep) ep.conditions = { ready: rand() < 0.5, serving: true, terminating: rand() < 0.5 };
    tracker.upsert(sl);
  } else if (r < 0.9) {
    tracker.delete(pick(slices));
  } else {
    tracker.upsert(pick(slices));
  }
}

describe('partial syncs on top of earlier syncs equal a full sync', () => {
  test.each([{ seed: 1 }, { seed: 2 }, { seed: 3 }])('random changes, seed $seed', ({ seed }) => {
    const objects = generateCluster({ services: 40, endpoints: 3, nodes: 4, seed, mixed: true });
    const config = resolveProxyConfig(objects, { node: 'node-0', clusterCIDR: '10.128.0.0/9' });
    const opt = iptablesOptions(config, 'IPv4', 'default');
    const tracker = new ProxyTracker('IPv4', config);
    for (const o of objects) tracker.upsert(o);
    const kernel: Kernel = new Map();
    let memo: IptablesMemo = EMPTY_MEMO;
    const rand = seededRandom(seed * 7919);
    let partials = 0;
    for (let i = 0; i < 40; i++) {
      const { state, changes } = tracker.sync();
      const r = render(state, changes, memo, opt);
      memo = r.memo;
      if (!changes.full) partials++;
      restoreNoflush(kernel, r.payload);
      const fresh: Kernel = new Map();
      restoreNoflush(fresh, render(state, FULL_SYNC, EMPTY_MEMO, opt).payload);
      expect(snapshot(kernel)).toEqual(snapshot(fresh));
      for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) mutate(objects, rand, tracker);
    }
    expect(partials).toBeGreaterThan(30);
  });
});
