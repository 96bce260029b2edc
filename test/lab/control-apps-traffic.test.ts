// The apps in fixtures/apps as a user applies them (Deployments, a StatefulSet, a DaemonSet and
// Services without clusterIPs), completed by `kubeplane cluster --nodes 3`, rendered by `kubeplane
// rules` for node-1, loaded into a real kernel: real connections from the lab's client reach the
// Pods at the addresses the control plane generated. Expected endpoints are read from the completed
// cluster's Pods (not from its slices), so a wrong slice cannot agree with itself.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { applyIptables, flushConntrack, type Lab } from '../../src/lab/index.js';
import { applyNft } from '../../src/lab/nft-apply.js';
import { fixture, runCli } from '../support/cli.js';
import { describeKernel } from '../support/env.js';
import { check, labFor, rules, TOOLS, type TrafficCase } from './iptables-support.js';

interface Obj {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: {
    clusterIP?: string;
    nodeName?: string;
    ports?: { port: number; nodePort?: number }[];
  };
  status?: { podIP?: string; addresses?: { type: string; address: string }[] };
}

const dir = mkdtempSync(join(tmpdir(), 'kp-control-lab-'));
const completedFile = join(dir, 'apps.yaml');
const completed = runCli(['cluster', '-f', fixture('apps'), '--nodes', '3']);
writeFileSync(completedFile, completed.stdout);
const items = completed.status === 0 ? (load(completed.stdout) as { items: Obj[] }).items : [];

const service = (ns: string, name: string) =>
  items.find((o) => o.kind === 'Service' && o.metadata.namespace === ns && o.metadata.name === name)!;
const podIPs = (prefix: string, port: number, node?: string) =>
  items
    .filter((o) => o.kind === 'Pod' && o.metadata.name.startsWith(prefix) && (!node || o.spec?.nodeName === node))
    .map((p) => `${p.status!.podIP}:${port}`);
const node1IP = () =>
  items
    .find((o) => o.kind === 'Node' && o.metadata.name === 'node-1')!
    .status!.addresses!.find((a) => a.type === 'InternalIP')!.address;

function cases(): TrafficCase[] {
  const web = service('default', 'web');
  const nodePort = service('default', 'web-nodeport');
  const ingress = service('kube-system', 'ingress');
  return [
    {
      name: 'web clusterIP reaches the 3 Deployment Pods on the named targetPort',
      target: web.spec!.clusterIP!,
      port: 80,
      want: podIPs('web-', 8080),
    },
    {
      name: 'web-nodeport clusterIP reaches the same Pods',
      target: nodePort.spec!.clusterIP!,
      port: 80,
      want: podIPs('web-', 8080),
    },
    {
      name: 'web-nodeport on node-1 at its allocated nodePort',
      target: node1IP(),
      port: nodePort.spec!.ports![0]!.nodePort!,
      want: podIPs('web-', 8080),
    },
    {
      name: 'ingress clusterIP reaches the DaemonSet Pod of every node',
      target: ingress.spec!.clusterIP!,
      port: 443,
      want: podIPs('ingress-', 8443),
    },
    {
      name: 'ingress nodePort with externalTrafficPolicy Local: only node-1’s own Pod',
      target: node1IP(),
      port: ingress.spec!.ports![0]!.nodePort!,
      want: podIPs('ingress-', 8443, 'node-1'),
    },
  ];
}

/** None when `kubeplane cluster` failed (the first test says so). */
const CASES = items.length > 0 ? cases() : [];

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('kubeplane cluster completes fixtures/apps', () => {
  expect(completed.status, completed.stderr).toBe(0);
  expect(podIPs('web-', 8080)).toHaveLength(3);
  expect(podIPs('ingress-', 8443)).toHaveLength(3);
  expect(podIPs('ingress-', 8443, 'node-1')).toHaveLength(1);
});

describeKernel('iptables: fixtures/apps completed by the control plane, traffic from node-1', () => {
  let lab: Lab | undefined;
  beforeAll(async () => {
    lab = await labFor([completedFile], 'node-1', []);
    await applyIptables(lab.node, rules(['-f', completedFile, '--node', 'node-1']));
  }, 120_000);
  afterAll(async () => lab?.close());

  test.each(CASES)(
    '$name',
    async (c) => {
      await flushConntrack(lab!.node);
      await check(lab!, c);
    },
    120_000,
  );
}, [...TOOLS, 'conntrack']);

describeKernel('nftables: fixtures/apps completed by the control plane, traffic from node-1', () => {
  let lab: Lab | undefined;
  beforeAll(async () => {
    lab = await labFor([completedFile], 'node-1', []);
    const r = runCli(['rules', '--mode', 'nftables', '-f', completedFile, '--node', 'node-1']);
    expect(r.status, r.stderr).toBe(0);
    await applyNft(lab.node, r.stdout, 'text');
  }, 120_000);
  afterAll(async () => lab?.close());

  test.each(CASES)(
    '$name',
    async (c) => {
      await flushConntrack(lab!.node);
      await check(lab!, c);
    },
    120_000,
  );
}, ['ip', 'nft', 'conntrack']);
