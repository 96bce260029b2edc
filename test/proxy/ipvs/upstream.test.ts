// Cases of kube-proxy's own pkg/proxy/ipvs/proxier_test.go, as fixtures (fixtures/upstream-ipvs/):
// each expected.json holds what the upstream test asserts, ported as data. Virtual servers and
// their real servers must be exactly upstream's FakeIPVS state (a map, so in any order); each listed ipset must hold exactly
// those entries (checkIPSet); each listed chain must have a rule with that jump and match set
// (checkIptables, which looks a chain up in every table).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { fixture } from '../../support/cli.js';
import { objectsOf, renderFull } from './render.js';

interface ExpectedRule {
  jump: string;
  matchSet: string;
  source?: string;
}
interface VS {
  protocol: string;
  address: string;
  port: number;
}
const byKey = (vs: readonly VS[]) =>
  [...vs].sort((a, b) => `${a.protocol} ${a.address} ${a.port}`.localeCompare(`${b.protocol} ${b.address} ${b.port}`));

interface Expected {
  test: string;
  /** The proxier's family (NewFakeProxier's ipFamily); IPv6 sets carry their KUBE-6- names. */
  family?: 'IPv4' | 'IPv6';
  /** Upstream's FakeIPVS state (a map: order does not count); absent when the test asserts none. */
  virtualServers?: VS[];
  ipsets?: Record<string, string[]>;
  chains?: Record<string, ExpectedRule[]>;
}

const DIR = fixture('upstream-ipvs');
const cases = readdirSync(DIR)
  .sort()
  .map((dir) => ({ dir, ...(JSON.parse(readFileSync(`${DIR}/${dir}/expected.json`, 'utf8')) as Expected) }));

/** The rules of a chain in every table, as [jump, match set, source]. */
function chainRules(payload: string, chain: string): { jump: string; matchSet: string; source: string }[] {
  return payload
    .split('\n')
    .filter((l) => l.startsWith(`-A ${chain} `))
    .map((l) => ({
      jump: / -j (\S+)/.exec(l)?.[1] ?? '',
      matchSet: / --match-set (\S+)/.exec(l)?.[1] ?? '',
      source: / -s (\S+)/.exec(l)?.[1] ?? '',
    }));
}

describe('IPVS proxier cases from upstream', () => {
  test('at least eight cases are ported', () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
  });

  test.each(cases)('$test', async ({ dir, family, virtualServers, ipsets, chains }) => {
    const objects = await objectsOf([`${DIR}/${dir}/cluster.yaml`]);
    const r = renderFull(objects, { profile: 'kube-proxy-test', format: 'json', family: family ?? 'IPv4' });
    const doc = JSON.parse(r.json!) as {
      virtualServers: VS[];
      ipsets: { name: string; members: string[] }[];
      iptables: string;
    };
    if (virtualServers) expect(byKey(doc.virtualServers)).toEqual(byKey(virtualServers));
    for (const [name, members] of Object.entries(ipsets ?? {}))
      expect(
        doc.ipsets
          .find((s) => s.name === name)
          ?.members.slice()
          .sort(),
      ).toEqual([...members].sort());
    for (const [chain, rules] of Object.entries(chains ?? {})) {
      const have = chainRules(doc.iptables, chain);
      for (const want of rules)
        expect(
          have.some(
            (h) => h.jump === want.jump && h.matchSet === want.matchSet && (!want.source || h.source === want.source),
          ),
          `${chain}: -j ${want.jump}${want.matchSet ? ` --match-set ${want.matchSet}` : ''}`,
        ).toBe(true);
    }
  });
});
