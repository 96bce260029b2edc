// `kubeplane dns query` and `kubeplane dns serve` through the built CLI, as a user runs them.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CLI, fixture, ROOT, runCli } from '../support/cli.js';
import { commandUnavailableReason, describeWith } from '../support/env.js';
import { dig } from './dig.js';

const TWO_NS = fixture('dns', 'two-ns');

describe('dns query', () => {
  test('a short name walks the search list of the pod namespace', () => {
    const r = runCli(['dns', 'query', '-f', TWO_NS, 'db.prod', '--namespace', 'default']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('; search default.svc.cluster.local svc.cluster.local cluster.local  options ndots:5');
    expect(r.stdout).toContain('try db.prod.default.svc.cluster.local. A: NXDOMAIN');
    expect(r.stdout).toContain('try db.prod.svc.cluster.local. A: NOERROR');
    expect(r.stdout).not.toContain('try db.prod.cluster.local.');
    expect(r.stdout).toContain('ANSWER db.prod.svc.cluster.local. 5 IN A 10.244.2.11');
  });

  test('a full name with 4 dots is still tried with the search suffixes first (ndots:5)', () => {
    const r = runCli(['dns', 'query', '-f', TWO_NS, 'web.default.svc.cluster.local']);
    const tries = r.stdout.split('\n').filter((l) => l.startsWith('try '));
    expect(tries).toEqual([
      'try web.default.svc.cluster.local.default.svc.cluster.local. A: NXDOMAIN',
      'try web.default.svc.cluster.local.svc.cluster.local. A: NXDOMAIN',
      'try web.default.svc.cluster.local.cluster.local. A: NXDOMAIN',
      'try web.default.svc.cluster.local. A: NOERROR',
    ]);
  });

  test('--type SRV and a trailing dot (absolute name)', () => {
    const r = runCli(['dns', 'query', '-f', TWO_NS, '_http._tcp.web.default.svc.cluster.local.', '--type', 'srv']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('try '))).toHaveLength(1);
    expect(r.stdout).toContain(
      'ANSWER _http._tcp.web.default.svc.cluster.local. 5 IN SRV 0 100 80 web.default.svc.cluster.local.',
    );
  });

  test('a name that does not resolve ends with the last answer', () => {
    const r = runCli(['dns', 'query', '-f', TWO_NS, 'nope', '--namespace', 'prod']);
    expect(r.stdout).toContain('try nope.prod.svc.cluster.local. A: NXDOMAIN');
    expect(r.stdout).toMatch(/try nope\. A: REFUSED \(outside the cluster zones: would be forwarded upstream\)/);
  });

  test.each([
    { name: 'unknown --type', args: ['--type', 'BOGUS'] },
    { name: 'bad --pods', args: ['--pods', 'sometimes'] },
    { name: 'non-numeric --ttl', args: ['--ttl', 'five'] },
    { name: '--ttl above 3600', args: ['--ttl', '3601'] },
    { name: 'negative --ttl (CoreDNS setup_ttl_test)', args: ['--ttl', '-1'] },
    { name: 'bad --domain', args: ['--domain', 'not a domain'] },
    { name: 'bad --namespace', args: ['--namespace', 'Not_Valid'] },
    { name: 'unknown flag', args: ['--frobnicate'] },
  ])('$name exits 2', ({ args }) => {
    const r = runCli(['dns', 'query', '-f', TWO_NS, 'web', ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toBe('');
  });

  test('a reverse zone given with --domain is served for PTR with its own SOA', () => {
    const r = runCli([
      'dns',
      'query',
      '-f',
      fixture('dns', 'coredns-reverse'),
      '--domain',
      'cluster.local',
      '--domain',
      '0.10.in-addr.arpa',
      '101.0.0.10.in-addr.arpa.',
      '--type',
      'PTR',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/AUTHORITY 0\.10\.in-addr\.arpa\. 5 IN SOA ns\.dns\.0\.10\.in-addr\.arpa\. /);
    const none = runCli(['dns', 'query', '-f', TWO_NS, '--domain', '0.10.in-addr.arpa', 'web']);
    expect(none.status).toBe(2);
  });

  test('missing -f exits 2', () => {
    const r = runCli(['dns', 'query', 'web']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/-f\/--file is required/);
  });

  test('an invalid manifest exits 2 naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-dns-cli-'));
    try {
      writeFileSync(
        join(dir, 'bad.yaml'),
        'apiVersion: v1\nkind: Service\nmetadata: {name: x, namespace: default}\nspec: {clusterIP: 10.96.0.999, ports: [{port: 80}]}\n',
      );
      const r = runCli(['dns', 'query', '-f', dir, 'x']);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/spec\.clusterIP/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('dns serve flags', () => {
  test.each([
    { name: 'bad --listen', args: ['--listen', 'localhost'] },
    { name: '--listen port out of range', args: ['--listen', '127.0.0.1:70000'] },
    { name: 'bad --upstream', args: ['--upstream', '8.8.8.8'] },
    { name: 'bad --metrics-listen', args: ['--metrics-listen', ':9153'] },
    { name: 'bad --pods', args: ['--pods', 'maybe'] },
    { name: 'bad --namespaces', args: ['--namespaces', 'prod,Not_Valid'] },
    { name: 'bad --ns-address', args: ['--ns-address', 'ns1'] },
    { name: 'bad CIDR in --domain', args: ['--domain', '10.96.0.0/40'] },
    { name: 'bad --fallthrough zone', args: ['--fallthrough', 'in-addr.arpa,not a zone'] },
    { name: 'sloppy --ns-address', args: ['--ns-address', '010.0.0.1'] },
  ])('$name exits 2 without serving', ({ args }) => {
    const r = runCli(['dns', 'serve', '-f', TWO_NS, ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toContain('serving');
  });
});

describe('dns serve runtime faults', () => {
  test('a port in use is reported with the flag and exit status 1', async () => {
    const taken = dgram.createSocket('udp4');
    await new Promise<void>((r) => taken.bind(0, '127.0.0.1', r));
    try {
      const r = runCli(['dns', 'serve', '-f', TWO_NS, '--listen', `127.0.0.1:${taken.address().port}`]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/--listen 127\.0\.0\.1:\d+ is already in use/);
    } finally {
      taken.close();
    }
  });
});

/** Start `kubeplane dns serve` on a free port; resolves once it prints where it listens. */
function serve(args: readonly string[]) {
  const child = spawn(process.execPath, [CLI, 'dns', 'serve', '--listen', '127.0.0.1:0', ...args], { cwd: ROOT });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const port = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no serving line: ${stderr}`)), 15_000);
    child.stderr.on('data', () => {
      const m = / on 127\.0\.0\.1:(\d+) /.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  return { child, port, stderr: () => stderr };
}

/** Poll until ok or 20 s have passed (the machine may be busy); returns the last value either way. */
async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await fn();
  while (!ok(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    v = await fn();
  }
  return v;
}

describeWith(commandUnavailableReason('dig', 'bind9-dnsutils'), 'KUBEPLANE_REQUIRE_KERNEL', 'dns serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kp-dns-serve-'));
  const children: ReturnType<typeof serve>['child'][] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves the fixture over UDP and TCP with --domain, --ttl and --pods', async () => {
    const s = serve([
      '-f',
      TWO_NS,
      '--domain',
      'cluster.local',
      '--domain',
      'corp.internal',
      '--ttl',
      '30',
      '--pods',
      'verified',
    ]);
    children.push(s.child);
    const port = await s.port;
    expect((await dig(port, 'web.default.svc.corp.internal', 'A')).answer).toEqual([
      'web.default.svc.corp.internal. 30 IN A 10.96.0.100',
    ]);
    expect((await dig(port, 'web.default.svc.cluster.local', 'A', ['+tcp'])).answer).toEqual([
      'web.default.svc.cluster.local. 30 IN A 10.96.0.100',
    ]);
    expect((await dig(port, '10-244-1-7.default.pod.cluster.local', 'A')).status).toBe('NOERROR');
    expect((await dig(port, '10-244-1-7.prod.pod.cluster.local', 'A')).status).toBe('NXDOMAIN');
    s.child.kill('SIGTERM');
  });

  test('CoreDNS options as flags: --endpoint-pod-names, --namespaces, --ns-address', async () => {
    const s = serve([
      '-f',
      TWO_NS,
      '--endpoint-pod-names',
      '--namespaces',
      'default',
      '--namespaces',
      'kube-system',
      '--ns-address',
      '10.244.1.5',
    ]);
    children.push(s.child);
    const port = await s.port;
    // The web endpoint has no hostname; its pod is web-7d9c5-x2x7p.
    expect((await dig(port, 'web-7d9c5-x2x7p.web.default.svc.cluster.local', 'A')).answer).toEqual([
      'web-7d9c5-x2x7p.web.default.svc.cluster.local. 5 IN A 10.244.1.5',
    ]);
    expect((await dig(port, '10-244-1-5.web.default.svc.cluster.local', 'A')).status).toBe('NXDOMAIN');
    expect((await dig(port, 'db.prod.svc.cluster.local', 'A')).status).toBe('NXDOMAIN');
    // This server is the web endpoint: the apex NS names the web Service.
    const ns = await dig(port, 'cluster.local', 'NS');
    expect(ns.answer).toEqual(['cluster.local. 5 IN NS web.default.svc.cluster.local.']);
    expect(ns.additional).toEqual(['web.default.svc.cluster.local. 5 IN A 10.96.0.100']);
    s.child.kill('SIGTERM');
  });

  test('CoreDNS options as flags: --no-endpoints, --ignore-empty-service', async () => {
    const s = serve(['-f', TWO_NS, '--no-endpoints', '--ignore-empty-service']);
    children.push(s.child);
    const port = await s.port;
    // Without endpoints every ClusterIP Service is empty, so ignore empty_service hides it too.
    expect((await dig(port, 'web.default.svc.cluster.local', 'A')).status).toBe('NXDOMAIN');
    expect((await dig(port, 'db.prod.svc.cluster.local', 'A')).status).toBe('NXDOMAIN');
    expect((await dig(port, 'ext.default.svc.cluster.local', 'CNAME')).answer).toEqual([
      'ext.default.svc.cluster.local. 5 IN CNAME www.example.com.',
    ]);
    s.child.kill('SIGTERM');
  });

  test('--fallthrough cluster.local sends cluster NXDOMAINs to --upstream; --fallthrough none keeps reverse misses', async () => {
    const upstream = dgram.createSocket('udp4');
    const asked: string[] = [];
    upstream.on('message', (msg, rinfo) => {
      asked.push(msg.toString('latin1'));
      // Echo the query back as a REFUSED reply from "upstream" (QR set, RCODE 5).
      const reply = Buffer.from(msg);
      reply[2] = reply[2]! | 0x80;
      reply[3] = (reply[3]! & 0xf0) | 5;
      upstream.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', r));
    try {
      const up = `127.0.0.1:${upstream.address().port}`;
      const s = serve(['-f', TWO_NS, '--upstream', up, '--fallthrough', 'cluster.local']);
      children.push(s.child);
      const port = await s.port;
      expect((await dig(port, 'nope.default.svc.cluster.local', 'A')).status).toBe('REFUSED');
      expect((await dig(port, 'web.default.svc.cluster.local', 'A')).status).toBe('NOERROR');
      s.child.kill('SIGTERM');
      const n = serve(['-f', TWO_NS, '--upstream', up, '--fallthrough', 'none']);
      children.push(n.child);
      const before = asked.length;
      const r = await dig(await n.port, '7.1.244.10.in-addr.arpa', 'PTR');
      expect(r.status).toBe('NXDOMAIN');
      expect(r.flags).toContain('aa');
      expect(asked.length).toBe(before);
      n.child.kill('SIGTERM');
    } finally {
      upstream.close();
    }
  });

  test('CoreDNS ci TestKubernetesPTR: reverse zones as CIDRs in --domain, --namespaces, no fallthrough', async () => {
    const s = serve([
      '-f',
      fixture('dns', 'coredns-ci'),
      '--domain',
      'cluster.local',
      '--domain',
      '10.96.0.0/24',
      '--domain',
      '172.17.0.0/24',
      '--domain',
      '1234:abcd::0/64',
      '--namespaces',
      'test-1',
      '--fallthrough',
      'none',
      '--ns-address',
      '10.244.0.10',
    ]);
    children.push(s.child);
    const port = await s.port;
    expect((await dig(port, '100.0.96.10.in-addr.arpa', 'PTR')).answer).toEqual([
      '100.0.96.10.in-addr.arpa. 5 IN PTR svc-1-a.test-1.svc.cluster.local.',
    ]);
    const hidden = await dig(port, '120.0.96.10.in-addr.arpa', 'PTR');
    expect(hidden.status).toBe('NXDOMAIN');
    expect(hidden.authority[0]).toMatch(/^0\.96\.10\.in-addr\.arpa\. 5 IN SOA ns\.dns\.0\.96\.10\.in-addr\.arpa\. /);
    const v6 = await dig(port, '2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.4.3.2.1.ip6.arpa', 'PTR');
    expect(v6.answer[0]).toMatch(/ PTR headless-svc-4\.headless-svc\.test-1\.svc\.cluster\.local\.$/);
    const ns = await dig(port, 'cluster.local', 'NS');
    expect(ns.answer).toEqual(['cluster.local. 5 IN NS kube-dns.kube-system.svc.cluster.local.']);
    s.child.kill('SIGTERM');
  });

  test('--transfer answers AXFR of the cluster zone; without it AXFR is refused', async () => {
    const s = serve(['-f', TWO_NS, '--transfer']);
    children.push(s.child);
    const axfr = await dig(await s.port, 'cluster.local', 'AXFR');
    const records = axfr.raw.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';'));
    expect(records[0]).toMatch(/^cluster\.local\.\s+5\s+IN\s+SOA\s+ns\.dns\.cluster\.local\. /);
    expect(records[records.length - 1]).toMatch(/^cluster\.local\.\s+5\s+IN\s+SOA\s/);
    expect(records.map((l) => l.split(/\s+/).join(' '))).toContain('web.default.svc.cluster.local. 5 IN A 10.96.0.100');
    s.child.kill('SIGTERM');
    const plain = serve(['-f', TWO_NS]);
    children.push(plain.child);
    expect((await dig(await plain.port, 'cluster.local', 'AXFR')).raw).toMatch(/Transfer failed/);
    plain.child.kill('SIGTERM');
  });

  test('--ttl 56 and --ttl 0 (CoreDNS setup_ttl_test values): record TTL, SOA TTL and minimum', async () => {
    for (const ttl of [56, 0]) {
      const s = serve(['-f', TWO_NS, '--ttl', String(ttl)]);
      children.push(s.child);
      const port = await s.port;
      expect((await dig(port, 'web.default.svc.cluster.local', 'A')).answer).toEqual([
        `web.default.svc.cluster.local. ${ttl} IN A 10.96.0.100`,
      ]);
      const neg = await dig(port, 'nope.default.svc.cluster.local', 'A');
      expect(neg.authority[0]).toMatch(
        new RegExp(
          `^cluster\\.local\\. ${ttl} IN SOA ns\\.dns\\.cluster\\.local\\. hostmaster\\.cluster\\.local\\. \\d+ 7200 1800 86400 ${ttl}$`,
        ),
      );
      s.child.kill('SIGTERM');
    }
  });

  test('--zonal answers topology-pinned names of headless Services', async () => {
    const s = serve(['-f', fixture('dns', 'coredns-zonal'), '--zonal']);
    children.push(s.child);
    const r = await dig(await s.port, 'us-west-2b.pin._zone.hdls.testns.svc.cluster.local', 'A');
    expect(r.answer.sort()).toEqual([
      'us-west-2b.pin._zone.hdls.testns.svc.cluster.local. 5 IN A 172.0.0.2',
      'us-west-2b.pin._zone.hdls.testns.svc.cluster.local. 5 IN A 172.0.0.3',
    ]);
    s.child.kill('SIGTERM');
  });

  test('--ignore-empty-service alone: only Services without ready endpoints disappear', async () => {
    const s = serve(['-f', TWO_NS, '--ignore-empty-service']);
    children.push(s.child);
    const port = await s.port;
    expect((await dig(port, 'web.default.svc.cluster.local', 'A')).status).toBe('NOERROR');
    expect((await dig(port, 'legacy.default.svc.cluster.local', 'A')).status).toBe('NXDOMAIN');
    s.child.kill('SIGTERM');
  });

  test('--watch: an edit adding a Service resolves; a bad edit keeps the old zone and says why', {
    timeout: 60_000,
  }, async () => {
    const file = join(dir, 'cluster.yaml');
    const svc = (name: string, ip: string) =>
      `---\napiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: default}\nspec: {clusterIP: ${ip}, ports: [{name: http, port: 80}]}\n`;
    writeFileSync(file, svc('one', '10.96.1.1'));
    const s = serve(['-f', file, '--watch']);
    children.push(s.child);
    const port = await s.port;
    expect((await dig(port, 'one.default.svc.cluster.local', 'A')).status).toBe('NOERROR');
    writeFileSync(file, svc('one', '10.96.1.1') + svc('two', '10.96.1.2'));
    const two = await until(
      () => dig(port, 'two.default.svc.cluster.local', 'A'),
      (r) => r.status === 'NOERROR',
    );
    expect(two.answer).toEqual(['two.default.svc.cluster.local. 5 IN A 10.96.1.2']);
    writeFileSync(file, svc('one', '10.96.1.1') + svc('three', '10.96.1.999'));
    await until(
      async () => s.stderr(),
      (e) => e.includes('reload failed'),
    );
    expect(s.stderr()).toMatch(/reload failed, keeping the previous zone/);
    expect(s.stderr()).toMatch(/spec\.clusterIP/);
    expect((await dig(port, 'two.default.svc.cluster.local', 'A')).status).toBe('NOERROR');
    s.child.kill('SIGTERM');
  });
});
