// The console's JSON API over real HTTP on the demo fixture: every view's route, the owned-line
// highlighting checked against the payload text itself, traces whose steps point at real lines,
// 400s with reasons (never a stack), and live updates over server-sent events.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EndpointSlice } from '../../src/cluster/types.js';
import { runCli } from '../support/cli.js';
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

  test('ipvs: 1000 connections through the virtual server, the path pointing at lines of the ipvs rules', async () => {
    const r = await c.get('/api/trace?mode=ipvs&from=10.244.0.200&to=10.96.10.10:80&count=1000');
    expect(r.status).toBe(200);
    expect(r.body.mode).toBe('ipvs');
    expect(r.body.endpoint).toMatch(/^10\.244\.[01]\.10:8080$/);
    const rules: string[] = (await c.get('/api/rules?mode=ipvs')).body.text.split('\n');
    const real = r.body.path.filter((s: { line: number }) => s.line > 0);
    expect(real.length).toBeGreaterThan(0);
    // iptables steps quote their line; the IPVS step names the virtual server of its line.
    for (const s of real)
      if (s.table === 'ipvs') expect(s.text).toContain(rules[s.line - 1]!.replace(/^-A /, 'virtual service '));
      else expect(s.text).toBe(rules[s.line - 1]);
    expect(real.map((s: { table: string }) => s.table)).toContain('ipvs');
    expect(rules[real.find((s: { table: string }) => s.table === 'ipvs').line - 1]).toBe('-A -t 10.96.10.10:80 -s rr');
    expect(Object.keys(r.body.counts).sort()).toEqual(['10.244.0.10:8080', '10.244.1.10:8080']);
    // rr over short connections: an even split.
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
    {
      name: 'a trace in userspace mode',
      path: '/api/trace?mode=userspace&from=10.0.0.1&to=10.96.10.10:80',
      parameter: 'mode',
    },
    { name: 'a sync id that is not a number', path: '/api/diff?mode=iptables&from=abc', parameter: 'from' },
    { name: 'a negative sync id', path: '/api/diff?mode=iptables&from=-1&to=2', parameter: 'from' },
    { name: 'a sync the console never kept', path: '/api/diff?mode=iptables&from=999999', parameter: 'from' },
    { name: 'a diff before any change, without from', path: '/api/diff?mode=iptables&to=999999', parameter: 'from' },
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

describe('a diff between any two syncs', () => {
  // Runs after 'live updates': sync 0 is the fixture, sync 1 took frontend's node-b endpoint away.
  test('the history lists every snapshot; any two diff like `kubeplane diff --from --to`', async () => {
    const before = (await c.get('/api/syncs')).body;
    expect(before.syncs).toHaveLength(2);
    const [s0, s1] = before.syncs as { id: number; at: string; services: number }[];
    expect(s1!.id).toBe(before.current);
    expect(s0!.services).toBe(15);
    // A second change: a new Service with no endpoints.
    await c.store.upsert([
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'added', namespace: 'shop' },
        spec: { clusterIP: '10.96.10.99', ports: [{ name: 'http', port: 8081, protocol: 'TCP' }] },
      },
    ]);
    await c.console.settled();
    const after = (await c.get('/api/syncs')).body;
    expect(after.syncs).toHaveLength(3);
    const s2 = after.syncs[2];
    expect(s2.services).toBe(16);
    // Sync 0 to sync 2 spans both changes.
    const d = await c.get(`/api/diff?mode=iptables&from=${s0!.id}&to=${s2.id}`);
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ from: s0!.id, to: s2.id, available: true });
    expect(d.body.changedServices).toEqual(['shop/added', 'shop/frontend']);
    expect(d.body.output).toContain('-X KUBE-SEP-DNEA7RLSAO4BR5MP');
    expect(d.body.output).toContain('shop/added:http has no endpoints');
    // Backwards: sync 2 to sync 1 removes only what the second change added.
    const back = await c.get(`/api/diff?mode=nftables&from=${s2.id}&to=${s1!.id}`);
    expect(back.body.changedServices).toEqual(['shop/added']);
    // The default is the last change.
    expect((await c.get('/api/diff?mode=iptables')).body).toMatchObject({ from: s1!.id, to: s2.id });
    // The same two states through the CLI print the same text, in every mode.
    const dir = mkdtempSync(join(tmpdir(), 'kubeplane-console-diff-'));
    try {
      const snapshot = async (id: number) => {
        const list = c.console.view().syncs.find((x) => x.id === id)!.objects;
        const file = join(dir, `sync-${id}.json`);
        writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: list }));
        return file;
      };
      const from = await snapshot(s0!.id);
      const to = await snapshot(s2.id);
      for (const mode of ['iptables', 'nftables', 'ipvs']) {
        const api = await c.get(`/api/diff?mode=${mode}&from=${s0!.id}&to=${s2.id}`);
        const cli = runCli(['diff', '--mode', mode, '--from', from, '--to', to]);
        expect(cli.stderr).toBe('');
        expect(cli.status).toBe(0);
        expect(api.body.output).toBe(cli.stdout);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad sync ids get 400 with a reason naming the kept ones', async () => {
    const { syncs } = (await c.get('/api/syncs')).body;
    const r = await c.get('/api/diff?mode=iptables&from=424242');
    expect(r.status).toBe(400);
    expect(r.body.error).toBe(
      `from: no sync 424242 in the console's history (it keeps ${syncs.map((x: { id: number }) => x.id).join(', ')})`,
    );
    const same = await c.get(`/api/diff?mode=iptables&from=${syncs[0].id}&to=${syncs[0].id}`);
    expect(same.status).toBe(400);
    expect(same.body.parameter).toBe('to');
    const bad = await c.get('/api/diff?mode=iptables&to=1.5');
    expect(bad.body).toMatchObject({ parameter: 'to' });
    expect(bad.body.error).toMatch(/^to: "1\.5" must be a whole number/);
  });
});

test('the package ships the assets the build copies', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  expect(pkg.scripts.build).toContain('src/ui/assets');
  expect(pkg.files).toContain('dist');
  expect(pkg.scripts.start).toBe('node dist/cli/main.js up -f fixtures/demo');
});
