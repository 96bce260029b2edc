// Golden IPVS dumps (ipvsadm-save, ipset save, iptables payload, kube-ipvs0) per fixture, and the
// JSON document; `CI=true` fails on a missing or stale golden.
import { describe, expect, test } from 'vitest';
import { fixture, runCli } from '../support/cli.js';

const cases = [
  { name: 'demo', args: ['-f', fixture('demo')], golden: 'demo.ipvs' },
  { name: 'demo (IPv6)', args: ['-f', fixture('demo'), '--family', 'ipv6'], golden: 'demo.ipv6.ipvs' },
  {
    name: 'demo (wrr, test profile)',
    args: ['-f', fixture('demo'), '--scheduler', 'wrr', '--profile', 'kube-proxy-test'],
    golden: 'demo.wrr.ipvs',
  },
];

describe('ipvs golden dumps', () => {
  test.each(cases)('$name', async ({ args, golden }) => {
    const r = runCli(['rules', '--mode', 'ipvs', ...args]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    await expect(r.stdout).toMatchFileSnapshot(`../../rules/${golden}`);
  });

  test.each(cases)('$name (json)', async ({ args, golden }) => {
    const r = runCli(['rules', '--mode', 'ipvs', ...args, '--format', 'json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['virtualServers', 'ipsets', 'iptables', 'addresses']);
    await expect(`${JSON.stringify(doc, null, 2)}\n`).toMatchFileSnapshot(`../../rules/${golden}.json`);
  });

  test('a bad --scheduler exits 2 naming the flag', () => {
    const r = runCli(['rules', '--mode', 'ipvs', '-f', fixture('demo'), '--scheduler', 'fastest']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--scheduler');
  });
});
