// The index is kept current one watch event at a time; after any sequence of events it must answer
// exactly like an index built from scratch from the store's final contents.
import { describe, expect, test } from 'vitest';
import { generateCluster, seededRandom } from '../../src/cluster/generate.js';
import { MemoryClusterStore } from '../../src/cluster/memory-store.js';
import type { EndpointSlice, Pod, Service } from '../../src/cluster/types.js';
import { answersText } from '../../src/dns/answers.js';
import { ZoneIndex } from '../../src/dns/index.js';
import { DEFAULT_ZONE_OPTIONS } from '../../src/dns/zone.js';

const OPTIONS = { ...DEFAULT_ZONE_OPTIONS, pods: 'verified' as const, serial: 1 };

describe('ZoneIndex', () => {
  test('incremental updates answer like a rebuild after 300 random changes', async () => {
    const objects = generateCluster({ services: 60, endpoints: 3, nodes: 5, seed: 3, mixed: true, pods: true });
    const store = new MemoryClusterStore(objects);
    const live = new ZoneIndex((await store.snapshot()).objects);
    await store.watch((e) => live.apply(e));
    const rand = seededRandom(11);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
    for (let i = 0; i < 300; i++) {
      const all = await store.list();
      const services = all.filter((o): o is Service => o.kind === 'Service');
      const slices = all.filter((o): o is EndpointSlice => o.kind === 'EndpointSlice');
      const pods = all.filter((o): o is Pod => o.kind === 'Pod');
      const r = rand();
      if (r < 0.2 && services.length > 0) {
        const s = pick(services);
        await store.delete('Service', `${s.metadata.namespace}/${s.metadata.name}`);
      } else if (r < 0.4 && services.length > 0) {
        const s = pick(services);
        const ip = `10.97.${i >> 8}.${i & 255}`;
        await store.upsert([
          {
            ...s,
            spec: {
              ...s.spec,
              type: 'ClusterIP',
              clusterIP: ip,
              clusterIPs: [ip],
              ports: [{ name: `p${i % 3}`, port: 1000 + i, protocol: 'TCP' }],
            },
          },
        ]);
      } else if (r < 0.55 && slices.length > 0) {
        const e = pick(slices);
        await store.delete('EndpointSlice', `${e.metadata.namespace}/${e.metadata.name}`);
      } else if (r < 0.75 && slices.length > 0) {
        const e = pick(slices);
        const endpoints = (e.endpoints ?? []).map((ep, j) => ({
          ...ep,
          hostname: j === 0 ? `h-${i}` : ep.hostname,
          conditions: { ready: rand() < 0.7 },
        }));
        await store.upsert([{ ...e, endpoints }]);
      } else if (r < 0.85 && pods.length > 0) {
        const p = pick(pods);
        await store.delete('Pod', `${p.metadata.namespace}/${p.metadata.name}`);
      } else if (services.length > 0) {
        const s = pick(services);
        const name = `added-${i}`;
        const ip = `10.98.${i >> 8}.${i & 255}`;
        await store.upsert([
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name, namespace: s.metadata.namespace },
            spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
          },
          {
            apiVersion: 'discovery.k8s.io/v1',
            kind: 'EndpointSlice',
            metadata: {
              name: `${name}-1`,
              namespace: s.metadata.namespace,
              labels: { 'kubernetes.io/service-name': name },
            },
            addressType: 'IPv4',
            endpoints: [{ addresses: [ip], hostname: 'a', conditions: { ready: true } }],
            ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
          },
        ]);
      }
    }
    const rebuilt = new ZoneIndex((await store.snapshot()).objects);
    expect(answersText(live, OPTIONS, 'live')).toBe(answersText(rebuilt, OPTIONS, 'live'));
  });

  test('a deleted Service loses its PTR; a cluster IP moved to another Service follows it', () => {
    const svc = (name: string, ip: string): Service => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'default' },
      spec: { clusterIP: ip, clusterIPs: [ip], ports: [{ port: 80 }] },
    });
    const index = new ZoneIndex([svc('a', '10.96.0.5')]);
    expect([...index.servicesWithClusterIP('10.96.0.5')]).toEqual(['default/a']);
    index.apply({ type: 'DELETED', object: svc('a', '10.96.0.5'), resourceVersion: 2 });
    index.apply({ type: 'ADDED', object: svc('b', '10.96.0.5'), resourceVersion: 3 });
    expect([...index.servicesWithClusterIP('10.96.0.5')]).toEqual(['default/b']);
    index.apply({ type: 'MODIFIED', object: svc('b', '10.96.0.6'), resourceVersion: 4 });
    expect([...index.servicesWithClusterIP('10.96.0.5')]).toEqual([]);
    expect(index.hasNamespace('default')).toBe(true);
    index.apply({ type: 'DELETED', object: svc('b', '10.96.0.6'), resourceVersion: 5 });
    expect(index.hasNamespace('default')).toBe(false);
  });

  test('every change bumps the generation and the SOA serial follows the clock', () => {
    let now = 1_000_000;
    const index = new ZoneIndex([], () => now);
    const g = index.generation;
    now = 2_000_000;
    index.apply({
      type: 'ADDED',
      object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } },
      resourceVersion: 1,
    });
    expect(index.generation).toBe(g + 1);
    expect(index.serial).toBe(2000);
  });
});
