// Upstream fixtures in a real kernel: TestOverallIPTablesRules' cluster, and upstream's packet-flow
// tables (TestLoadBalancer, TestExternalTrafficPolicyLocal) run as real traffic.
import { afterAll, beforeAll, test } from 'vitest';
import { applyIptables, type Lab } from '../../src/lab/index.js';
import { fixture } from '../support/cli.js';
import { describeKernel } from '../support/env.js';
import { check, labFor, rules, TOOLS, type TrafficCase } from './iptables-support.js';

describeKernel(
  'iptables: traffic through upstream’s TestOverallIPTablesRules cluster (test-node)',
  () => {
    const files = [fixture('upstream-iptables', 'node.yaml'), fixture('upstream-iptables', 'overall', 'cluster.yaml')];
    let lab: Lab | undefined;
    beforeAll(async () => {
      lab = await labFor(files, 'test-node', ['203.0.113.2']);
      await applyIptables(lab.node, rules(files.flatMap((f) => ['-f', f])));
    }, 120_000);
    afterAll(async () => lab?.close());

    const cases: TrafficCase[] = [
      { name: 'cluster IP', target: '172.30.0.41', port: 80, want: ['10.180.0.1:80'] },
      {
        name: 'ETP Local without local endpoints: cluster IP still works',
        target: '172.30.0.42',
        port: 80,
        want: ['10.180.0.2:80'],
      },
      {
        name: 'ETP Local without local endpoints: externalIP dropped',
        target: '192.168.99.22',
        port: 80,
        want: 'TIMEOUT',
      },
      { name: 'ETP Local without local endpoints: LB IP dropped', target: '1.2.3.4', port: 80, want: 'TIMEOUT' },
      {
        name: 'ETP Local without local endpoints: NodePort dropped',
        target: '192.168.0.2',
        port: 3001,
        want: 'TIMEOUT',
      },
      { name: 'NodePort', target: '192.168.0.2', port: 3003, want: ['10.180.0.3:80'] },
      { name: 'externalIP', target: '192.168.99.33', port: 80, want: ['10.180.0.4:80', '10.180.0.5:80'] },
      {
        name: 'LB IP from the source range',
        target: '5.6.7.8',
        port: 80,
        source: '203.0.113.2',
        want: ['10.180.0.3:80'],
      },
      { name: 'LB IP from elsewhere: dropped by KUBE-PROXY-FIREWALL', target: '5.6.7.8', port: 80, want: 'TIMEOUT' },
      { name: 'no endpoints: rejected at once', target: '172.30.0.46', port: 80, want: 'REFUSED' },
    ];
    test.each(cases)('$name', (c) => check(lab!, c), 120_000);
  },
  TOOLS,
);

// Upstream's packet-flow tables (runPacketFlowTests in proxier_test.go), run as real traffic.
// Client sources: 203.0.113.2 (testExternalClient), 203.0.113.130 (outside the LB source range)
// and 10.0.0.2 (a pod, inside the cluster CIDR).
const POD = '10.0.0.2';
const EXTERNAL = '203.0.113.2';
const BLOCKED = '203.0.113.130';
const upstreamFlows: { name: string; dir: string; cases: TrafficCase[] }[] = [
  {
    name: 'TestLoadBalancer',
    dir: 'load-balancer',
    cases: [
      { name: 'pod to cluster IP', source: POD, target: '172.30.0.41', port: 80, want: ['10.180.0.1:80'], masq: false },
      {
        name: 'external to nodePort',
        source: EXTERNAL,
        target: '192.168.0.2',
        port: 3001,
        want: ['10.180.0.1:80'],
        masq: true,
      },
      {
        name: 'nodePort bypasses LoadBalancerSourceRanges',
        source: BLOCKED,
        target: '192.168.0.2',
        port: 3001,
        want: ['10.180.0.1:80'],
      },
      {
        name: 'accepted external to LB1',
        source: EXTERNAL,
        target: '1.2.3.4',
        port: 80,
        want: ['10.180.0.1:80'],
        masq: true,
      },
      {
        name: 'accepted external to LB2',
        source: EXTERNAL,
        target: '5.6.7.8',
        port: 80,
        want: ['10.180.0.1:80'],
        masq: true,
      },
      { name: 'blocked external to LB1', source: BLOCKED, target: '1.2.3.4', port: 80, want: 'TIMEOUT' },
      { name: 'blocked external to LB2', source: BLOCKED, target: '5.6.7.8', port: 80, want: 'TIMEOUT' },
      {
        name: 'pod to LB1 (blocked by LoadBalancerSourceRanges)',
        source: POD,
        target: '1.2.3.4',
        port: 80,
        want: 'TIMEOUT',
      },
    ],
  },
  {
    name: 'TestExternalTrafficPolicyLocal',
    dir: 'etp-local',
    cases: [
      {
        name: 'pod to cluster IP hits both endpoints',
        source: POD,
        target: '172.30.0.41',
        port: 80,
        want: ['10.180.0.1:80', '10.180.2.1:80'],
        masq: false,
      },
      {
        name: 'pod to external IP hits both endpoints',
        source: POD,
        target: '192.168.99.11',
        port: 80,
        want: ['10.180.0.1:80', '10.180.2.1:80'],
        masq: false,
      },
      {
        name: 'external to external IP hits only the local endpoint',
        source: EXTERNAL,
        target: '192.168.99.11',
        port: 80,
        want: ['10.180.2.1:80'],
        masq: false,
      },
      {
        name: 'pod to LB IP hits both endpoints',
        source: POD,
        target: '1.2.3.4',
        port: 80,
        want: ['10.180.0.1:80', '10.180.2.1:80'],
        masq: false,
      },
      {
        name: 'external to LB IP hits only the local endpoint',
        source: EXTERNAL,
        target: '1.2.3.4',
        port: 80,
        want: ['10.180.2.1:80'],
        masq: false,
      },
      {
        name: 'pod to NodePort hits both endpoints',
        source: POD,
        target: '192.168.0.2',
        port: 3001,
        want: ['10.180.0.1:80', '10.180.2.1:80'],
        masq: false,
      },
      {
        name: 'external to NodePort hits only the local endpoint',
        source: EXTERNAL,
        target: '192.168.0.2',
        port: 3001,
        want: ['10.180.2.1:80'],
        masq: false,
      },
    ],
  },
  {
    name: 'TestTerminatingEndpointsTrafficPolicyLocal, ready endpoints exist',
    dir: 'terminating-local-ready',
    cases: [
      {
        name: 'pod to clusterIP',
        source: POD,
        target: '172.30.1.1',
        port: 80,
        want: ['10.0.1.1:80', '10.0.1.2:80', '10.0.1.5:80'],
        masq: false,
      },
      {
        name: 'external to LB',
        source: EXTERNAL,
        target: '1.2.3.4',
        port: 80,
        want: ['10.0.1.1:80', '10.0.1.2:80'],
        masq: false,
      },
    ],
  },
  {
    name: 'TestTerminatingEndpointsTrafficPolicyLocal, only terminating endpoints exist',
    dir: 'terminating-local-only',
    cases: [
      { name: 'pod to clusterIP', source: POD, target: '172.30.1.1', port: 80, want: ['10.0.1.5:80'], masq: false },
      {
        name: 'external to LB',
        source: EXTERNAL,
        target: '1.2.3.4',
        port: 80,
        want: ['10.0.1.2:80', '10.0.1.3:80'],
        masq: false,
      },
    ],
  },
];

for (const flow of upstreamFlows) {
  describeKernel(
    `iptables: upstream ${flow.name} packet flows as real traffic`,
    () => {
      const files = [fixture('upstream-iptables', 'node.yaml'), fixture('upstream-iptables', flow.dir, 'cluster.yaml')];
      let lab: Lab | undefined;
      beforeAll(async () => {
        lab = await labFor(files, 'test-node', [POD, EXTERNAL, BLOCKED]);
        await applyIptables(lab.node, rules(files.flatMap((f) => ['-f', f])));
      }, 120_000);
      afterAll(async () => lab?.close());
      test.each(flow.cases)('$name', (c) => check(lab!, c), 120_000);
    },
    TOOLS,
  );
}
