// The control plane: upstream allocator offsets, the EndpointSlice controller's shape, and the apps
// in fixtures/apps through `cluster` (round trip, determinism) and `rules`.

import { load } from 'js-yaml';
import { describe, expect, test } from 'vitest';
import { AllocationMap, rangeOffset } from '../../src/control/allocation-map.js';
import { ServiceIPRange } from '../../src/control/ip-allocator.js';
import { NodePortAllocator, parsePortRange } from '../../src/control/port-allocator.js';
import { seededRandom } from '../../src/control/seeded.js';
import { parseCIDR } from '../../src/net/cidr.js';
import { fixture, runCli } from '../support/cli.js';

describe('allocator static/dynamic split (upstream calculateRangeOffset)', () => {
  test.each([
    { name: 'ipallocator /28 (16 addresses) has no static block', cidr: '192.168.1.0/28', offset: 0 },
    { name: 'ipallocator /27 gets the minimum 16', cidr: '192.168.1.0/27', offset: 16 },
    { name: 'ipallocator /24 gets 16 (256/16)', cidr: '10.0.0.0/24', offset: 16 },
    { name: 'ipallocator /20 gets 256 (4096/16)', cidr: '10.0.0.0/20', offset: 256 },
    { name: 'ipallocator /12 is capped at 256', cidr: '10.96.0.0/12', offset: 256 },
    { name: 'ipallocator IPv6 /64 is capped at 256', cidr: 'fd00::/64', offset: 256 },
  ])('$name', ({ cidr, offset }) => {
    expect(new ServiceIPRange(parseCIDR(cidr)!).staticSize).toBe(offset);
  });
  test.each([
    { name: 'portallocator 30000-32767 (2768/32 = 86)', range: '30000-32767', offset: 86 },
    { name: 'portallocator 16 ports: none', range: '30000-30015', offset: 0 },
    { name: 'portallocator 100 ports: min 16', range: '30000-30099', offset: 16 },
    { name: 'portallocator 30000-39999: max 128', range: '30000-39999', offset: 128 },
  ])('$name', ({ range, offset }) => {
    expect(new NodePortAllocator(parsePortRange(range)!).staticSize).toBe(offset);
  });
  test('ipallocator sizes: a /24 hands out 254 (no network, no broadcast); IPv6 is capped at 65536', () => {
    expect(new ServiceIPRange(parseCIDR('10.0.0.0/24')!).size).toBe(254);
    expect(new ServiceIPRange(parseCIDR('fd00::/64')!).size).toBe(65535);
  });
  test('dynamic allocation fills the upper block before touching the static one', () => {
    const m = new AllocationMap(64, rangeOffset(64, 16, 256, 16));
    const rand = seededRandom(7);
    const got = Array.from({ length: 48 }, () => m.allocateNext(rand)!);
    expect(got.every((i) => i >= 16)).toBe(true);
    expect(m.allocateNext(rand)).toBeLessThan(16);
  });
  test('already used slots are skipped and a full map gives nothing', () => {
    const m = new AllocationMap(4, 0);
    expect(m.allocate(2)).toBe(true);
    expect(m.allocate(2)).toBe(false);
    const rand = seededRandom(1);
    const got = [m.allocateNext(rand), m.allocateNext(rand), m.allocateNext(rand)].sort();
    expect(got).toEqual([0, 1, 3]);
    expect(m.allocateNext(rand)).toBeUndefined();
  });
});

interface Obj {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: { podIP?: string };
  endpoints?: { addresses: string[]; hostname?: string; nodeName?: string; conditions: { ready: boolean } }[];
  ports?: { name: string; port: number }[];
}

function cluster(args: string[]): { items: Obj[]; stderr: string; text: string } {
  const r = runCli(['cluster', ...args]);
  expect(r.status, r.stderr).toBe(0);
  return { items: (load(r.stdout) as { items: Obj[] }).items, stderr: r.stderr, text: r.stdout };
}

describe('kubeplane cluster on fixtures/apps', () => {
  const all = cluster(['-f', fixture('apps'), '--nodes', '3']);
  const of = (kind: string) => all.items.filter((o) => o.kind === kind);

  test('every Service gets a clusterIP in 10.96.0.0/12 (headless stays None) and NodePort/LB nodePorts in range', () => {
    for (const s of of('Service')) {
      const ip = s.spec!.clusterIP as string;
      if (s.metadata.name === 'postgres') expect(ip).toBe('None');
      else expect(ip).toMatch(/^10\.(9[6-9]|10\d|11[01])\./);
      for (const p of s.spec!.ports as { nodePort?: number; protocol: string }[]) {
        expect(p.protocol).toBe('TCP');
        if (s.spec!.type !== 'ClusterIP') expect(p.nodePort).toBeGreaterThanOrEqual(30000);
      }
    }
    const lb = of('Service').find((s) => s.metadata.name === 'ingress')!;
    expect(lb.spec!.healthCheckNodePort).toBeGreaterThanOrEqual(30000);
  });

  test('Pods: 3 web replicas, postgres-0/1 with hostname and subdomain, one ingress Pod per node, all with IPs', () => {
    const pods = of('Pod');
    expect(pods.filter((p) => p.metadata.name.startsWith('web-'))).toHaveLength(3);
    const pg = pods
      .filter((p) => p.metadata.namespace === 'data')
      .map((p) => [p.metadata.name, p.spec!.hostname, p.spec!.subdomain]);
    expect(pg).toEqual([
      ['postgres-0', 'postgres-0', 'postgres'],
      ['postgres-1', 'postgres-1', 'postgres'],
    ]);
    const ds = pods.filter((p) => p.metadata.name.startsWith('ingress-'));
    expect(ds.map((p) => p.spec!.nodeName).sort()).toEqual(['node-1', 'node-2', 'node-3']);
    for (const p of pods) expect(p.status!.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
  });

  test('slices: service-name and managed-by labels, named targetPort resolved, StatefulSet hostnames', () => {
    const web = of('EndpointSlice').filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'web');
    expect(web).toHaveLength(1);
    expect(web[0]!.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(web[0]!.metadata.labels!['endpointslice.kubernetes.io/managed-by']).toBe('endpointslice-controller.k8s.io');
    expect(web[0]!.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(web[0]!.endpoints).toHaveLength(3);
    const pg = of('EndpointSlice').find((s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'postgres')!;
    expect(pg.endpoints!.map((e) => e.hostname)).toEqual(['postgres-0', 'postgres-1']);
  });

  test('the output reads back through -f unchanged (round trip) and the same seed gives the same bytes', () => {
    expect(cluster(['-f', fixture('apps'), '--nodes', '3']).text).toBe(all.text);
    const r = runCli(['cluster', '-f', '-', '--nodes', '3'], all.text);
    expect(r.stdout).toBe(all.text);
    expect(cluster(['-f', fixture('apps'), '--nodes', '3', '--seed', '2']).text).not.toBe(all.text);
  });

  test('--not-ready makes the workload Pods not ready in their slices', () => {
    const nr = cluster(['-f', fixture('apps/web'), '--nodes', '1', '--not-ready', 'web']);
    const slice = nr.items.find((o) => o.kind === 'EndpointSlice')!;
    expect(slice.endpoints!.every((e) => e.conditions.ready === false)).toBe(true);
    expect(nr.stderr).toMatch(/Service default\/web: spec.selector: no endpoints/);
  });

  test.each(['iptables', 'nftables'])('rules --mode %s has DNAT to the generated pod IPs', (mode) => {
    const r = runCli(['rules', '--mode', mode, '-f', '-', '--node', 'node-1'], all.text);
    expect(r.status, r.stderr).toBe(0);
    const web = of('EndpointSlice').find((s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'web')!;
    for (const e of web.endpoints!) expect(r.stdout).toContain(`${e.addresses[0]}:8080`);
    const svc = of('Service').find((s) => s.metadata.name === 'web')!;
    expect(r.stdout).toContain(svc.spec!.clusterIP as string);
  });

  test('rules -f on the raw app directory completes it (one node by default)', () => {
    const r = runCli(['rules', '--mode', 'iptables', '-f', fixture('apps/web')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/DNAT.*10\.244\.0\.\d+:8080/);
  });

  test('a selector that does not match the template labels is an error naming the object and field', () => {
    const bad =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: b}}\n';
    const r = runCli(['cluster', '-f', '-'], bad);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Deployment default\/x\): spec.template.metadata.labels: .*does not match/);
  });

  test('a readiness probe on a port name the container lacks: Pods never ready, a warning names the field', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(fixture('apps/web/web.yaml'), 'utf8').replace('port: http}', 'port: nope}');
    const r = runCli(['cluster', '-f', '-', '--nodes', '1'], text);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Deployment default\/web: spec.template.spec.containers\[0\].readinessProbe/);
    const slice = (load(r.stdout) as { items: Obj[] }).items.find((o) => o.kind === 'EndpointSlice')!;
    expect(slice.endpoints!.map((e) => e.conditions.ready)).toEqual([false, false, false]);
  });

  test('an unknown named targetPort is a warning naming the Service and field', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(fixture('apps/web/web.yaml'), 'utf8').replace('targetPort: http\n', 'targetPort: nope\n');
    const r = runCli(['cluster', '-f', '-', '--nodes', '3'], text);
    expect(r.stderr).toMatch(/Service default\/web: spec.ports\[0\].targetPort/);
  });
});
