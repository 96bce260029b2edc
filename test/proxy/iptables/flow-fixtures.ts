// Test support for upstream's iptables packet-flow tests: each scenario is a folder of
// fixtures/upstream-iptables/flows/ (cluster.yaml, an optional node.yaml replacing the shared one,
// and flows*.tsv tables of upstream's expected outcomes), rendered as `kubeplane rules --mode
// iptables --profile kube-proxy-test` renders it. Second-step tables (after the EndpointSlices or
// Services are deleted) are traced over the kernel's state after a partial sync: the first full
// payload with the partial payload restored on top, as iptables-restore --noflush does.
import { existsSync } from 'node:fs';
import { loadManifests } from '../../../src/cluster/load.js';
import type { ClusterObject, IPFamily } from '../../../src/cluster/types.js';
import { resolveProxyConfig } from '../../../src/proxy/config.js';
import { iptablesOptions } from '../../../src/proxy/iptables/options.js';
import { EMPTY_MEMO, render } from '../../../src/proxy/iptables/render.js';
import { ProxyTracker } from '../../../src/proxy/state.js';
import { FULL_SYNC } from '../../../src/proxy/types.js';
import { fixture } from '../../support/cli.js';
import { type FlowCase, readFlowTable } from '../../support/flow-table.js';

export type { FlowCase };

import { parseDump } from './iptables-dump.js';

/** upstream's testNodeIPs: what `-m addrtype --src-type/--dst-type LOCAL` treats as the node's. */
export const TEST_NODE_IPS = ['192.168.0.2', '192.168.1.2', '192.168.99.11', '2001:db8::1', '2001:db8:1::2'];

const dir = (scenario: string, ...p: string[]) => fixture('upstream-iptables', 'flows', scenario, ...p);

export function readFlows(scenario: string, file = 'flows.tsv'): { family: IPFamily; flows: FlowCase[] } {
  return readFlowTable(dir(scenario, file));
}

export function hasFlows(scenario: string, file: string): boolean {
  return existsSync(dir(scenario, file));
}

export async function loadScenario(scenario: string): Promise<ClusterObject[]> {
  const node = existsSync(dir(scenario, 'node.yaml'))
    ? dir(scenario, 'node.yaml')
    : fixture('upstream-iptables', 'flows', 'node.yaml');
  return (await loadManifests([node, dir(scenario, 'cluster.yaml')])).objects as ClusterObject[];
}

/** The full payload of a scenario, and the kernel's rules after `remove`'s objects are deleted. */
export function syncs(objects: readonly ClusterObject[], family: IPFamily, remove?: 'EndpointSlice' | 'Service') {
  const config = resolveProxyConfig(objects);
  const opt = iptablesOptions(config, family, 'kube-proxy-test');
  const tracker = new ProxyTracker(family, config);
  for (const o of objects) tracker.upsert(o);
  const first = render(tracker.sync().state, FULL_SYNC, EMPTY_MEMO, opt);
  if (!remove) return { full: first.payload, after: first.payload };
  for (const o of objects) if (o.kind === remove) tracker.delete(o);
  const { state, changes } = tracker.sync();
  const second = render(state, changes, first.memo, opt);
  return { full: first.payload, partial: second.payload, after: restoreNoFlush(first.payload, second.payload) };
}

/**
 * iptables-restore --noflush of `payload` over `kernel`: a chain the payload declares is flushed
 * and gets the payload's rules, `-X` deletes a chain, every other chain is left as it was.
 */
export function restoreNoFlush(kernel: string, payload: string): string {
  const before = parseDump(kernel);
  let out = '';
  for (const t of parseDump(payload)) {
    const chains = new Map((before.find((b) => b.name === t.name)?.chains ?? []).map((c) => [c.name, c.rules]));
    for (const c of t.chains) chains.set(c.name, c.rules);
    for (const c of t.chains) if (c.deleted) chains.delete(c.name);
    out += `*${t.name}\n`;
    for (const name of chains.keys()) out += `:${name} - [0:0]\n`;
    for (const rules of chains.values()) for (const r of rules) out += `${r}\n`;
    out += 'COMMIT\n';
  }
  return out;
}

export const FLOW_SCENARIOS = [
  'no-endpoints-reject',
  'cluster-ip-general',
  'load-balancer',
  'node-ports-ipv4',
  'node-ports-ipv4-localhost-disabled',
  'node-ports-ipv4-localhost-in-addresses',
  'node-ports-ipv4-multiple',
  'node-ports-ipv6',
  'node-ports-ipv6-localhost-disabled',
  'node-ports-ipv6-multiple',
  'health-check-node-port',
  'etp-local',
  'etp-cluster',
  'internal-external-masquerade',
  'internal-external-masquerade-no-local-detector',
  'internal-external-masquerade-masquerade-all',
  'internal-external-masquerade-masquerade-all-no-local-detector',
  'itp-cluster',
  'itp-local-one-local',
  'itp-local-multiple-local',
  'itp-local-no-local',
  'terminating-endpoints-local-ready',
  'terminating-endpoints-local-only-terminating',
  'terminating-endpoints-local-remote',
  'terminating-endpoints-local-none-usable',
  'terminating-endpoints-cluster',
  'terminating-endpoints-only',
  'terminating-endpoints-cluster-remote',
  'terminating-endpoints-cluster-none-usable',
] as const;
