// Test support: render fixtures with the nftables mode's pure renderer.
import { readFileSync } from 'node:fs';
import { loadManifests } from '../../../src/cluster/load.js';
import type { ClusterObject, IPFamily } from '../../../src/cluster/types.js';
import { resolveProxyConfig } from '../../../src/proxy/config.js';
import type { NftProfile } from '../../../src/proxy/nftables/proxier-config.js';
import { serviceCIDRsOf } from '../../../src/proxy/nftables/proxier-config.js';
import { NftMemo, type NftRenderOptions, renderSync } from '../../../src/proxy/nftables/render.js';
import { buildProxyState } from '../../../src/proxy/state.js';
import { FULL_SYNC } from '../../../src/proxy/types.js';
import { fixture } from '../../support/cli.js';
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
  const sync = renderSync(state, FULL_SYNC, new NftMemo(), renderOptions(objects, family, profile));
  const model = new NftModel(family === 'IPv4' ? 'ip' : 'ip6');
  model.apply(sync.main);
  return { model, sync, state };
}

export function upstreamExpected(scenario: string): string {
  const base = readFileSync(fixture('upstream-nftables', 'base-rules.nft'), 'utf8');
  return `${base}\n${readFileSync(fixture('upstream-nftables', scenario, 'upstream.nft'), 'utf8')}`;
}
