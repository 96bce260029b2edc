// The iptables payloads in a real kernel: `kubeplane rules --mode iptables --with-jumps` loaded into
// the lab's node namespace, real TCP/UDP connections from the client namespace to echo servers at
// the endpoint addresses. Each row says which endpoints must answer (all of them, and only them).
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadManifests } from '../../src/cluster/load.js';
import { applyIptables, createLab, type Lab, labSpecFromState, probe, reached } from '../../src/lab/index.js';
import { resolveProxyConfig } from '../../src/proxy/config.js';
import { buildProxyState } from '../../src/proxy/state.js';
import { fixture, ROOT, runCli } from '../support/cli.js';
import { describeKernel } from '../support/env.js';

const TOOLS = ['ip', 'iptables-restore', 'ip6tables-restore'];

interface TrafficCase {
  name: string;
  target: string;
  port: number;
  protocol?: 'TCP' | 'UDP';
  source?: string;
  /** The endpoints that must answer, or the verdict every connection must get. */
  want: string[] | 'REFUSED' | 'TIMEOUT';
  /** Whether the endpoint must see the client's address replaced (masqueraded) or kept. */
  masq?: boolean;
}

function rules(args: string[]): string {
  const r = runCli(['rules', '--mode', 'iptables', '--with-jumps', ...args]);
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

async function check(lab: Lab, c: TrafficCase): Promise<void> {
  const expectsAnswers = Array.isArray(c.want);
  const count = expectsAnswers ? Math.max(12, 14 * (c.want as string[]).length) : 3;
  const r = await probe(lab.client, {
    target: c.target,
    port: c.port,
    protocol: c.protocol ?? 'TCP',
    count,
    timeoutMs: expectsAnswers ? 3000 : 400,
    ...(c.source ? { source: c.source } : {}),
  });
  if (expectsAnswers) {
    expect(r.outcomes.filter((o) => !(c.want as string[]).includes(o))).toEqual([]);
    expect([...reached(r)].sort()).toEqual([...(c.want as string[])].sort());
    if (c.masq !== undefined) {
      const source = c.source ?? lab.clientIPv4;
      expect(r.peers.map((p) => (p === source ? 'kept' : 'masqueraded'))).toEqual(
        Array(count).fill(c.masq ? 'masqueraded' : 'kept'),
      );
    }
  } else {
    expect(r.outcomes).toEqual(Array(count).fill(c.want));
  }
}

async function labFor(files: string[], nodeName: string, clientIPs: string[]) {
  const { objects } = await loadManifests(files);
  const config = resolveProxyConfig(objects, { node: nodeName });
  const state = buildProxyState(objects, 'IPv4', config);
  return createLab(labSpecFromState(state, clientIPs));
}

describeKernel(
  'iptables: golden payloads load',
  () => {
    const goldens = readdirSync(`${ROOT}/rules`).filter((f) => f.endsWith('.iptables'));
    let lab: Lab | undefined;
    beforeAll(async () => {
      lab = await createLab({ nodeIPs: [], endpoints: [] });
    }, 30_000);
    afterAll(async () => lab?.close());
    test.each(goldens.map((golden) => ({ golden })))('iptables-restore --test accepts $golden', async ({ golden }) => {
      const payload = readFileSync(`${ROOT}/rules/${golden}`, 'utf8');
      const family = golden.includes('.ipv6.') ? 'IPv6' : 'IPv4';
      await applyIptables(lab!.node, payload, { test: true, family });
    });
  },
  TOOLS,
);

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
    test.each(cases)('$name', (c) => check(lab!, c), 30_000);

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
    }, 30_000);
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
      30_000,
    );
  },
  TOOLS,
);

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
    test.each(cases)('$name', (c) => check(lab!, c), 30_000);
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
      test.each(flow.cases)('$name', (c) => check(lab!, c), 30_000);
    },
    TOOLS,
  );
}

describe.sequential('partial syncs', () => {
  describeKernel(
    'iptables: a partial-sync payload with --noflush gives the traffic of a full sync (TestSyncProxyRulesRepeated)',
    () => {
      const node = fixture('upstream-iptables', 'node.yaml');
      const step = (s: string) => fixture('upstream-iptables', 'sync-repeated', s, 'cluster.yaml');
      const steps = [
        '1-initial',
        '2-add-service',
        '3-delete-service',
        '4-add-service-without-endpoints',
        '5-add-endpoints',
        '6-change-endpoint',
        '7-add-endpoint',
        '9-delete-service-full-sync',
      ];
      const services = [
        { target: '172.30.0.41', port: 80 },
        { target: '172.30.0.42', port: 8080 },
        { target: '172.30.0.43', port: 80 },
        { target: '172.30.0.44', port: 80 },
      ];
      let lab: Lab | undefined;
      beforeAll(async () => {
        // Every endpoint any step uses gets an echo server.
        const { objects } = await loadManifests([node, ...steps.map(step)].slice(0, 1).concat(step('7-add-endpoint')));
        const config = resolveProxyConfig(objects);
        const spec = labSpecFromState(buildProxyState(objects, 'IPv4', config));
        const extra = ['10.0.2.1:8080', '10.0.3.1:80'].map((e) => {
          const [ip, port] = e.split(':');
          return { ip: ip!, port: Number(port), protocol: 'TCP' as const };
        });
        lab = await createLab({ ...spec, endpoints: [...spec.endpoints, ...extra] });
        await applyIptables(lab.node, rules(['-f', node, '-f', step(steps[0]!)]));
      }, 120_000);
      afterAll(async () => lab?.close());

      async function traffic(): Promise<string[]> {
        const out: string[] = [];
        for (const s of services) {
          const r = await probe(lab!.client, { ...s, protocol: 'TCP', count: 6, timeoutMs: 300 });
          // No rule for the address: it is routed into the lab's dead end, which answers with
          // silence or, once the neighbour lookup fails, host-unreachable. Both mean "not served".
          const seen = r.outcomes.map((o) => (o === 'ERROR:EHOSTUNREACH' ? 'TIMEOUT' : o));
          out.push(`${s.target}: ${[...new Set(seen)].sort().join(' ')}`);
        }
        return out;
      }

      test.each(steps.slice(1).map((to, i) => ({ name: `${steps[i]} -> ${to}`, from: steps[i]!, to })))(
        '$name',
        async ({ from, to }) => {
          const d = runCli([
            'diff',
            '--mode',
            'iptables',
            '--from',
            node,
            '--from',
            step(from),
            '--to',
            node,
            '--to',
            step(to),
          ]);
          expect(d.status).toBe(0);
          await applyIptables(lab!.node, d.stdout, { noflush: true });
          const afterPartial = await traffic();
          // The same namespace reloaded from scratch with a full sync of the new state.
          await applyIptables(lab!.node, rules(['-f', node, '-f', step(to)]));
          expect(afterPartial).toEqual(await traffic());
          // Back to the partial-sync history for the next step: reload the old state and re-apply.
          await applyIptables(lab!.node, rules(['-f', node, '-f', step(from)]));
          await applyIptables(lab!.node, d.stdout, { noflush: true });
        },
        30_000,
      );
    },
    TOOLS,
  );
});
