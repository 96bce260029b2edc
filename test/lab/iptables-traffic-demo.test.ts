// The demo cluster's payload (`kubeplane rules --mode iptables --with-jumps`) in a real kernel:
// real TCP/UDP connections from the lab's client to echo servers at the endpoint addresses.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadManifests } from '../../src/cluster/load.js';
import { applyIptables, createLab, type Lab, labSpecFromState, probe, reached } from '../../src/lab/index.js';
import { resolveProxyConfig } from '../../src/proxy/config.js';
import { buildProxyState } from '../../src/proxy/state.js';
import { fixture } from '../support/cli.js';
import { describeKernel } from '../support/env.js';
import { check, labFor, rules, TOOLS, type TrafficCase } from './iptables-support.js';

describeKernel(
  'iptables: traffic through the demo cluster (node-a)',
  () => {
    let lab: Lab | undefined;
    beforeAll(async () => {
      lab = await labFor([fixture('demo')], 'node-a', ['198.51.100.7']);
      await applyIptables(lab.node, rules(['-f', fixture('demo'), '--node', 'node-a']));
    }, 120_000);
    afterAll(async () => lab?.close());

    const cases: TrafficCase[] = [
      { name: 'API server (a node-IP endpoint)', target: '10.96.0.1', port: 443, want: ['192.168.49.2:6443'] },
      {
        name: 'kube-dns over UDP',
        target: '10.96.0.10',
        port: 53,
        protocol: 'UDP',
        want: ['10.244.0.3:53', '10.244.1.3:53'],
      },
      {
        name: 'kube-dns over TCP on the same port',
        target: '10.96.0.10',
        port: 53,
        want: ['10.244.0.3:53', '10.244.1.3:53'],
      },
      {
        name: 'a second port of a service',
        target: '10.96.0.10',
        port: 9153,
        want: ['10.244.0.3:9153', '10.244.1.3:9153'],
      },
      {
        name: 'ready endpoints only (not terminating, not unready)',
        target: '10.96.10.20',
        port: 80,
        want: ['10.244.0.20:8080', '10.244.1.20:8080'],
      },
      {
        name: 'endpoints split over two slices',
        target: '10.96.10.40',
        port: 80,
        want: ['10.244.0.40:9200', '10.244.1.40:9200', '10.244.2.40:9200'],
      },
      {
        name: 'dual-stack service, IPv4 side',
        target: '10.96.10.50',
        port: 80,
        want: ['10.244.0.60:8080', '10.244.2.60:8080'],
      },
      {
        name: 'UDP service',
        target: '10.96.10.60',
        port: 8125,
        protocol: 'UDP',
        want: ['10.244.0.70:8125', '10.244.1.70:8125'],
      },
      {
        name: 'serving terminating endpoints when none is ready',
        target: '10.96.10.80',
        port: 80,
        want: ['10.244.0.90:8080'],
      },
      {
        name: 'zone hints keep zone-a endpoints',
        target: '10.96.10.100',
        port: 80,
        want: ['10.244.0.100:8080', '10.244.2.100:8080'],
      },
      {
        name: 'legacy Endpoints',
        target: '10.96.10.110',
        port: 8080,
        want: ['10.244.1.110:8080', '10.244.2.110:8080'],
      },
      { name: 'no endpoints: rejected at once', target: '10.96.10.90', port: 80, want: 'REFUSED' },
      {
        name: 'internalTrafficPolicy Local without a local endpoint: dropped',
        target: '10.96.10.70',
        port: 80,
        want: 'TIMEOUT',
      },
      {
        name: 'NodePort on the node IP',
        target: '192.168.49.2',
        port: 30081,
        want: ['10.244.0.20:8080', '10.244.1.20:8080'],
      },
      { name: 'second NodePort', target: '192.168.49.2', port: 30091, want: ['10.244.0.20:9090', '10.244.1.20:9090'] },
      {
        name: 'externalTrafficPolicy Local NodePort: only the node’s own endpoint',
        target: '192.168.49.2',
        port: 30080,
        want: ['10.244.0.10:8080'],
      },
      {
        name: 'the same service’s cluster IP uses every endpoint',
        target: '10.96.10.10',
        port: 80,
        want: ['10.244.0.10:8080', '10.244.1.10:8080'],
      },
      {
        name: 'LoadBalancer IP from an allowed source range (ETP Local)',
        target: '203.0.113.10',
        port: 80,
        source: '198.51.100.7',
        want: ['10.244.0.10:8080'],
      },
      {
        name: 'LoadBalancer IP from outside the source ranges: dropped',
        target: '203.0.113.10',
        port: 80,
        want: 'TIMEOUT',
      },
      {
        name: 'externalIP',
        target: '192.168.49.100',
        port: 80,
        want: ['10.244.0.40:9200', '10.244.1.40:9200', '10.244.2.40:9200'],
      },
    ];
    test.each(cases)('$name', (c) => check(lab!, c), 120_000);

    test('ClientIP affinity keeps one endpoint across many connections', async () => {
      const r = await probe(lab!.client, {
        target: '10.96.10.30',
        port: 80,
        protocol: 'TCP',
        count: 30,
        timeoutMs: 2000,
      });
      expect(r.outcomes.every((o) => /^10\.244\.\d\.30:8080$/.test(o))).toBe(true);
      expect(reached(r).size).toBe(1);
    }, 120_000);
  },
  TOOLS,
);

describeKernel(
  'iptables: the IPv6 side of the demo (ip6tables)',
  () => {
    let lab: Lab | undefined;
    beforeAll(async () => {
      const { objects } = await loadManifests([fixture('demo')]);
      const config = resolveProxyConfig(objects, { node: 'node-a' });
      lab = await createLab(labSpecFromState(buildProxyState(objects, 'IPv6', config)));
      await applyIptables(lab.node, rules(['-f', fixture('demo'), '--node', 'node-a', '--family', 'ipv6']), {
        family: 'IPv6',
      });
    }, 120_000);
    afterAll(async () => lab?.close());
    test(
      'dual-stack service over IPv6 reaches both IPv6 endpoints',
      () =>
        check(lab!, {
          name: 'orders',
          target: 'fd00:10:96::50',
          port: 80,
          want: ['[fd00:10:244::60]:8080', '[fd00:10:244:2::60]:8080'],
        }),
      120_000,
    );
  },
  TOOLS,
);
