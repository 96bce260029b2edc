// kube-proxy's iptables packet-flow tests (runPacketFlowTests in pkg/proxy/iptables/proxier_test.go)
// reproduced: each upstream scenario is a fixture of ours plus upstream's table of expected outcomes,
// traced through our rendered payload by a tracer like upstream's. Two-step tests (an EndpointSlice
// or Service deleted, then a partial sync) are traced over the first payload with the partial one
// restored on top. test/lab/iptables-traffic-upstream.test.ts sends some of this through a kernel.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { fixture, runCli } from '../../support/cli.js';
import {
  FLOW_SCENARIOS,
  hasFlows,
  loadScenario,
  readFlows,
  restoreNoFlush,
  syncs,
  TEST_NODE_IPS,
} from './flow-fixtures.js';
import { checkRuleJumps, parseDump } from './iptables-dump.js';
import { parsePayload, tracePacket } from './tracer.js';

const STEPS = [
  { file: 'flows.tsv', remove: undefined },
  { file: 'flows-endpoints-deleted.tsv', remove: 'EndpointSlice' },
  { file: 'flows-service-deleted.tsv', remove: 'Service' },
] as const;

const cases = FLOW_SCENARIOS.flatMap((scenario) =>
  STEPS.filter((s) => hasFlows(scenario, s.file)).map((s) => ({
    name: s.remove ? `${scenario} (${s.remove} deleted, partial sync)` : scenario,
    scenario,
    ...s,
  })),
);

describe.each(cases)('upstream flows: $name', ({ scenario, file, remove }) => {
  const { family, flows } = readFlows(scenario, file);
  let payload: ReturnType<typeof parsePayload> | undefined;
  const rendered = async () => {
    if (!payload) {
      const s = syncs(await loadScenario(scenario), family, remove);
      expect(checkRuleJumps(s.after)).toEqual([]);
      payload = parsePayload(s.after);
    }
    return payload;
  };
  test.each(flows)('$name', async ({ src, proto, dst, dport, output, masq }) => {
    const r = tracePacket(await rendered(), src, proto, dst, dport, TEST_NODE_IPS);
    expect({ output: r.output, masq: r.masq }, r.matches.join('\n')).toEqual({ output, masq });
  });
});

describe('the CLI renders what the flows trace', () => {
  test.each([
    { scenario: 'etp-local', family: 'ipv4' },
    { scenario: 'node-ports-ipv6-multiple', family: 'ipv6' },
    { scenario: 'internal-external-masquerade-no-local-detector', family: 'ipv4' },
  ])('$scenario ($family)', async ({ scenario, family }) => {
    const node = hasFlows(scenario, 'node.yaml')
      ? fixture('upstream-iptables', 'flows', scenario, 'node.yaml')
      : fixture('upstream-iptables', 'flows', 'node.yaml');
    const r = runCli([
      'rules',
      '--mode',
      'iptables',
      '--profile',
      'kube-proxy-test',
      '--family',
      family,
      '--node',
      'test-node',
      '-f',
      node,
      '-f',
      fixture('upstream-iptables', 'flows', scenario, 'cluster.yaml'),
    ]);
    expect(r.status).toBe(0);
    const objects = await loadScenario(scenario);
    expect(r.stdout).toBe(syncs(objects, family === 'ipv6' ? 'IPv6' : 'IPv4').full);
  });
});

describe('KUBE-FIREWALL anti-martian rule (TestNodePorts, checked on the payload as upstream does)', () => {
  const FIREWALL =
    '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP';
  test.each([
    { scenario: 'node-ports-ipv4', want: [FIREWALL] },
    { scenario: 'node-ports-ipv4-localhost-disabled', want: [] },
    { scenario: 'node-ports-ipv4-localhost-in-addresses', want: [] },
    { scenario: 'node-ports-ipv4-multiple', want: [] },
    { scenario: 'node-ports-ipv6', want: [] },
    { scenario: 'node-ports-ipv6-localhost-disabled', want: [] },
    { scenario: 'node-ports-ipv6-multiple', want: [] },
  ])('$scenario', async ({ scenario, want }) => {
    const { family } = readFlows(scenario);
    const { full } = syncs(await loadScenario(scenario), family);
    const filter = parseDump(full).find((t) => t.name === 'filter')!;
    expect(filter.chains.find((c) => c.name === 'KUBE-FIREWALL')?.rules ?? []).toEqual(want);
  });
});

describe("the tracer on upstream's own static rules (TestTracePacket)", () => {
  const rules = parsePayload(
    readFileSync(fixture('upstream-iptables', 'flows', 'trace-packet', 'rules.iptables'), 'utf8'),
  );
  test.each(readFlows('trace-packet').flows)('$name', ({ src, proto, dst, dport, output, masq }) => {
    const r = tracePacket(rules, src, proto, dst, dport, TEST_NODE_IPS);
    expect({ output: r.output, masq: r.masq }, r.matches.join('\n')).toEqual({ output, masq });
  });
  test('a rule option the tracer does not know is refused, not skipped', () => {
    expect(() =>
      parsePayload('*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -m multiport --dports 1,2 -j ACCEPT\nCOMMIT\n'),
    ).toThrow(/multiport/);
  });
});

describe('restoreNoFlush (the kernel model the two-step flows use)', () => {
  test('declared chains are replaced, -X deletes, others are kept', () => {
    const kernel = '*nat\n:A - [0:0]\n:B - [0:0]\n:C - [0:0]\n-A A -j B\n-A B -j C\n-A C -j DROP\nCOMMIT\n';
    const payload = '*nat\n:A - [0:0]\n:C - [0:0]\n-A A -j DROP\n-X C\nCOMMIT\n';
    expect(restoreNoFlush(kernel, payload)).toBe('*nat\n:A - [0:0]\n:B - [0:0]\n-A A -j DROP\n-A B -j C\nCOMMIT\n');
  });
});
