// Service discovery over applied manifests: fixtures/apps completed by the control plane, asked
// through `kubeplane dns query` (completion inside the command) and through the real dig against
// `kubeplane dns serve` on the completed cluster. Expected addresses are read from the completed
// cluster's Services and Pods.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, fixture, ROOT, runCli } from '../support/cli.js';
import { commandUnavailableReason, describeWith } from '../support/env.js';
import { dig } from './dig.js';

interface Obj {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: { clusterIP?: string };
  status?: { podIP?: string };
}

const APPS = fixture('apps');
const completed = runCli(['cluster', '-f', APPS, '--nodes', '3']);
const items = completed.status === 0 ? (load(completed.stdout) as { items: Obj[] }).items : [];
const clusterIP = (ns: string, name: string) =>
  items.find((o) => o.kind === 'Service' && o.metadata.namespace === ns && o.metadata.name === name)?.spec?.clusterIP;
const podIP = (ns: string, name: string) =>
  items.find((o) => o.kind === 'Pod' && o.metadata.namespace === ns && o.metadata.name === name)?.status?.podIP;

describe('dns query over applied manifests', () => {
  test('the completed cluster has what the queries below need', () => {
    expect(completed.status, completed.stderr).toBe(0);
    expect(clusterIP('default', 'web')).toMatch(/^10\.(9[6-9]|10\d|11[01])\./);
    expect(podIP('data', 'postgres-0')).toMatch(/^10\.244\./);
  });

  test('a short name from a Pod in default resolves to the allocated clusterIP (raw directory, completed inside)', () => {
    const r = runCli(['dns', 'query', '-f', APPS, 'web']);
    expect(r.status, r.stderr).toBe(0);
    // The raw directory is completed with one node by default: same allocation as `cluster --nodes 1`.
    const one = load(runCli(['cluster', '-f', APPS]).stdout) as { items: Obj[] };
    const ip = one.items.find((o) => o.kind === 'Service' && o.metadata.name === 'web')!.spec!.clusterIP;
    expect(r.stdout).toContain(`ANSWER web.default.svc.cluster.local. 5 IN A ${ip}`);
  });

  test('the headless StatefulSet Service answers with both Pod addresses, from another namespace', () => {
    const r = runCli(['dns', 'query', '-f', '-', 'postgres.data', '--namespace', 'default'], completed.stdout);
    expect(r.status, r.stderr).toBe(0);
    const answers = r.stdout
      .split('\n')
      .filter((l) => l.includes('ANSWER'))
      .sort();
    expect(answers).toEqual(
      [podIP('data', 'postgres-0'), podIP('data', 'postgres-1')]
        .map((ip) => `  ANSWER postgres.data.svc.cluster.local. 5 IN A ${ip}`)
        .sort(),
    );
  });

  test('a StatefulSet Pod by its hostname under the headless Service', () => {
    const r = runCli(['dns', 'query', '-f', '-', 'postgres-1.postgres.data.svc.cluster.local.'], completed.stdout);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `ANSWER postgres-1.postgres.data.svc.cluster.local. 5 IN A ${podIP('data', 'postgres-1')}`,
    );
  });
});

/** Start `kubeplane dns serve` on a free port; resolves once it prints where it listens. */
function serve(args: readonly string[]) {
  const child = spawn(process.execPath, [CLI, 'dns', 'serve', '--listen', '127.0.0.1:0', ...args], { cwd: ROOT });
  let stderr = '';
  const port = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no serving line: ${stderr}`)), 30_000);
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = / on 127\.0\.0\.1:(\d+) /.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  return { child, port };
}

describeWith(
  commandUnavailableReason('dig', 'bind9-dnsutils'),
  'KUBEPLANE_REQUIRE_KERNEL',
  'dig against dns serve on the completed apps',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-dns-apps-'));
    const file = join(dir, 'apps.yaml');
    let server: ReturnType<typeof serve> | undefined;
    let port = 0;
    beforeAll(async () => {
      writeFileSync(file, completed.stdout);
      server = serve(['-f', file]);
      port = await server.port;
    }, 60_000);
    afterAll(() => {
      server?.child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    });

    test('A of a ClusterIP Service is its allocated address (UDP and TCP)', async () => {
      const want = [`web.default.svc.cluster.local. 5 IN A ${clusterIP('default', 'web')}`];
      expect((await dig(port, 'web.default.svc.cluster.local', 'A')).answer).toEqual(want);
      expect((await dig(port, 'web.default.svc.cluster.local', 'A', ['+tcp'])).answer).toEqual(want);
    });

    test('A of the DaemonSet’s LoadBalancer Service in kube-system', async () => {
      expect((await dig(port, 'ingress.kube-system.svc.cluster.local', 'A')).answer).toEqual([
        `ingress.kube-system.svc.cluster.local. 5 IN A ${clusterIP('kube-system', 'ingress')}`,
      ]);
    });

    test('A of the headless Service lists both StatefulSet Pods; each Pod has its hostname record', async () => {
      const r = await dig(port, 'postgres.data.svc.cluster.local', 'A');
      expect(r.status).toBe('NOERROR');
      expect([...r.answer].sort()).toEqual(
        [podIP('data', 'postgres-0'), podIP('data', 'postgres-1')]
          .map((ip) => `postgres.data.svc.cluster.local. 5 IN A ${ip}`)
          .sort(),
      );
      expect((await dig(port, 'postgres-0.postgres.data.svc.cluster.local', 'A')).answer).toEqual([
        `postgres-0.postgres.data.svc.cluster.local. 5 IN A ${podIP('data', 'postgres-0')}`,
      ]);
    });

    test('SRV of the headless Service’s named port targets the StatefulSet hostnames', async () => {
      const r = await dig(port, '_pg._tcp.postgres.data.svc.cluster.local', 'SRV');
      expect(r.status).toBe('NOERROR');
      expect(r.answer.map((a) => a.split(' ').slice(-2).join(' ')).sort()).toEqual([
        '5432 postgres-0.postgres.data.svc.cluster.local.',
        '5432 postgres-1.postgres.data.svc.cluster.local.',
      ]);
    });

    test('a Service name the apps do not have is NXDOMAIN', async () => {
      expect((await dig(port, 'nope.default.svc.cluster.local', 'A')).status).toBe('NXDOMAIN');
    });
  },
);
