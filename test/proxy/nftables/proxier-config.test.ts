// What the nftables proxier takes from the node and KubeProxyConfiguration.
import { describe, expect, test } from 'vitest';
import type { ClusterObject } from '../../../src/cluster/types.js';
import { resolveProxyConfig } from '../../../src/proxy/config.js';
import { nodePortIPs, ruleContext, serviceCIDRsOf } from '../../../src/proxy/nftables/proxier-config.js';
import { masqueradeMark } from '../../../src/proxy/node-config.js';
import { loadFixture } from './support.js';

describe('masqueradeMark', () => {
  test.each([
    { name: 'a real kube-proxy writes %#08x', bit: 14, profile: 'default' as const, want: '0x00004000' },
    { name: "upstream's unit tests inject 0x4000", bit: 14, profile: 'kube-proxy-test' as const, want: '0x4000' },
    { name: 'another bit', bit: 15, profile: 'default' as const, want: '0x00008000' },
  ])('$name', ({ bit, profile, want }) => {
    expect(masqueradeMark(bit, profile)).toBe(want);
  });
});

describe('nodePortIPs', () => {
  const withAddresses = async (nodePortAddresses: string[] | undefined) => {
    const objects = (await loadFixture('upstream-nftables', 'node-ports-ipv6')) as ClusterObject[];
    const config = resolveProxyConfig(objects);
    return { ...config, nodePortAddresses: nodePortAddresses ?? [] };
  };
  test.each([
    {
      name: 'unset means primary: the first node IP of the family',
      set: undefined,
      family: 'IPv4' as const,
      want: ['192.168.0.2'],
    },
    { name: 'primary, IPv6', set: ['primary'], family: 'IPv6' as const, want: ['2001:db8::1'] },
    {
      name: 'CIDRs select node addresses',
      set: ['192.168.0.0/16'],
      family: 'IPv4' as const,
      want: ['192.168.0.2', '192.168.1.2'],
    },
    { name: 'a zero CIDR accepts every address', set: ['0.0.0.0/0'], family: 'IPv4' as const, want: 'all' },
    {
      name: 'no CIDR of this family accepts every address',
      set: ['192.168.0.0/16'],
      family: 'IPv6' as const,
      want: 'all',
    },
    { name: 'a CIDR with no node address gives an empty set', set: ['10.9.0.0/16'], family: 'IPv4' as const, want: [] },
  ])('$name', async ({ set, family, want }) => {
    expect(nodePortIPs(await withAddresses(set), family)).toEqual(want);
  });
});

test('serviceCIDRsOf takes every ServiceCIDR of the family, canonical', async () => {
  const objects = await loadFixture('upstream-nftables', 'overall');
  expect(serviceCIDRsOf(objects, 'IPv4')).toEqual(['172.30.0.0/16']);
  expect(serviceCIDRsOf(objects, 'IPv6')).toEqual(['fd00:10:96::/112']);
});

describe("local-traffic detector, as upstream's localdetector tests spell it", () => {
  test.each([
    {
      name: 'ClusterCIDR',
      mode: 'ClusterCIDR' as const,
      extra: {},
      ifLocal: 'ip saddr 10.0.0.0/8',
      ifNotLocal: 'ip saddr != 10.0.0.0/8',
    },
    {
      name: 'NodeCIDR',
      mode: 'NodeCIDR' as const,
      extra: {},
      ifLocal: 'ip saddr 10.0.0.0/24',
      ifNotLocal: 'ip saddr != 10.0.0.0/24',
    },
    {
      name: 'BridgeInterface',
      mode: 'BridgeInterface' as const,
      extra: { bridgeInterface: 'eth0' },
      ifLocal: 'iifname eth0',
      ifNotLocal: 'iifname != eth0',
    },
    {
      name: 'InterfaceNamePrefix',
      mode: 'InterfaceNamePrefix' as const,
      extra: { interfaceNamePrefix: 'eth' },
      ifLocal: 'iifname eth*',
      ifNotLocal: 'iifname != eth*',
    },
  ])('$name', async ({ mode, extra, ifLocal, ifNotLocal }) => {
    const objects = await loadFixture('upstream-nftables', 'overall');
    const config = { ...resolveProxyConfig(objects), detectLocalMode: mode, ...extra };
    const ctx = ruleContext(config, 'IPv4', 'default', true);
    expect(ctx.detector?.ifLocal.text).toBe(ifLocal);
    expect(ctx.detector?.ifNotLocal.text).toBe(ifNotLocal);
  });
});
