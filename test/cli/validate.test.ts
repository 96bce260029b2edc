import { describe, expect, test } from 'vitest';
import { fixture, runCli } from '../support/cli.js';

describe('kubeplane validate', () => {
  test('prints counts per kind for the demo cluster and exits 0', () => {
    const r = runCli(['validate', '-f', fixture('demo')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Service                  15');
    expect(r.stdout).toContain('EndpointSlice            15');
    expect(r.stdout).toContain('PodDisruptionBudget (skipped) 1');
    expect(r.stdout).toContain('(1 legacy Endpoints converted to EndpointSlices)');
    expect(r.stdout).toMatch(/valid: 38 objects from 4 file\(s\)/);
  });

  test('--json prints machine-readable counts', () => {
    const r = runCli(['validate', '--json', '-f', fixture('demo')]);
    expect(JSON.parse(r.stdout).counts.Node).toBe(3);
  });

  test('reads stdin with -f -, repeatable -f', () => {
    const svc =
      'apiVersion: v1\nkind: Service\nmetadata: {name: x, namespace: a}\nspec: {clusterIP: 10.96.0.99, ports: [{port: 80}]}\n';
    const r = runCli(['validate', '-f', '-', '-f', fixture('demo')], svc);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Service                  16');
  });

  test('warnings go to stderr and keep exit 0', () => {
    const svc =
      'apiVersion: v1\nkind: Service\nmetadata: {name: x, namespace: a}\nspec: {clusterIP: 10.96.0.011, ports: [{port: 80}]}\n';
    const r = runCli(['validate', '-f', '-'], svc);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(
      'warning: <stdin>: document 1 (Service a/x): spec.clusterIP: IP "10.96.0.011" has leading zeros; read as decimal 10.96.0.11 (as Kubernetes does)\n',
    );
  });

  test('without -f is a usage error (exit 2)', () => {
    const r = runCli(['validate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('-f/--file is required');
  });

  test('an unknown flag is a usage error (exit 2)', () => {
    const r = runCli(['validate', '--frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown option '--frobnicate'");
  });

  test('a missing file exits 2 naming it', () => {
    const r = runCli(['validate', '-f', 'fixtures/nope.yaml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('fixtures/nope.yaml: no such file or directory');
  });
});

describe('kubeplane --help / --version', () => {
  test('--version prints the package version', () => {
    const r = runCli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('--help lists the commands', () => {
    const r = runCli(['--help']);
    expect(r.status).toBe(0);
    for (const c of ['validate', 'rules', 'diff', 'generate', 'bench', 'demo']) expect(r.stdout).toContain(c);
  });
});

describe('kubeplane rules: flag errors', () => {
  test('an unknown mode is a clear error', () => {
    const r = runCli(['rules', '--mode', 'bpf', '-f', fixture('demo')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--mode: "bpf" must be one of iptables, nftables, ipvs, userspace');
  });

  test('--mode is required', () => {
    const r = runCli(['rules', '-f', fixture('demo')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--mode is required');
  });

  test('several nodes and no hostnameOverride: the error lists the nodes', () => {
    const r = runCli(
      ['rules', '--mode', 'iptables', '-f', fixture('demo', '20-shop-services.yaml'), '-f', '-'],
      nodes(['b', 'a']),
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('the input has 2 Nodes; pass --node with one of: a, b');
  });

  test('--node naming a node that is not in the input', () => {
    const r = runCli(['rules', '--mode', 'iptables', '--node', 'zz', '-f', fixture('demo')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--node zz: no such Node in the input (nodes: node-a, node-b, node-c)');
  });

  test('a bad --family / --format / --profile value', () => {
    expect(runCli(['rules', '--mode', 'iptables', '--family', 'ipv5', '-f', fixture('demo')]).stderr).toContain(
      '--family: "ipv5" must be ipv4 or ipv6',
    );
    expect(runCli(['rules', '--mode', 'iptables', '--format', 'xml', '-f', fixture('demo')]).stderr).toContain(
      '--format: "xml" must be text or json',
    );
    expect(runCli(['rules', '--mode', 'iptables', '--profile', 'x', '-f', fixture('demo')]).stderr).toContain(
      '--profile: "x" must be default or kube-proxy-test',
    );
  });
});

function nodes(names: string[]): string {
  return names.map((n) => `apiVersion: v1\nkind: Node\nmetadata: {name: ${n}}\n`).join('---\n');
}
