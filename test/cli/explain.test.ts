// `kubeplane explain` end to end on the demo fixture: answers come from traces of both modes.
import { expect, test } from 'vitest';
import { fixture, runCli } from '../support/cli.js';

test('a Service without endpoints: every client is rejected in both modes, with the deciding rule', () => {
  const r = runCli(['explain', '-f', fixture('demo'), '--node', 'node-a', 'shop/reviews']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('iptables: cluster IP 10.96.10.90:80');
  expect(r.stdout).toContain('nftables: cluster IP 10.96.10.90:80');
  expect(r.stdout.match(/: REJECT\n/g)).toHaveLength(8); // 4 kinds of client x 2 modes
  expect(r.stdout).toMatch(/line \d+ \(filter KUBE-SERVICES\): .*shop\/reviews:http has no endpoints.*-j REJECT/);
  expect(r.stdout).toMatch(/line \d+ \(kube-proxy reject-chain\): add rule ip kube-proxy reject-chain reject/);
});

test('a LoadBalancer Service: cluster IP splits evenly; the node and external clients are masqueraded', () => {
  const r = runCli(['explain', '-f', fixture('demo'), '--node', 'node-a', 'shop/frontend:http']);
  expect(r.status).toBe(0);
  const podLine = r.stdout.split('\n').find((l) => l.includes('from a pod on node-a'))!;
  expect(podLine).toContain('to 10.244.0.10:8080 (50%), 10.244.1.10:8080 (50%)');
  expect(podLine).not.toContain('masqueraded');
  expect(r.stdout).toMatch(/from node-a itself \(192\.168\.49\.2\): to .*masqueraded/);
  expect(r.stdout).toContain('node port 192.168.49.2:30080');
});

test('an unknown Service exits 2 naming it', () => {
  const r = runCli(['explain', '-f', fixture('demo'), '--node', 'node-a', 'shop/nope']);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/no Service shop\/nope/);
});
