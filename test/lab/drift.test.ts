// drift and label on dumps a kernel wrote: the demo's rules are loaded into a fresh namespace, the
// kernel's own iptables-save / nft -j list ruleset is taken, and `drift` must find nothing; then the
// rules are changed by hand with iptables / nft (an endpoint chain deleted, a probability changed,
// an affinity rule dropped, a stray chain added) and each change must be reported exactly, under
// its Service. No traffic is sent, so there is no conntrack state to flush between rule states.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyIptables, createNetns, deleteNetns, inNetns, nextNetnsName } from '../../src/lab/index.js';
import { applyNft } from '../../src/lab/nft-apply.js';
import { fixture, runCli } from '../support/cli.js';
import { describeKernel } from '../support/env.js';

const DEMO = fixture('demo');
const dir = mkdtempSync(join(tmpdir(), 'kp-drift-lab-'));
let n = 0;

interface Report {
  drift: boolean;
  services: { service: string; problems: { kind: string; expected: string; actual: string }[] }[];
  unknownChains: { chain: string }[];
}

function driftOf(mode: string, dumpText: string): { status: number | null; report: Report } {
  const path = join(dir, `dump-${n++}`);
  writeFileSync(path, dumpText);
  const r = runCli(['drift', '--mode', mode, '-f', DEMO, '--rules', path, '--json']);
  if (r.status !== 0 && r.status !== 1) throw new Error(r.stderr);
  return { status: r.status, report: JSON.parse(r.stdout) };
}

function rendered(mode: string, ...extra: string[]): string {
  const r = runCli(['rules', '--mode', mode, '-f', DEMO, ...extra]);
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

describeKernel('drift on iptables-save from a kernel', () => {
  const ns = nextNetnsName('d');
  const payload = rendered('iptables', '--with-jumps');
  const ipt = (...args: string[]) => inNetns(ns, 'iptables', ['-w', ...args]);
  const save = async () => (await inNetns(ns, 'iptables-save', [])).stdout;
  beforeAll(async () => createNetns(ns), 60_000);
  afterAll(async () => deleteNetns(ns));
  // Each case starts from the payload again (iptables-restore replaces the tables it names).
  const fresh = () => applyIptables(ns, payload);

  test('the loaded payload is no drift', async () => {
    await fresh();
    const r = driftOf('iptables', await save());
    expect(r.report).toEqual({ drift: false, services: [], unknownChains: [] });
    expect(r.status).toBe(0);
  });

  test('a deleted endpoint chain is that endpoint missing, for that Service', async () => {
    await fresh();
    await ipt(
      '-t',
      'nat',
      '-D',
      'KUBE-SVC-TCOU7JCQXEZGVUNU',
      '-m',
      'comment',
      '--comment',
      'kube-system/kube-dns:dns -> 10.244.1.3:53',
      '-j',
      'KUBE-SEP-EJJ3L23ZA35VLW6X',
    );
    await ipt('-t', 'nat', '-F', 'KUBE-SEP-EJJ3L23ZA35VLW6X');
    await ipt('-t', 'nat', '-X', 'KUBE-SEP-EJJ3L23ZA35VLW6X');
    const r = driftOf('iptables', await save());
    expect(r.status).toBe(1);
    expect(r.report.services.map((s) => s.service)).toEqual(['kube-system/kube-dns:dns']);
    expect(r.report.services[0]!.problems.filter((p) => p.kind === 'endpoint-missing')).toMatchObject([
      { expected: '10.244.1.3:53', actual: 'absent' },
    ]);
    expect(r.report.unknownChains).toEqual([]);
  });

  test('a changed probability is reported with both splits', async () => {
    await fresh();
    await ipt(
      '-t',
      'nat',
      '-R',
      'KUBE-SVC-TCOU7JCQXEZGVUNU',
      '2',
      '-m',
      'comment',
      '--comment',
      'kube-system/kube-dns:dns -> 10.244.0.3:53',
      '-m',
      'statistic',
      '--mode',
      'random',
      '--probability',
      '0.25',
      '-j',
      'KUBE-SEP-6E7XQMQ4RAYOWTTM',
    );
    const r = driftOf('iptables', await save());
    expect(r.status).toBe(1);
    expect(r.report.services).toMatchObject([
      {
        service: 'kube-system/kube-dns:dns',
        problems: [
          {
            kind: 'probability',
            expected: '10.244.0.3:53 50.00%, 10.244.1.3:53 50.00%',
            actual: '10.244.0.3:53 25.00%, 10.244.1.3:53 75.00%',
          },
        ],
      },
    ]);
    expect(r.report.services[0]!.problems).toHaveLength(1);
  });

  test('a dropped affinity rule is reported for the endpoint that lost it', async () => {
    await fresh();
    // Rule 1 masquerades, rules 2-4 check the three endpoints' recent lists.
    await ipt('-t', 'nat', '-D', 'KUBE-SVC-I5LIAMPLWKMBJ54B', '3');
    const r = driftOf('iptables', await save());
    expect(r.status).toBe(1);
    expect(r.report.services).toEqual([
      {
        service: 'shop/cart:http',
        problems: [
          expect.objectContaining({
            kind: 'affinity',
            expected: 'ClientIP affinity for 600 s',
            actual: 'no affinity to 10.244.1.30:8080 (of 3 endpoints)',
          }),
        ],
      },
    ]);
  });

  test('stray chains added by hand: one naming a Service under it, one naming nothing as unknown', async () => {
    await fresh();
    await ipt('-t', 'nat', '-N', 'KUBE-SEP-STRAYSTRAYSTRAY1');
    await ipt(
      '-t',
      'nat',
      '-A',
      'KUBE-SEP-STRAYSTRAYSTRAY1',
      '-m',
      'comment',
      '--comment',
      'shop/api:http',
      '-p',
      'tcp',
      '-j',
      'DNAT',
      '--to-destination',
      '10.244.9.9:80',
    );
    await ipt('-t', 'nat', '-N', 'KUBE-SVC-ZZZZZZZZZZZZZZZZ');
    const r = driftOf('iptables', await save());
    expect(r.status).toBe(1);
    expect(r.report.services).toMatchObject([
      {
        service: 'shop/api:http',
        problems: [{ kind: 'extra-chain', actual: 'KUBE-SEP-STRAYSTRAYSTRAY1 (nat): shop/api:http -> 10.244.9.9:80' }],
      },
    ]);
    expect(r.report.unknownChains.map((c) => c.chain)).toEqual(['KUBE-SVC-ZZZZZZZZZZZZZZZZ']);
  });

  test('label names every hashed chain of a comment-stripped kernel dump from hashes alone', async () => {
    await fresh();
    const stripped = (await save()).replace(/ -m comment --comment (?:"[^"]*"|\S+)/g, '');
    const path = join(dir, `stripped-${n++}`);
    writeFileSync(path, stripped);
    const r = runCli(['label', '--mode', 'iptables', '--rules', path, '-f', DEMO]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const chains = [...stripped.matchAll(/^:(KUBE-(?:SVC|SEP|EXT|FW|SVL)-\S+)/gm)].map((m) => m[1]!);
    expect(chains.length).toBeGreaterThan(40);
    for (const c of chains) expect(r.stdout).toMatch(new RegExp(`^# ${c}: \\S+/\\S+.* \\(from the hash\\)$`, 'm'));
  });
}, ['ip', 'iptables', 'iptables-save', 'iptables-restore']);

describeKernel('drift on nft -j list ruleset from a kernel', () => {
  const ns = nextNetnsName('e');
  const payload = rendered('nftables');
  const list = async () => (await inNetns(ns, 'nft', ['-j', 'list', 'ruleset'])).stdout;
  beforeAll(async () => createNetns(ns), 60_000);
  afterAll(async () => deleteNetns(ns));
  const fresh = async () => {
    await inNetns(ns, 'nft', ['flush', 'ruleset']);
    await applyNft(ns, payload, 'text');
  };

  test('the loaded payload is no drift', async () => {
    await fresh();
    const r = driftOf('nftables', await list());
    expect(r.report).toMatchObject({ drift: false, services: [], unknownChains: [] });
  });

  describe('changes by hand', () => {
    test('a deleted service-ips element: the Service no longer reaches its endpoints', async () => {
      await fresh();
      await inNetns(ns, 'nft', ['delete', 'element', 'ip', 'kube-proxy', 'service-ips', '{ 10.96.0.10 . tcp . 9153 }']);
      const r = driftOf('nftables', await list());
      expect(r.status).toBe(1);
      expect(r.report.services.map((s) => s.service)).toEqual(['kube-system/kube-dns:metrics']);
      expect(
        r.report.services[0]!.problems.filter((p) => p.kind === 'endpoint-missing')
          .map((p) => p.expected)
          .sort(),
      ).toEqual(['10.244.0.3:9153', '10.244.1.3:9153']);
    });

    test('a stray endpoint chain is reported under the Service its name gives', async () => {
      await fresh();
      await inNetns(ns, 'nft', [
        'add',
        'chain',
        'ip',
        'kube-proxy',
        'endpoint-ZZZZZZZZ-shop/api/tcp/http__10.244.9.9/80',
      ]);
      const r = driftOf('nftables', await list());
      expect(r.status).toBe(1);
      expect(r.report.services).toMatchObject([{ service: 'shop/api:http', problems: [{ kind: 'extra-chain' }] }]);
    });
  });
}, ['ip', 'nft']);
