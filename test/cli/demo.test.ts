import { expect, test } from 'vitest';
import { runCli } from '../support/cli.js';

test('kubeplane demo (npm start) summarises state, rules, DNS and IPAM for the embedded cluster', () => {
  const r = runCli(['demo']);
  expect(r.status).toBe(0);
  expect(r.stderr).toBe('');
  expect(r.stdout).toContain('node node-a (192.168.49.2, fd00:192:168:49::2)');
  expect(r.stdout).toMatch(/shop\/reviews:http\s+TCP\s+10\.96\.10\.90:80\s+-> \(no endpoints: REJECT\)/);
  expect(r.stdout).toMatch(/iptables {2}IPv4: \d+ lines/);
  expect(r.stdout).toMatch(/nftables {2}IPv4: \d+ lines/);
  expect(r.stdout).toContain('frontend.shop.svc.cluster.local. 5 IN A 10.96.10.10');
  expect(r.stdout).toContain('node-d   10.244.3.0/24 fd00:10:244:3::/64');
});
