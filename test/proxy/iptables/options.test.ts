import { describe, expect, test } from 'vitest';
import type { ProxyConfig } from '../../../src/proxy/config.js';
import { iptablesOptions } from '../../../src/proxy/iptables/options.js';
import { masqueradeMark as formatMark, iptablesNodePortIPs } from '../../../src/proxy/node-config.js';

/** The iptables options' view: undefined where every local address accepts NodePorts. */
const nodePortIPsOf = (config: ProxyConfig, family: 'IPv4' | 'IPv6') => {
  const ips = iptablesNodePortIPs(config, family);
  return ips === 'all' ? undefined : ips;
};

const base: ProxyConfig = {
  nodeName: 'n1',
  nodeLabels: {},
  zone: '',
  nodeIPs: { IPv4: ['192.168.0.2', '192.168.1.2'], IPv6: ['2001:db8::1'] },
  nodePodCIDRs: { IPv4: ['10.0.1.0/24'], IPv6: [] },
  clusterCIDRs: { IPv4: ['10.0.0.0/8'], IPv6: [] },
  detectLocalMode: 'ClusterCIDR',
  bridgeInterface: 'cbr0',
  interfaceNamePrefix: 'veth',
  nodePortAddresses: [],
  iptablesMasqueradeBit: 14,
  nftablesMasqueradeBit: 14,
  masqueradeAll: false,
  localhostNodePorts: true,
  ipvsScheduler: 'rr',
  conntrackTCPBeLiberal: false,
  featureGates: {},
};

describe('formatMark', () => {
  test.each([
    { name: 'default bit, real kube-proxy (%#08x)', bit: 14, profile: 'default' as const, want: '0x00004000' },
    { name: 'default bit, upstream unit tests', bit: 14, profile: 'kube-proxy-test' as const, want: '0x4000' },
    { name: 'bit 0', bit: 0, profile: 'default' as const, want: '0x00000001' },
    { name: 'bit 31', bit: 31, profile: 'default' as const, want: '0x80000000' },
  ])('$name', ({ bit, profile, want }) => {
    expect(formatMark(bit, profile)).toBe(want);
  });
});

describe('local-traffic detection', () => {
  test.each([
    { name: 'ClusterCIDR', mode: 'ClusterCIDR' as const, ifLocal: '-s 10.0.0.0/8', ifNotLocal: '! -s 10.0.0.0/8' },
    { name: 'NodeCIDR', mode: 'NodeCIDR' as const, ifLocal: '-s 10.0.1.0/24', ifNotLocal: '! -s 10.0.1.0/24' },
    { name: 'BridgeInterface', mode: 'BridgeInterface' as const, ifLocal: '-i cbr0', ifNotLocal: '! -i cbr0' },
    {
      name: 'InterfaceNamePrefix',
      mode: 'InterfaceNamePrefix' as const,
      ifLocal: '-i veth+',
      ifNotLocal: '! -i veth+',
    },
    { name: 'None', mode: 'None' as const, ifLocal: undefined, ifNotLocal: undefined },
  ])('$name', ({ mode, ifLocal, ifNotLocal }) => {
    const o = iptablesOptions({ ...base, detectLocalMode: mode }, 'IPv4', 'default');
    expect([o.ifLocal, o.ifNotLocal]).toEqual([ifLocal, ifNotLocal]);
  });
});

describe('nodePortAddresses applied to the node addresses', () => {
  test.each([
    { name: 'unset: every local address', addrs: [], family: 'IPv4' as const, want: undefined },
    { name: 'one CIDR', addrs: ['192.168.0.0/24'], family: 'IPv4' as const, want: ['192.168.0.2'] },
    {
      name: 'two CIDRs and an IPv6 one',
      addrs: ['192.168.0.0/24', '192.168.1.0/24', '2001:db8::/64'],
      family: 'IPv4' as const,
      want: ['192.168.0.2', '192.168.1.2'],
    },
    {
      name: 'IPv6 side of the same list',
      addrs: ['192.168.0.0/24', '2001:db8::/64'],
      family: 'IPv6' as const,
      want: ['2001:db8::1'],
    },
    { name: 'no CIDR of the family matches all', addrs: ['2001:db8::/64'], family: 'IPv4' as const, want: undefined },
    { name: '0.0.0.0/0 matches all', addrs: ['0.0.0.0/0'], family: 'IPv4' as const, want: undefined },
    { name: 'localhost in the list', addrs: ['127.0.0.1/32'], family: 'IPv4' as const, want: ['127.0.0.1'] },
    { name: 'primary', addrs: ['primary'], family: 'IPv4' as const, want: ['192.168.0.2'] },
  ])('$name', ({ addrs, family, want }) => {
    expect(nodePortIPsOf({ ...base, nodePortAddresses: addrs }, family)).toEqual(want);
  });
});

describe('bad options', () => {
  test('a nodePortAddresses entry that is no CIDR is a usage error', () => {
    expect(() => nodePortIPsOf({ ...base, nodePortAddresses: ['192.168.0.0'] }, 'IPv4')).toThrow(/nodePortAddresses/);
  });
});
