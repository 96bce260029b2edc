// Golden iptables-restore payloads, one per fixture (and family): `npm run rules:update` rewrites
// them; in CI a missing or different golden fails. Each one also passes upstream's structural
// check: every jump targets a chain the payload declares and fills.
import { describe, expect, test } from 'vitest';
import { checkRuleJumps } from '../proxy/iptables/iptables-dump.js';
import { SYNC_REPEATED_STEPS } from '../proxy/iptables/sync-repeated.js';
import { fixture, runCli } from '../support/cli.js';

const UPSTREAM = fixture('upstream-iptables');
const upstream = (dir: string) => ['-f', `${UPSTREAM}/node.yaml`, '-f', `${UPSTREAM}/${dir}/cluster.yaml`];
const SYNC_STEPS = SYNC_REPEATED_STEPS;

const cases = [
  { name: 'demo', args: ['-f', fixture('demo')], golden: 'demo.iptables' },
  { name: 'demo (IPv6)', args: ['-f', fixture('demo'), '--family', 'ipv6'], golden: 'demo.ipv6.iptables' },
  { name: 'upstream overall', args: upstream('overall'), golden: 'upstream-iptables-overall.iptables' },
  { name: 'upstream bad IPs', args: upstream('bad-ips'), golden: 'upstream-iptables-bad-ips.iptables' },
  {
    name: 'upstream load balancer',
    args: upstream('load-balancer'),
    golden: 'upstream-iptables-load-balancer.iptables',
  },
  { name: 'upstream ETP Local', args: upstream('etp-local'), golden: 'upstream-iptables-etp-local.iptables' },
  {
    name: 'upstream terminating endpoints (ready exist)',
    args: upstream('terminating-local-ready'),
    golden: 'upstream-iptables-terminating-local-ready.iptables',
  },
  {
    name: 'upstream terminating endpoints (only terminating)',
    args: upstream('terminating-local-only'),
    golden: 'upstream-iptables-terminating-local-only.iptables',
  },
  ...SYNC_STEPS.map((s) => ({
    name: `upstream sync-repeated ${s}`,
    args: upstream(`sync-repeated/${s}`),
    golden: `upstream-iptables-sync-repeated-${s}.iptables`,
  })),
];

describe('iptables golden payloads', () => {
  test.each(cases)('$name', async ({ args, golden }) => {
    const r = runCli(['rules', '--mode', 'iptables', ...args]);
    expect(r.status).toBe(0);
    await expect(r.stdout).toMatchFileSnapshot(`../../rules/${golden}`);
    expect(checkRuleJumps(r.stdout)).toEqual([]);
  });
});
