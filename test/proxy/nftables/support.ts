// Test support: render fixtures with the nftables mode's pure renderer.
import { existsSync, readFileSync } from 'node:fs';
import { loadManifests } from '../../../src/cluster/load.js';
import type { ClusterObject, IPFamily } from '../../../src/cluster/types.js';
import { resolveProxyConfig } from '../../../src/proxy/config.js';
import type { NftProfile } from '../../../src/proxy/nftables/proxier-config.js';
import { serviceCIDRsOf } from '../../../src/proxy/nftables/proxier-config.js';
import { EMPTY_NFT_MEMO, type NftRenderOptions, renderSync } from '../../../src/proxy/nftables/render.js';
import { buildProxyState, ProxyTracker } from '../../../src/proxy/state.js';
import { FULL_SYNC } from '../../../src/proxy/types.js';
import { fixture } from '../../support/cli.js';
import { type FlowCase, readFlowTable } from '../../support/flow-table.js';

export type { FlowCase };

import { NftModel } from './nft-model.js';

export async function loadFixture(...parts: string[]): Promise<ClusterObject[]> {
  return (await loadManifests([fixture(...parts)])).objects as ClusterObject[];
}

export function renderOptions(
  objects: readonly ClusterObject[],
  family: IPFamily,
  profile: NftProfile,
  json = false,
): NftRenderOptions {
  return { family, profile, json, serviceCIDRs: serviceCIDRsOf(objects, family) };
}

/** A full sync of `objects` replayed into a model (which checks declaration before use). */
export function fullSyncModel(
  objects: readonly ClusterObject[],
  family: IPFamily = 'IPv4',
  profile: NftProfile = 'kube-proxy-test',
) {
  const config = resolveProxyConfig(objects);
  const state = buildProxyState(objects, family, config);
  const sync = renderSync(state, FULL_SYNC, EMPTY_NFT_MEMO, renderOptions(objects, family, profile));
  const model = new NftModel(family === 'IPv4' ? 'ip' : 'ip6');
  model.apply(sync.main);
  return { model, sync, state };
}

/**
 * Upstream's two-step flow tests (TestInternalTrafficPolicy, TestTerminatingEndpoints*): a full sync,
 * then every EndpointSlice deleted and a second, partial sync into the same table.
 */
export function endpointsDeletedModel(objects: readonly ClusterObject[], family: IPFamily = 'IPv4') {
  const tracker = new ProxyTracker(family, resolveProxyConfig(objects));
  let memo = EMPTY_NFT_MEMO;
  const model = new NftModel(family === 'IPv4' ? 'ip' : 'ip6');
  const options = renderOptions(objects, family, 'kube-proxy-test');
  const sync = () => {
    const { state, changes } = tracker.sync();
    const out = renderSync(state, changes, memo, options);
    memo = out.memo;
    model.apply(out.pre);
    model.apply(out.main);
  };
  for (const o of objects) tracker.upsert(o);
  sync();
  for (const o of objects) if (o.kind === 'EndpointSlice') tracker.delete(o);
  sync();
  return model;
}

export function upstreamExpected(scenario: string): string {
  const base = readFileSync(fixture('upstream-nftables', 'base-rules.nft'), 'utf8');
  return `${base}\n${readFileSync(fixture('upstream-nftables', scenario, 'upstream.nft'), 'utf8')}`;
}

/** The packet-flow table of an upstream scenario (flows.tsv: upstream's expected outputs). */
export function readFlows(scenario: string, file = 'flows.tsv'): { family: IPFamily; flows: FlowCase[] } {
  return readFlowTable(fixture('upstream-nftables', scenario, file));
}

/** upstream's testNodeIPs: the addresses "fib ... type local" treats as the node's. */
export const TEST_NODE_IPS = ['192.168.0.2', '192.168.1.2', '192.168.99.11', '2001:db8::1', '2001:db8:1::2'];

export const FLOW_SCENARIOS = [
  'no-endpoints-reject',
  'cluster-ip-general',
  'load-balancer',
  'node-ports-ipv4',
  'node-ports-ipv4-multiple',
  'node-ports-ipv6',
  'node-ports-ipv6-multiple',
  'etp-local',
  'etp-cluster',
  'internal-external-masquerade',
  'internal-external-masquerade-no-local-detector',
  'internal-external-masquerade-masquerade-all',
  'internal-external-masquerade-masquerade-all-no-local-detector',
  'terminating-endpoints-cluster',
  'terminating-endpoints-only',
  'terminating-endpoints-cluster-remote',
  'terminating-endpoints-cluster-none-usable',
  'terminating-endpoints-local-ready',
  'terminating-endpoints-local-only-terminating',
  'terminating-endpoints-local-remote',
  'terminating-endpoints-local-none-usable',
  'itp-cluster',
  'itp-local-one-local',
  'itp-local-multiple-local',
  'itp-local-no-local',
] as const;

/** Scenarios whose upstream test deletes the EndpointSlice, syncs again and traces once more. */
export const ENDPOINTS_DELETED_SCENARIOS = FLOW_SCENARIOS.filter((s) =>
  existsSync(fixture('upstream-nftables', s, 'flows-endpoints-deleted.tsv')),
);
