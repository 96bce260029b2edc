// What the KubeProxyConfiguration, the profile and the family change in the payload, checked
// against the rule text upstream's tests assert (TestNodePorts, TestDropInvalidRule,
// TestMasqueradeRule, TestInternalExternalMasquerade, TestSyncProxyRulesLargeClusterMode).

import { beforeAll, describe, expect, test } from 'vitest';
import { loadManifests } from '../../../src/cluster/load.js';
import type { ClusterObject, IPFamily } from '../../../src/cluster/types.js';
import { type ProxyConfig, resolveProxyConfig } from '../../../src/proxy/config.js';
import { iptablesOptions } from '../../../src/proxy/iptables/options.js';
import { EMPTY_MEMO, render } from '../../../src/proxy/iptables/render.js';
import type { Profile } from '../../../src/proxy/mode.js';
import { buildProxyState, ProxyTracker } from '../../../src/proxy/state.js';
import { FULL_SYNC } from '../../../src/proxy/types.js';
import { fixture, runCli } from '../../support/cli.js';
import { checkRuleJumps } from './iptables-dump.js';

const FIREWALL_RULE =
  '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP';
const TAIL =
  '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain"';

let overall: ClusterObject[];
let demo: ClusterObject[];
beforeAll(async () => {
  overall = (
    await loadManifests([
      fixture('upstream-iptables', 'node.yaml'),
      fixture('upstream-iptables', 'overall', 'cluster.yaml'),
    ])
  ).objects;
  demo = (await loadManifests([fixture('demo')])).objects;
});

function payload(
  objects: ClusterObject[],
  patch: Partial<ProxyConfig> = {},
  family: IPFamily = 'IPv4',
  profile: 'default' | 'kube-proxy-test' = 'kube-proxy-test',
): string[] {
  const config = { ...resolveProxyConfig(objects), ...patch };
  const state = buildProxyState(objects, family, config);
  const text = render(state, FULL_SYNC, EMPTY_MEMO, iptablesOptions(config, family, profile)).payload;
  expect(checkRuleJumps(text)).toEqual([]);
  return text.split('\n');
}

describe('localhost NodePorts and KUBE-FIREWALL (TestNodePorts)', () => {
  test('IPv4 with localhost NodePorts: the anti-martian rule and the localhost NodePort rules', () => {
    const lines = payload(overall);
    expect(lines.filter((l) => l.startsWith('-A KUBE-FIREWALL'))).toEqual([FIREWALL_RULE]);
    expect(lines).toContain(`${TAIL} -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`);
    expect(lines.filter((l) => l.includes('-d 127.0.0.0/8 --dport'))).toHaveLength(3);
  });
  test('IPv4 without localhost NodePorts: no KUBE-FIREWALL, and the tail skips 127.0.0.0/8', () => {
    const lines = payload(overall, { localhostNodePorts: false });
    expect(lines.some((l) => l.includes('KUBE-FIREWALL -'))).toBe(false);
    expect(lines).toContain(`${TAIL} -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS`);
    expect(lines.filter((l) => l.includes('localhost_nps_accepted_pkts'))).toEqual([]);
  });
  test('explicit nodePortAddresses: one tail rule per matching node IP, loopback only with localhost NodePorts', () => {
    expect(
      payload(overall, { nodePortAddresses: ['192.168.0.0/24', '127.0.0.1/32'] }).filter((l) => l.startsWith(TAIL)),
    ).toEqual([`${TAIL} -d 192.168.0.2 -j KUBE-NODEPORTS`, `${TAIL} -d 127.0.0.1 -j KUBE-NODEPORTS`]);
    expect(
      payload(overall, { nodePortAddresses: ['192.168.0.0/24', '127.0.0.1/32'], localhostNodePorts: false }).filter(
        (l) => l.startsWith(TAIL),
      ),
    ).toEqual([`${TAIL} -d 192.168.0.2 -j KUBE-NODEPORTS`]);
  });
  test('IPv6: no KUBE-FIREWALL, and the tail excludes ::1', () => {
    const lines = payload(demo, {}, 'IPv6', 'default');
    expect(lines.some((l) => l.includes('KUBE-FIREWALL'))).toBe(false);
    expect(lines).toContain(`${TAIL} -m addrtype --dst-type LOCAL ! -d ::1/128 -j KUBE-NODEPORTS`);
  });
});

describe('KUBE-FORWARD INVALID drop (TestDropInvalidRule)', () => {
  test.each([
    {
      name: 'nfacct counter present (test profile)',
      profile: 'kube-proxy-test',
      liberal: false,
      want: [
        '-A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP',
      ],
    },
    {
      name: 'no nfacct counter (default profile)',
      profile: 'default',
      liberal: false,
      want: ['-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP'],
    },
    { name: 'conntrack tcpBeLiberal: no drop rule', profile: 'default', liberal: true, want: [] },
  ])('$name', ({ profile, liberal, want }) => {
    const lines = payload(overall, { conntrackTCPBeLiberal: liberal }, 'IPv4', profile as Profile);
    expect(lines.filter((l) => l.includes('INVALID'))).toEqual(want);
  });
});

describe('masquerading (TestMasqueradeRule, TestInternalExternalMasquerade)', () => {
  test.each([
    { name: 'test profile: mark 0x4000, no --random-fully', profile: 'kube-proxy-test', mark: '0x4000', suffix: '' },
    {
      name: 'default profile: mark 0x00004000, --random-fully',
      profile: 'default',
      mark: '0x00004000',
      suffix: ' --random-fully',
    },
  ])('$name', ({ profile, mark, suffix }) => {
    const lines = payload(overall, {}, 'IPv4', profile as Profile);
    expect(lines.filter((l) => l.startsWith('-A KUBE-POSTROUTING') || l.startsWith('-A KUBE-MARK-MASQ'))).toEqual([
      `-A KUBE-POSTROUTING -m mark ! --mark ${mark}/${mark} -j RETURN`,
      `-A KUBE-POSTROUTING -j MARK --xor-mark ${mark}`,
      `-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE${suffix}`,
      `-A KUBE-MARK-MASQ -j MARK --or-mark ${mark}`,
    ]);
  });
  test('masqueradeBit moves the mark', () => {
    expect(payload(overall, { iptablesMasqueradeBit: 1 }, 'IPv4', 'default')).toContain(
      '-A KUBE-MARK-MASQ -j MARK --or-mark 0x00000002',
    );
  });
  test('masqueradeAll marks all cluster-IP traffic', () => {
    expect(payload(overall, { masqueradeAll: true })).toContain(
      '-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-MARK-MASQ',
    );
  });
  test('without a local-traffic detector: no cluster-IP masquerade rule and no pod short-circuit', () => {
    const lines = payload(overall, { detectLocalMode: 'None' });
    expect(
      lines.filter(
        (l) => l.includes('cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ') && l.includes('MARK-MASQ'),
      ),
    ).toEqual([]);
    expect(lines.filter((l) => l.includes('pod traffic for'))).toEqual([]);
  });
});

describe('large-cluster mode (TestSyncProxyRulesLargeClusterMode)', () => {
  const dir = (f: string) => fixture('upstream-iptables', 'large-cluster', f);
  test('below 1000 endpoints endpoint rules keep their comments', () => {
    const r = runCli(['rules', '--mode', 'iptables', '-f', dir('below.yaml')]);
    expect(r.stdout).toContain(
      '-A KUBE-SEP-DKGQUZGBKLTPAR56 -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.0.0.0:80',
    );
  });
  test('crossing 1000 endpoints: the partial sync writes only svc3, without comments', () => {
    const r = runCli(['diff', '--mode', 'iptables', '--from', dir('below.yaml'), '--to', dir('above.yaml')]);
    const dnat = r.stdout.split('\n').filter((l) => l.includes('-j DNAT'));
    expect(dnat).toHaveLength(3);
    expect(dnat).toContain('-A KUBE-SEP-RUVVH7YV3PHQBDOS -m tcp -p tcp -j DNAT --to-destination 203.0.113.4:8081');
  });
  test('a full sync above 1000 endpoints drops every endpoint comment', () => {
    const r = runCli(['rules', '--mode', 'iptables', '-f', dir('above.yaml')]);
    expect(r.stdout).toContain('-A KUBE-SEP-DKGQUZGBKLTPAR56 -m tcp -p tcp -j DNAT --to-destination 10.0.0.0:80');
    expect(r.stdout.split('\n').filter((l) => l.startsWith('-A KUBE-SEP-') && l.includes('--comment'))).toEqual([]);
  });
});

describe('large-cluster mode: stale chains wait for the next cleanup (TestSyncProxyRulesLargeClusterMode)', () => {
  const dir = (f: string) => fixture('upstream-iptables', 'large-cluster', f);
  const dnat = (payload: string) =>
    payload.split('\n').filter((l) => l.startsWith('-A KUBE-SEP-') && l.includes('-j DNAT'));
  test('svc4 added and deleted: chains deleted only once a cleanup is due, then a full sync', async () => {
    const objects = (await loadManifests([dir('above.yaml'), dir('svc4.yaml')])).objects;
    const config = resolveProxyConfig(objects);
    const opt = iptablesOptions(config, 'IPv4', 'kube-proxy-test');
    const tracker = new ProxyTracker('IPv4', config);
    for (const o of objects) if (o.metadata?.namespace !== 'ns4') tracker.upsert(o);
    let r = render(tracker.sync().state, FULL_SYNC, EMPTY_MEMO, opt);
    const sync = (cleanupDue: boolean) => {
      const { state, changes } = tracker.sync();
      r = render(state, changes, r.memo, opt, { cleanupDue });
      return r.payload;
    };
    for (const o of objects) if (o.metadata?.namespace === 'ns4') tracker.upsert(o);
    expect(dnat(sync(false))).toEqual([
      '-A KUBE-SEP-SU5STNODRYEWJAUF -m tcp -p tcp -j DNAT --to-destination 10.4.0.1:8082',
    ]);
    for (const o of objects) if (o.kind === 'Service' && o.metadata.name === 'svc4') tracker.delete(o);
    let payload = sync(false);
    expect(dnat(payload)).toEqual([]);
    expect(payload).not.toContain('-X ');
    payload = sync(true);
    expect(dnat(payload)).toEqual([]);
    expect(payload.split('\n').filter((l) => l.startsWith('-X '))).toEqual([
      '-X KUBE-SEP-SU5STNODRYEWJAUF',
      '-X KUBE-SVC-EBDQOQU5SJFXRIL3',
    ]);
    expect(sync(true)).not.toContain('-X ');
    expect(dnat(render(tracker.sync().state, FULL_SYNC, r.memo, opt).payload)).toHaveLength(1001);
  });
  test('diff in large-cluster mode: the partial sync right after the full one deletes nothing', () => {
    const r = runCli([
      'diff',
      '--mode',
      'iptables',
      '--from',
      dir('above.yaml'),
      '--from',
      dir('svc4.yaml'),
      '--to',
      dir('above.yaml'),
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/^-X /m);
    expect(r.stdout).toContain('# chains deleted (0)');
  });
});

describe('kubeplane rules / diff', () => {
  test('--with-jumps adds the jump rules from the built-in chains, in kube-proxy order', () => {
    const r = runCli(['rules', '--mode', 'iptables', '--with-jumps', '-f', fixture('demo')]);
    const jumps = r.stdout.split('\n').filter((l) => l.startsWith('-I '));
    expect(jumps).toHaveLength(14);
    expect(jumps.at(-1)).toBe(
      '-I POSTROUTING 1 -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    );
    const v6 = runCli(['rules', '--mode', 'iptables', '--with-jumps', '--family', 'ipv6', '-f', fixture('demo')]);
    expect(v6.stdout).not.toContain('-j KUBE-FIREWALL');
  });
  test('diff prints the partial payload and a summary of the chains', () => {
    const step = (s: string) => fixture('upstream-iptables', 'sync-repeated', s, 'cluster.yaml');
    const node = fixture('upstream-iptables', 'node.yaml');
    const r = runCli([
      'diff',
      '--mode',
      'iptables',
      '--from',
      node,
      '--from',
      step('5-add-endpoints'),
      '--to',
      node,
      '--to',
      step('6-change-endpoint'),
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('# '))).toEqual([
      '# services rewritten (1): ns3/svc3',
      '# chains added (1): KUBE-SEP-DKCFIS26GWF2WLWC',
      '# chains rewritten (1): KUBE-SVC-X27LE4BHSL4DOUIK',
      '# chains deleted (1): KUBE-SEP-BSWRHOQ77KEXZLNL',
      '# rules in payload: filter 4, nat 13; skipped nat rules of unchanged services: 8',
    ]);
  });
  test('--format json lists chains and rules per table', () => {
    const r = runCli(['rules', '--mode', 'iptables', '--format', 'json', '-f', fixture('demo')]);
    const j = JSON.parse(r.stdout) as { tables: Record<string, { chains: string[]; rules: string[] }> };
    expect(Object.keys(j.tables)).toEqual(['filter', 'nat']);
    expect(j.tables.nat!.chains.slice(0, 4)).toEqual([
      'KUBE-SERVICES',
      'KUBE-NODEPORTS',
      'KUBE-POSTROUTING',
      'KUBE-MARK-MASQ',
    ]);
  });
  test.each([
    { name: 'unknown profile', args: ['--profile', 'fast', '-f', fixture('demo')], err: /--profile/ },
    { name: 'unknown node', args: ['--node', 'nope', '-f', fixture('demo')], err: /nope/ },
  ])('bad input: $name exits 2 and prints nothing', ({ args, err }) => {
    const r = runCli(['rules', '--mode', 'iptables', ...args]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(err);
  });
});
