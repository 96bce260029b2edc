// The console's JSON API over real HTTP on the demo fixture: every view's route, the owned-line
// highlighting checked against the payload text itself, traces whose steps point at real lines,
// 400s with reasons (never a stack), and live updates over server-sent events.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EndpointSlice } from '../../src/cluster/types.js';
import { startTestConsole, type TestConsole } from './support.js';

let c: TestConsole;
beforeAll(async () => {
  c = await startTestConsole();
});
afterAll(async () => {
  await c?.close();
});

describe('pages and assets', () => {
  test('the page and its assets are served from the package, with no outside address in them', async () => {
    const page = await c.get('/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script type="module" src="/assets/app.js">');
    for (const asset of ['/assets/app.js', '/assets/app.css']) {
      const r = await c.get(asset);
      expect(r.status).toBe(200);
      expect(r.text).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/); // works offline: no CDN
    }
  });
});

describe('services', () => {
  test('summary names the node and counts the objects', async () => {
    const r = await c.get('/api/summary');
    expect(r.status).toBe(200);
    expect(r.body.node).toBe('node-a');
    expect(r.body.counts.Service).toBe(15);
    expect(r.body.modes).toEqual(['iptables', 'nftables', 'ipvs']);
  });

  test('search by name and by type, with endpoints and node-local counts', async () => {
    const r = await c.get('/api/services?q=front');
    expect(r.body.total).toBe(1);
    const svc = r.body.services[0];
    expect(svc).toMatchObject({ service: 'shop/frontend', type: 'LoadBalancer', clusterIPs: ['10.96.10.10'] });
    expect(svc.declaredPorts).toEqual([{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }]);
    // externalTrafficPolicy Local: one of its two endpoints is on node-a.
    expect(svc.endpoints).toBe(2);
    expect(svc.localEndpoints).toBe(1);
    const lb = await c.get('/api/services?type=LoadBalancer');
    expect(lb.body.services.every((s: { type: string }) => s.type === 'LoadBalancer')).toBe(true);
    expect((await c.get('/api/services?q=10.96.10.20')).body.services[0].service).toBe('shop/api');
  });
});

describe('rules', () => {
  test.each(['iptables', 'nftables', 'ipvs'])('%s: the lines shop/frontend owns are its own', async (mode) => {
    const svc = await c.get('/api/service?service=shop/frontend');
    const rules = await c.get(`/api/rules?mode=${mode}`);
    expect(rules.status).toBe(200);
    const lines: string[] = rules.body.text.split('\n');
    const owned: number[] = svc.body.owned[mode];
    expect(owned.length).toBeGreaterThan(5);
    const ownedText = owned.map((n) => lines[n - 1]!);
    if (mode === 'iptables') {
      expect(ownedText).toContain(
        '-A KUBE-SEP-3E4MQ6QSHQXUNNPA -m comment --comment shop/frontend:http -m tcp -p tcp -j DNAT --to-destination 10.244.0.10:8080',
      );
      expect(ownedText).toContain(':KUBE-SVC-PY4JZH2ITZYEO4CN - [0:0]');
      for (const t of ownedText) expect(t).toMatch(/shop\/frontend|PY4JZH2ITZYEO4CN|3E4MQ6QSHQXUNNPA|DNEA7RLSAO4BR5MP/);
    }
    if (mode === 'nftables') {
      expect(ownedText).toContain('add element ip kube-proxy cluster-ips { 10.96.10.10 }');
      for (const t of ownedText) expect(t).toMatch(/-shop\/frontend\/|\{ 10\.96\.10\.10 \}$/);
    }
    if (mode === 'ipvs') expect(ownedText).toContain('-A -t 10.96.10.10:80 -s rr');
    // No other Service's lines are taken.
    for (const t of ownedText) expect(t).not.toMatch(/shop\/api|10\.96\.10\.20[:,]/);
  });
});

describe('trace', () => {
  test('1000 connections to a cluster IP: the path points at real lines, the split is even', async () => {
    const r = await c.get('/api/trace?mode=iptables&from=10.244.0.200&to=10.96.10.10:80&count=1000');
    expect(r.status).toBe(200);
    expect(r.body.verdict).toBe('DNAT');
    const rules: string[] = (await c.get('/api/rules?mode=iptables')).body.text.split('\n');
    const real = r.body.path.filter((s: { line: number }) => s.line > 0);
    expect(real.length).toBeGreaterThan(2);
    for (const s of real) expect(s.text).toBe(rules[s.line - 1]);
    expect(r.body.path.map((s: { chain: string }) => s.chain)).toContain('KUBE-SVC-PY4JZH2ITZYEO4CN');
    expect(Object.keys(r.body.counts).sort()).toEqual(['10.244.0.10:8080', '10.244.1.10:8080']);
    expect(Object.values(r.body.counts as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(1000);
    expect(r.body.expected).toEqual({ '10.244.0.10:8080': 0.5, '10.244.1.10:8080': 0.5 });
  });

  test('nftables: a Service without endpoints is rejected', async () => {
    const r = await c.get('/api/trace?mode=nftables&from=10.244.0.200&to=10.96.10.90:80');
    expect(r.body.verdict).toBe('REJECT');
    expect(r.body.counts).toBeUndefined();
  });

  test('explain says it in words', async () => {
    const r = await c.get('/api/explain?service=shop/frontend');
    expect(r.status).toBe(200);
    expect(r.body.text).toContain(
      'from a pod on node-a (10.244.0.200): to 10.244.0.10:8080 (50%), 10.244.1.10:8080 (50%)',
    );
  });
});

describe('dns', () => {
  test('a short name walks the search list of the pod namespace', async () => {
    const r = await c.get('/api/dns?name=kubernetes.default&namespace=shop');
    expect(r.body.search).toEqual(['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local']);
    expect(r.body.steps.map((s: { name: string; rcode: string }) => `${s.name} ${s.rcode}`)).toEqual([
      'kubernetes.default.shop.svc.cluster.local NXDOMAIN',
      'kubernetes.default.svc.cluster.local NOERROR',
    ]);
    expect(r.body.final.answer).toEqual(['kubernetes.default.svc.cluster.local. 5 IN A 10.96.0.1']);
  });

  test('ndots 1: a dotted name is tried as is first', async () => {
    const r = await c.get('/api/dns?name=kubernetes.default&namespace=shop&ndots=1');
    expect(r.body.steps[0].name).toBe('kubernetes.default');
  });
});

describe('ipam', () => {
  test('addresses used per node range are the endpoint addresses inside it', async () => {
    const r = await c.get('/api/ipam');
    const nodeA = r.body.nodes.find((n: { node: string }) => n.node === 'node-a');
    const range = nodeA.ranges.find((x: { cidr: string }) => x.cidr === '10.244.0.0/24');
    // Counted independently: every distinct endpoint address in 10.244.0.x in the fixture's slices.
    const slices = (await c.store.list('EndpointSlice')) as EndpointSlice[];
    const want = new Set(
      slices
        .flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses ?? []))
        .filter((a) => a.startsWith('10.244.0.')),
    );
    expect(range).toEqual({ cidr: '10.244.0.0/24', size: '256', usable: '253', used: want.size });
    expect(nodeA.ranges.find((x: { cidr: string }) => x.cidr.includes(':')).size).toBe(String(2n ** 64n));
  });
});

describe('bad requests get 400 with a reason', () => {
  test.each([
    { name: 'unknown mode', path: '/api/rules?mode=bpf', parameter: 'mode' },
    { name: 'trace without to', path: '/api/trace?mode=iptables&from=10.0.0.1', parameter: 'to' },
    { name: 'trace from a name', path: '/api/trace?mode=iptables&from=pod-a&to=10.96.10.10:80', parameter: 'from' },
    {
      name: 'trace to a port past 65535',
      path: '/api/trace?mode=iptables&from=10.0.0.1&to=10.96.10.10:70000',
      parameter: 'to',
    },
    {
      name: 'trace mixing families',
      path: '/api/trace?mode=iptables&from=fd00::1&to=10.96.10.10:80',
      parameter: 'from',
    },
    { name: 'count 0', path: '/api/trace?mode=iptables&from=10.0.0.1&to=10.96.10.10:80&count=0', parameter: 'count' },
    {
      name: 'count past the bound',
      path: '/api/trace?mode=iptables&from=10.0.0.1&to=10.96.10.10:80&count=10001',
      parameter: 'count',
    },
    { name: 'a malformed service', path: '/api/service?service=Shop/Front_end', parameter: 'service' },
    { name: 'an unknown service', path: '/api/service?service=shop/nope', parameter: 'service' },
    { name: 'a DNS name with a space', path: '/api/dns?name=a%20b', parameter: 'name' },
    { name: 'an unknown record type', path: '/api/dns?name=frontend&type=MX2', parameter: 'type' },
    { name: 'an unknown service type', path: '/api/services?type=Headless', parameter: 'type' },
  ])('$name', async ({ path, parameter }) => {
    const r = await c.get(path);
    expect(r.status).toBe(400);
    expect(r.body.parameter).toBe(parameter);
    expect(r.body.error).toMatch(new RegExp(`^${parameter}: `));
    expect(r.text).not.toMatch(/\n\s+at |\.ts:\d+/); // no stack trace
  });

  test('unknown routes are 404 and writes are 405', async () => {
    expect((await c.get('/api/nope')).status).toBe(404);
    const post = await fetch(new URL('/api/summary', c.console.url), { method: 'POST' });
    expect(post.status).toBe(405);
  });
});

describe('live updates', () => {
  test('a store change is announced over /api/events, and the diff shows the partial sync it made', async () => {
    expect((await c.get('/api/diff?mode=iptables')).body.available).toBe(false);
    const res = await fetch(new URL('/api/events', c.console.url));
    const reader = res.body!.getReader();
    const seen: string[] = [];
    const read = async (until: string) => {
      const deadline = Date.now() + 10_000;
      while (!seen.join('').includes(until) && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        seen.push(Buffer.from(value).toString());
      }
    };
    await read('event: hello');
    // shop/frontend loses its node-b endpoint.
    const slice = (await c.store.list('EndpointSlice')).find(
      (s) => s.metadata?.labels?.['kubernetes.io/service-name'] === 'frontend',
    ) as EndpointSlice;
    const changed: EndpointSlice = {
      ...slice,
      endpoints: (slice.endpoints ?? []).filter((e) => !(e.addresses ?? []).includes('10.244.1.10')),
    };
    await c.store.upsert([changed]);
    await read('event: change');
    await reader.cancel();
    expect(seen.join('')).toMatch(/event: change\ndata: \{"version":\d+\}/);
    await c.console.settled();
    const d = await c.get('/api/diff?mode=iptables');
    expect(d.body.available).toBe(true);
    expect(d.body.changedServices).toEqual(['shop/frontend']);
    expect(d.body.payload).toContain('-X KUBE-SEP-DNEA7RLSAO4BR5MP');
    const svc = await c.get('/api/services?q=shop/frontend');
    expect(svc.body.services[0].endpoints).toBe(1);
  });
});

test('the package ships the assets the build copies', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  expect(pkg.scripts.build).toContain('src/ui/assets');
  expect(pkg.files).toContain('dist');
  expect(pkg.scripts.start).toBe('node dist/cli/main.js up -f fixtures/demo');
});
