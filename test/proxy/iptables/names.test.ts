import { describe, expect, test } from 'vitest';
import { hash16, isServiceChainName } from '../../../src/proxy/iptables/names.js';

describe('hash16', () => {
  test.each([
    { name: 'service port (in upstream tests)', input: 'ns1/svc1:p80tcp', want: 'XPGD46QRK7WJZT7O' },
    { name: 'endpoint (in upstream tests)', input: 'ns1/svc1:p80tcp10.180.0.1:80', want: 'SXIVWICOYRO3J4NJ' },
    { name: 'firewall chain of ns5/svc5', input: 'ns5/svc5:p80tcp', want: 'NUKIZ6OKUXPJNT4C' },
    { name: 'unnamed port', input: 'ns1/svc1tcp', want: 'AQI2S6QIMU7PVVRP' },
    { name: 'UDP', input: 'ns1/svc1:p80udp', want: 'OJWW7NSBVZTDHXNW' },
    { name: 'IPv6 endpoint keeps brackets', input: 'ns1/svc1:p80tcp[fd00:10::1]:80', want: 'RT5VHSJR44ZNF7G5' },
  ])('$name', ({ input, want }) => {
    expect(hash16(input)).toBe(want);
  });
});

describe('isServiceChainName', () => {
  test.each([
    { name: 'KUBE-SVC-X', chain: 'KUBE-SVC-XPGD46QRK7WJZT7O', want: true },
    { name: 'KUBE-FW-X', chain: 'KUBE-FW-NUKIZ6OKUXPJNT4C', want: true },
    { name: 'KUBE-SERVICES is fixed', chain: 'KUBE-SERVICES', want: false },
    { name: 'KUBE-MARK-MASQ is fixed', chain: 'KUBE-MARK-MASQ', want: false },
  ])('$name', ({ chain, want }) => {
    expect(isServiceChainName(chain)).toBe(want);
  });
});
