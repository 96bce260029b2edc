import { describe, expect, test } from 'vitest';
import { generateCluster } from '../../src/cluster/generate.js';
import { loadTexts } from '../../src/cluster/load.js';
import { runCli } from '../support/cli.js';

describe('generateCluster', () => {
  test('is deterministic for a seed and differs across seeds', () => {
    const a = generateCluster({ services: 20, endpoints: 5, nodes: 4, seed: 7 });
    const b = generateCluster({ services: 20, endpoints: 5, nodes: 4, seed: 7 });
    const c = generateCluster({ services: 20, endpoints: 5, nodes: 4, seed: 8 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
    expect(a.filter((o) => o.kind === 'Service')).toHaveLength(20);
    expect(a.filter((o) => o.kind === 'Node')).toHaveLength(4);
  });

  test('its output validates, with unique endpoint addresses', async () => {
    const objects = generateCluster({ services: 300, endpoints: 10, nodes: 3, seed: 1, mixed: true, pods: true });
    const loaded = await loadTexts([
      { file: 'gen.json', bytes: JSON.stringify({ kind: 'List', apiVersion: 'v1', items: objects }) },
    ]);
    expect(loaded.counts.Pod).toBe(3000);
    const ips = objects.flatMap((o) =>
      o.kind === 'EndpointSlice' ? (o.endpoints ?? []).map((e) => e.addresses[0]) : [],
    );
    expect(new Set(ips).size).toBe(3000);
  });
});

describe('kubeplane generate', () => {
  test('writes a YAML List that kubeplane validate accepts', () => {
    const gen = runCli(['generate', '--services', '5', '--endpoints', '2', '--nodes', '2', '--seed', '3']);
    expect(gen.status).toBe(0);
    const v = runCli(['validate', '-f', '-'], gen.stdout);
    expect(v.status).toBe(0);
    expect(v.stdout).toContain('Service                  5');
    expect(v.stdout).toContain('Node                     2');
  });

  test('--format json and bad counts', () => {
    const gen = runCli(['generate', '--services', '1', '--format', 'json']);
    expect(JSON.parse(gen.stdout).kind).toBe('List');
    const bad = runCli(['generate', '--services', 'many']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--services: "many" must be an integer >= 0');
  });
});

describe('generateCluster with a largest Service', () => {
  test('svc-0 gets `largest` endpoints and the total stays services x endpoints', () => {
    const objects = generateCluster({ services: 400, endpoints: 15, nodes: 50, seed: 1, largest: 250 });
    const counts = objects
      .filter((o) => o.kind === 'EndpointSlice')
      .map((o) => (o as { endpoints: unknown[] }).endpoints.length);
    expect(counts[0]).toBe(250);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(400 * 15);
    expect(Math.max(...counts.slice(1)) - Math.min(...counts.slice(1))).toBeLessThanOrEqual(1);
  });
});
