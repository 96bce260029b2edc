// The nftables ruleset in a real kernel: the demo cluster's rules, rendered by the CLI exactly as a
// user would (`kubeplane rules --mode nftables -f FILE --node NAME`), loaded with `nft -f` into the
// node namespace of a lab (client -> node -> pods, no way out), then probed with real TCP/UDP.
// The same checks run for the JSON encoding, loaded through `kubeplane apply --format json`.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadManifests } from '../../src/cluster/load.js';
import { createLab, type Lab, labSpecFromState, probe, reached } from '../../src/lab/index.js';
import { applyNft } from '../../src/lab/nft-apply.js';
import { resolveProxyConfig } from '../../src/proxy/config.js';
import { buildProxyState } from '../../src/proxy/state.js';
import { fixture, runCli } from '../support/cli.js';
import { describeKernel } from '../support/env.js';

const DEMO = fixture('demo');
/** A client address inside frontend's loadBalancerSourceRanges (203.0.113.0/25). */
const ALLOWED_SOURCE = '203.0.113.5';

interface TrafficCase {
  name: string;
  target: string;
  port: number;
  protocol: 'TCP' | 'UDP';
  count: number;
  source?: string;
  /** Exactly these endpoints answer (every one of them at least once). */
  reaches?: string[];
  /** Every attempt ends like this instead. */
  every?: 'REFUSED' | 'TIMEOUT';
}

const CASES: TrafficCase[] = [
  {
    name: 'TCP cluster IP reaches every ready endpoint',
    target: '10.96.10.40',
    port: 80,
    protocol: 'TCP',
    count: 40,
    reaches: ['10.244.0.40:9200', '10.244.1.40:9200', '10.244.2.40:9200'],
  },
  {
    name: 'UDP cluster IP reaches every ready endpoint',
    target: '10.96.0.10',
    port: 53,
    protocol: 'UDP',
    count: 30,
    reaches: ['10.244.0.3:53', '10.244.1.3:53'],
  },
  {
    name: 'TCP on the same cluster IP and port number',
    target: '10.96.0.10',
    port: 53,
    protocol: 'TCP',
    count: 30,
    reaches: ['10.244.0.3:53', '10.244.1.3:53'],
  },
  {
    name: 'service without endpoints is rejected',
    target: '10.96.10.90',
    port: 80,
    protocol: 'TCP',
    count: 3,
    every: 'REFUSED',
  },
  {
    name: 'cluster IP on a port no service has is rejected',
    target: '10.96.10.30',
    port: 81,
    protocol: 'TCP',
    count: 2,
    every: 'REFUSED',
  },
  {
    name: 'unallocated address in the service CIDR is dropped',
    target: '10.96.99.99',
    port: 80,
    protocol: 'TCP',
    count: 2,
    every: 'TIMEOUT',
  },
  {
    name: 'NodePort (Cluster policy) reaches every endpoint',
    target: '192.168.49.2',
    port: 30081,
    protocol: 'TCP',
    count: 30,
    reaches: ['10.244.0.20:8080', '10.244.1.20:8080'],
  },
  {
    name: 'externalIP reaches every endpoint',
    target: '192.168.49.100',
    port: 80,
    protocol: 'TCP',
    count: 40,
    reaches: ['10.244.0.40:9200', '10.244.1.40:9200', '10.244.2.40:9200'],
  },
  {
    name: 'NodePort with externalTrafficPolicy Local reaches only the local endpoint',
    target: '192.168.49.2',
    port: 30080,
    protocol: 'TCP',
    count: 20,
    reaches: ['10.244.0.10:8080'],
  },
  {
    name: 'LoadBalancer IP, allowed source, Local policy: only the local endpoint',
    target: '203.0.113.10',
    port: 80,
    protocol: 'TCP',
    count: 20,
    source: ALLOWED_SOURCE,
    reaches: ['10.244.0.10:8080'],
  },
  {
    name: 'LoadBalancer IP from outside the source ranges is dropped',
    target: '203.0.113.10',
    port: 80,
    protocol: 'TCP',
    count: 2,
    every: 'TIMEOUT',
  },
  {
    name: 'internalTrafficPolicy Local without a local endpoint drops',
    target: '10.96.10.70',
    port: 80,
    protocol: 'TCP',
    count: 2,
    every: 'TIMEOUT',
  },
];

async function check(lab: Lab, c: TrafficCase): Promise<void> {
  const r = await probe(lab.client, {
    target: c.target,
    port: c.port,
    protocol: c.protocol,
    count: c.count,
    timeoutMs: c.every === 'TIMEOUT' ? 700 : 1500,
    ...(c.source ? { source: c.source } : {}),
  });
  if (c.every) expect(new Set(r.outcomes)).toEqual(new Set([c.every]));
  if (c.reaches) {
    expect(
      r.outcomes.every((o) => c.reaches!.includes(o)),
      r.outcomes.join(' '),
    ).toBe(true);
    expect([...reached(r)].sort()).toEqual([...c.reaches].sort());
  }
}

async function demoLab(): Promise<Lab> {
  const { objects } = await loadManifests([DEMO]);
  const state = buildProxyState(objects, 'IPv4', resolveProxyConfig(objects));
  return createLab(labSpecFromState(state, [ALLOWED_SOURCE]));
}

describeKernel('nftables ruleset in a kernel: text via nft -f', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await demoLab();
    const r = runCli(['rules', '--mode', 'nftables', '-f', DEMO, '--node', 'node-a']);
    expect(r.status, r.stderr).toBe(0);
    await applyNft(lab.node, r.stdout, 'text');
  });
  afterAll(async () => {
    await lab?.close();
  });

  test.each(CASES)('$name', async (c) => {
    await check(lab, c);
  });

  test('ClientIP affinity sticks to one endpoint', async () => {
    const r = await probe(lab.client, { target: '10.96.10.30', port: 80, protocol: 'TCP', count: 15 });
    expect(reached(r).size, r.outcomes.join(' ')).toBe(1);
    expect(r.outcomes.every((o) => o === r.outcomes[0])).toBe(true);
    expect(['10.244.0.30:8080', '10.244.1.30:8080', '10.244.2.30:8080']).toContain(r.outcomes[0]);
  });
});

describeKernel('nftables ruleset in a kernel: JSON via kubeplane apply', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await demoLab();
    const r = runCli([
      'apply',
      '--mode',
      'nftables',
      '--netns',
      lab.node,
      '-f',
      DEMO,
      '--node',
      'node-a',
      '--format',
      'json',
    ]);
    expect(r.status, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await lab?.close();
  });

  test.each(CASES)('$name', async (c) => {
    await check(lab, c);
  });

  test('ClientIP affinity sticks to one endpoint', async () => {
    const r = await probe(lab.client, { target: '10.96.10.30', port: 80, protocol: 'TCP', count: 15 });
    expect(reached(r).size, r.outcomes.join(' ')).toBe(1);
  });
});

describeKernel('nftables ruleset in a kernel: IPv6 (ip6 table) of the dual-stack service', () => {
  let lab: Lab;
  beforeAll(async () => {
    const { objects } = await loadManifests([DEMO]);
    const state = buildProxyState(objects, 'IPv6', resolveProxyConfig(objects));
    lab = await createLab(labSpecFromState(state));
    const r = runCli(['rules', '--mode', 'nftables', '-f', DEMO, '--node', 'node-a', '--family', 'ipv6']);
    expect(r.status, r.stderr).toBe(0);
    await applyNft(lab.node, r.stdout, 'text');
  });
  afterAll(async () => {
    await lab?.close();
  });

  test('IPv6 cluster IP reaches every ready endpoint', async () => {
    await check(lab, {
      name: 'v6',
      target: 'fd00:10:96::50',
      port: 80,
      protocol: 'TCP',
      count: 30,
      reaches: ['[fd00:10:244:2::60]:8080', '[fd00:10:244::60]:8080'],
    });
  });

  test('IPv6 address in the service CIDR without a service is dropped', async () => {
    await check(lab, {
      name: 'v6 drop',
      target: 'fd00:10:96::99',
      port: 80,
      protocol: 'TCP',
      count: 2,
      every: 'TIMEOUT',
    });
  });
});
