// Scenarios from kube-proxy's own pkg/proxy/iptables/proxier_test.go, written as fixtures of ours
// (fixtures/upstream-iptables/) and rendered with --profile kube-proxy-test: the payload must equal
// upstream's expected payload (kept as test data) after upstream's own order normalisation.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { loadManifests } from '../../../src/cluster/load.js';
import { resolveProxyConfig } from '../../../src/proxy/config.js';
import { iptablesOptions } from '../../../src/proxy/iptables/options.js';
import { EMPTY_MEMO, render } from '../../../src/proxy/iptables/render.js';
import { ProxyTracker } from '../../../src/proxy/state.js';
import { FULL_SYNC } from '../../../src/proxy/types.js';
import { fixture, runCli } from '../../support/cli.js';
import { checkRuleJumps, parseDump, sortIPTablesRules } from './iptables-dump.js';
import { SYNC_REPEATED_STEPS } from './sync-repeated.js';

const NODE = fixture('upstream-iptables', 'node.yaml');
/** `kubeplane rules --mode iptables --profile kube-proxy-test ARGS`: the payload as upstream's fake proxier writes it. */
const testProfileRules = (...args: string[]) =>
  runCli(['rules', '--mode', 'iptables', '--profile', 'kube-proxy-test', ...args]);
const expected = (...p: string[]) => readFileSync(fixture('upstream-iptables', ...p, 'expected.iptables'), 'utf8');

describe('full syncs match upstream', () => {
  test.each([
    { name: 'TestOverallIPTablesRules', dir: 'overall' },
    { name: 'TestBadIPs (leading zeros, host bits)', dir: 'bad-ips' },
    { name: 'TestSyncProxyRulesRepeated, first sync', dir: 'sync-repeated/1-initial' },
  ])('$name', ({ dir }) => {
    const r = testProfileRules('-f', NODE, '-f', fixture('upstream-iptables', dir, 'cluster.yaml'));
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    expect(sortIPTablesRules(r.stdout)).toBe(expected(dir));
    expect(checkRuleJumps(expected(dir))).toEqual([]);
    expect(checkRuleJumps(r.stdout)).toEqual([]);
  });
});

describe('partial syncs (TestSyncProxyRulesRepeated) match upstream', () => {
  // The last step is a full sync, compared in the golden test.
  const steps = SYNC_REPEATED_STEPS.slice(0, -1);
  test.each(steps.slice(1).map((step, i) => ({ name: step, from: steps[i]!, to: step })))('$name', ({ from, to }) => {
    const dir = (s: string) => fixture('upstream-iptables', 'sync-repeated', s, 'cluster.yaml');
    const r = runCli([
      'diff',
      '--mode',
      'iptables',
      '--profile',
      'kube-proxy-test',
      '--from',
      NODE,
      '--from',
      dir(from),
      '--to',
      NODE,
      '--to',
      dir(to),
    ]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    expect(sortIPTablesRules(r.stdout)).toBe(expected('sync-repeated', to));
  });

  test('a full sync after svc4 is deleted rewrites every service and deletes its chains', async () => {
    const load = async (s: string) =>
      (await loadManifests([NODE, fixture('upstream-iptables', 'sync-repeated', s, 'cluster.yaml')])).objects;
    const before = await load('8-no-change');
    const after = await load('9-delete-service-full-sync');
    const config = resolveProxyConfig(after);
    const opt = iptablesOptions(config, 'IPv4', 'kube-proxy-test');
    const tracker = new ProxyTracker('IPv4', config);
    for (const o of before) tracker.upsert(o);
    const first = render(tracker.sync().state, FULL_SYNC, EMPTY_MEMO, opt);
    const svc4 = before.find((o) => o.kind === 'Service' && o.metadata.name === 'svc4')!;
    tracker.delete(svc4);
    const second = render(tracker.sync().state, FULL_SYNC, first.memo, opt);
    expect(sortIPTablesRules(second.payload)).toBe(expected('sync-repeated', '9-delete-service-full-sync'));
  });
});

describe('load-balancer ingress ipMode (TestLoadBalancerIngressRouteTypeProxy, LoadBalancerIPMode enabled)', () => {
  const r = testProfileRules('-f', NODE, '-f', fixture('upstream-iptables', 'load-balancer-ip-mode', 'cluster.yaml'));
  const services = parseDump(r.stdout)
    .find((t) => t.name === 'nat')!
    .chains.find((c) => c.name === 'KUBE-SERVICES')!.rules;
  test.each([
    { name: 'ipMode Proxy: no rule', ip: '1.2.3.4', expectedRule: false },
    { name: 'ipMode VIP: rule', ip: '1.2.3.5', expectedRule: true },
    { name: 'ipMode unset: rule', ip: '1.2.3.6', expectedRule: true },
  ])('$name', ({ ip, expectedRule }) => {
    expect(r.status).toBe(0);
    expect(services.some((rule) => rule.includes(` -d ${ip} `))).toBe(expectedRule);
  });
});

/**
 * The payload v1.3x's proxier writes when the nfacct counters do not exist (upstream's
 * TestDropInvalidRule, nfAcctCounters empty): no nfacct match on the INVALID drop rule and no
 * localhost NodePort counting rules. The v1.28-era tests' fake proxier had no counters.
 */
function withoutNfacctCounters(payload: string): string {
  return payload
    .split('\n')
    .filter((l) => !l.includes('--nfacct-name localhost_nps_accepted_pkts'))
    .join('\n')
    .replaceAll(' -m nfacct --nfacct-name ct_state_invalid_dropped_pkts', '');
}

describe('v1.28-era full-payload tests (fake proxier without nfacct counters)', () => {
  const dir = (...p: string[]) => fixture('upstream-iptables', 'v1.28', ...p);
  test.each([
    { name: 'TestLoadBalancer', d: 'load-balancer', family: 'ipv4' },
    { name: 'TestNodePort', d: 'node-port', family: 'ipv4' },
    { name: 'TestHealthCheckNodePort', d: 'health-check-node-port', family: 'ipv4' },
    { name: 'TestExternalTrafficPolicyLocal', d: 'etp-local', family: 'ipv4' },
    { name: 'TestNonLocalExternalIPs', d: 'non-local-external-ips', family: 'ipv4' },
    { name: 'TestEnableLocalhostNodePortsIPv4', d: 'localhost-node-ports-enabled', family: 'ipv4' },
    { name: 'TestDisableLocalhostNodePortsIPv4', d: 'localhost-node-ports-disabled', family: 'ipv4' },
    {
      name: 'TestDisableLocalhostNodePortsIPv4WithNodeAddress',
      d: 'localhost-node-ports-disabled-node-address',
      family: 'ipv4',
    },
    { name: 'TestEnableLocalhostNodePortsIPv6', d: 'localhost-node-ports-ipv6-enabled', family: 'ipv6' },
    { name: 'TestDisableLocalhostNodePortsIPv6', d: 'localhost-node-ports-ipv6-disabled', family: 'ipv6' },
    { name: 'TestOnlyLocalNodePorts', d: 'only-local-node-ports', family: 'ipv4' },
    { name: 'TestOnlyLocalNodePortsNoClusterCIDR', d: 'only-local-node-ports-no-cluster-cidr', family: 'ipv4' },
    { name: 'TestMasqueradeRule (randomFully false)', d: 'masquerade-rule', family: 'ipv4' },
    { name: 'TestInternalTrafficPolicyE2E (cluster)', d: 'itp-cluster', family: 'ipv4' },
    { name: 'TestInternalTrafficPolicyE2E (local, local endpoints)', d: 'itp-local-one-local', family: 'ipv4' },
    { name: 'TestInternalTrafficPolicyE2E (local, no local endpoints)', d: 'itp-local-no-local', family: 'ipv4' },
    {
      name: 'TestTerminatingEndpointsTrafficPolicyLocal (ready endpoints exist)',
      d: 'terminating-local-ready',
      family: 'ipv4',
    },
    {
      name: 'TestTerminatingEndpointsTrafficPolicyLocal (only terminating endpoints exist)',
      d: 'terminating-local-only-terminating',
      family: 'ipv4',
    },
    {
      name: 'TestTerminatingEndpointsTrafficPolicyLocal (terminating endpoints on remote node)',
      d: 'terminating-local-remote',
      family: 'ipv4',
    },
    {
      name: 'TestTerminatingEndpointsTrafficPolicyLocal (no usable endpoints on any node)',
      d: 'terminating-local-none-usable',
      family: 'ipv4',
    },
    {
      name: 'TestTerminatingEndpointsTrafficPolicyCluster (ready endpoints exist)',
      d: 'terminating-cluster-ready',
      family: 'ipv4',
    },
    {
      name: 'TestTerminatingEndpointsTrafficPolicyCluster (only terminating endpoints exist)',
      d: 'terminating-cluster-only-terminating',
      family: 'ipv4',
    },
    {
      name: 'TestTerminatingEndpointsTrafficPolicyCluster (terminating endpoints on remote node)',
      d: 'terminating-cluster-remote',
      family: 'ipv4',
    },
    {
      name: 'TestTerminatingEndpointsTrafficPolicyCluster (no usable endpoints on any node)',
      d: 'terminating-cluster-none-usable',
      family: 'ipv4',
    },
  ])('$name', ({ d, family }) => {
    const files = ['-f', dir(d, 'node.yaml')];
    if (existsSync(dir(d, 'cluster.yaml'))) files.push('-f', dir(d, 'cluster.yaml'));
    const r = testProfileRules('--family', family, ...files);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    const want = readFileSync(dir(d, 'expected.iptables'), 'utf8');
    expect(sortIPTablesRules(withoutNfacctCounters(r.stdout))).toBe(want);
    expect(checkRuleJumps(want)).toEqual([]);
  });
});
