// kube-proxy's packet-flow tests (runPacketFlowTests) reproduced: each upstream scenario is a
// fixture of ours plus upstream's table of expected outcomes; a tracer like upstream's walks our
// rendered ruleset. test/lab/nftables-traffic.test.ts sends the same kind of traffic through a kernel.
import { describe, expect, test } from 'vitest';
import {
  ENDPOINTS_DELETED_SCENARIOS,
  endpointsDeletedModel,
  FLOW_SCENARIOS,
  fullSyncModel,
  loadFixture,
  readFlows,
  TEST_NODE_IPS,
} from './support.js';
import { tracePacket } from './tracer.js';

describe.each(FLOW_SCENARIOS.map((scenario) => ({ scenario })))('upstream flows: $scenario', ({ scenario }) => {
  const { family, flows } = readFlows(scenario);
  test.each(flows)('$name', async ({ src, proto, dst, dport, output, masq }) => {
    const { model } = fullSyncModel(await loadFixture('upstream-nftables', scenario), family);
    const r = tracePacket(model, src, proto, dst, dport, TEST_NODE_IPS);
    expect({ output: r.output, masq: r.masq }, r.matches.join('\n')).toEqual({ output, masq });
  });
});

describe.each(ENDPOINTS_DELETED_SCENARIOS.map((scenario) => ({ scenario })))(
  'upstream flows after the EndpointSlice is deleted (partial sync): $scenario',
  ({ scenario }) => {
    const { family, flows } = readFlows(scenario, 'flows-endpoints-deleted.tsv');
    test.each(flows)('$name', async ({ src, proto, dst, dport, output, masq }) => {
      const model = endpointsDeletedModel(await loadFixture('upstream-nftables', scenario), family);
      const r = tracePacket(model, src, proto, dst, dport, TEST_NODE_IPS);
      expect({ output: r.output, masq: r.masq }, r.matches.join('\n')).toEqual({ output, masq });
    });
  },
);

test('every scenario with a deletion step is traced', () => {
  expect(ENDPOINTS_DELETED_SCENARIOS).toHaveLength(12);
});
