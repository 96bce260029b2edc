// Golden nftables rulesets: rules/<fixture>.nft (nft -f text) and rules/<fixture>.nft.json
// (libnftables JSON), per fixture and IP family. `npm run rules:update` rewrites them; in CI a
// missing or stale golden fails. Every full-sync golden also replays into a table model that
// refuses a rule, element or jump before the object it uses is declared.
import { describe, expect, test } from 'vitest';
import type { IPFamily } from '../../src/cluster/types.js';
import { nftablesMode } from '../../src/proxy/nftables/mode.js';
import type { NftProfile } from '../../src/proxy/nftables/proxier-config.js';
import { renderFullSync } from '../../src/proxy/run.js';
import { fullSyncModel, loadFixture } from '../proxy/nftables/support.js';

interface GoldenCase {
  name: string;
  fixture: string[];
  family: IPFamily;
  profile: NftProfile;
}

const UPSTREAM = [
  'overall',
  'bad-ips',
  'no-endpoints-reject',
  'cluster-ip-general',
  'load-balancer',
  'node-ports-ipv4',
  'node-ports-ipv4-multiple',
  'etp-local',
  'etp-cluster',
  'internal-external-masquerade',
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
  'internal-external-masquerade-no-local-detector',
  'internal-external-masquerade-masquerade-all',
  'internal-external-masquerade-masquerade-all-no-local-detector',
  'sync-startup',
  'lb-ingress-ip-mode/proxy',
  'lb-ingress-ip-mode/vip',
  'lb-ingress-ip-mode/nil',
];

const CASES: GoldenCase[] = [
  { name: 'demo', fixture: ['demo'], family: 'IPv4', profile: 'default' },
  { name: 'demo.ipv6', fixture: ['demo'], family: 'IPv6', profile: 'default' },
  ...UPSTREAM.map((d) => ({
    name: `upstream-nftables-${d.replace('/', '-')}`,
    fixture: ['upstream-nftables', ...d.split('/')],
    family: 'IPv4' as const,
    profile: 'kube-proxy-test' as const,
  })),
  ...['node-ports-ipv6', 'node-ports-ipv6-multiple'].map((d) => ({
    name: `upstream-nftables-${d}`,
    fixture: ['upstream-nftables', d],
    family: 'IPv6' as const,
    profile: 'kube-proxy-test' as const,
  })),
];

describe.each(CASES)('$name', ({ name, fixture, family, profile }) => {
  test.each([
    { format: 'text' as const, ext: 'nft' },
    { format: 'json' as const, ext: 'nft.json' },
  ])('rules/$ext golden', async ({ format, ext }) => {
    const objects = await loadFixture(...fixture);
    const text = renderFullSync(nftablesMode, objects, {}, { family, format, profile }).payloads[0]!.text;
    if (format === 'json') expect(() => JSON.parse(text)).not.toThrow();
    await expect(text).toMatchFileSnapshot(`../../rules/${name}.${ext}`);
  });

  test('declares every chain, set and map before use', async () => {
    const objects = await loadFixture(...fixture);
    const { model } = fullSyncModel(objects, family, profile);
    expect(model.chains.size).toBeGreaterThan(10);
  });
});
