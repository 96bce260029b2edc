// kubernetes pkg/controller/nodeipam/ipam/cidrset/cidr_set_test.go and range_allocator_test.go (plus
// the mask checks of node_ipam_controller_test.go), reproduced against our CidrSet and node CIDR
// allocator. Expected values are upstream's; metrics-only tests are reproduced through the set's
// used count and the position AllocateNext resumes from.
import { describe, expect, test } from 'vitest';
import { CidrSet } from '../../src/ipam/cidr-set.js';
import {
  NodeCidrAllocator,
  parseKubeCIDR,
  parseNodeCidrConfig,
  planNodeCidrs,
} from '../../src/ipam/node-cidr-allocator.js';
import { formatCIDR } from '../../src/net/cidr.js';

const cidr = (s: string) => parseKubeCIDR(s)!;
const set = (cluster: string, mask: number) => new CidrSet(cidr(cluster), mask);
const usedBits = (s: CidrSet) => {
  const out: number[] = [];
  for (let i = 0; i < s.max; i++) if (s.isUsed(i)) out.push(i);
  return out;
};
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe('cidrset (cidr_set_test.go)', () => {
  test.each([
    { name: 'IPv4', cluster: '127.123.234.0/30', mask: 30, want: '127.123.234.0/30' },
    { name: 'IPv6', cluster: 'beef:1234::/30', mask: 30, want: 'beef:1234::/30' },
  ])('TestCIDRSetFullyAllocated $name', ({ cluster, mask, want }) => {
    const a = set(cluster, mask);
    const p = a.allocateNext();
    expect(formatCIDR(p)).toBe(want);
    expect(() => a.allocateNext()).toThrow(
      'CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range',
    );
    a.release(p);
    expect(formatCIDR(a.allocateNext())).toBe(want);
    expect(() => a.allocateNext()).toThrow(/no remaining CIDRs/);
  });

  test.each([
    { cluster: '127.123.3.0/16', mask: 24, index: 0, want: '127.123.0.0/24' },
    { cluster: '127.123.0.0/16', mask: 24, index: 15, want: '127.123.15.0/24' },
    { cluster: '192.168.5.219/28', mask: 32, index: 5, want: '192.168.5.213/32' },
    { cluster: '2001:0db8:1234:3::/48', mask: 64, index: 0, want: '2001:db8:1234::/64' },
    { cluster: '2001:0db8:1234::/48', mask: 64, index: 15, want: '2001:db8:1234:f::/64' },
    { cluster: '2001:0db8:85a3::8a2e:0370:7334/50', mask: 63, index: 6425, want: '2001:db8:85a3:3232::/63' },
    { cluster: '2001:0db8::/32', mask: 48, index: 0, want: '2001:db8::/48' },
    { cluster: '2001:0db8::/32', mask: 48, index: 15, want: '2001:db8:f::/48' },
    { cluster: '2001:0db8:85a3::8a2e:0370:7334/32', mask: 48, index: 6425, want: '2001:db8:1919::/48' },
    { cluster: '2001:0db8:1234:ff00::/56', mask: 72, index: 0, want: '2001:db8:1234:ff00::/72' },
    { cluster: '2001:0db8:1234:ff00::/56', mask: 72, index: 15, want: '2001:db8:1234:ff00:f00::/72' },
    { cluster: '2001:0db8:1234:ff00::0370:7334/56', mask: 72, index: 6425, want: '2001:db8:1234:ff19:1900::/72' },
    { cluster: '2001:0db8:1234:0:1234::/80', mask: 96, index: 0, want: '2001:db8:1234:0:1234::/96' },
    { cluster: '2001:0db8:1234:0:1234::/80', mask: 96, index: 15, want: '2001:db8:1234:0:1234:f::/96' },
    { cluster: '2001:0db8:1234:ff00::0370:7334/80', mask: 96, index: 6425, want: '2001:db8:1234:ff00:0:1919::/96' },
  ])('TestIndexToCIDRBlock $cluster /$mask [$index] = $want', ({ cluster, mask, index, want }) => {
    expect(formatCIDR(set(cluster, mask).cidrAt(index))).toBe(want);
  });

  test.each([
    { name: 'IPv4', cluster: '127.123.234.0/16' },
    { name: 'IPv6', cluster: 'beef:1234::/16' },
  ])('TestCIDRSet_RandomishAllocation $name: a full release gives the same CIDRs in the same order', ({ cluster }) => {
    const a = set(cluster, 24);
    const first = range(0, 255).map(() => formatCIDR(a.allocateNext()));
    expect(() => a.allocateNext()).toThrow(/no remaining CIDRs/);
    for (const c of first) a.release(cidr(c));
    const again = range(0, 255).map(() => formatCIDR(a.allocateNext()));
    expect(() => a.allocateNext()).toThrow(/no remaining CIDRs/);
    expect(again).toEqual(first);
  });

  test.each([
    { name: 'IPv4', cluster: '127.123.234.0/16' },
    { name: 'IPv6', cluster: 'beef:1234::/16' },
  ])('TestCIDRSet_AllocationOccupied $name', ({ cluster }) => {
    const a = set(cluster, 24);
    const cidrs = range(0, 255).map(() => formatCIDR(a.allocateNext()));
    expect(() => a.allocateNext()).toThrow(/no remaining CIDRs/);
    for (const c of cidrs) a.release(cidr(c));
    for (const c of cidrs.slice(128)) a.occupy(cidr(c));
    a.occupy(cidr(cidrs[128]!)); // occupying twice is harmless
    const again = range(0, 127).map(() => formatCIDR(a.allocateNext()));
    expect(() => a.allocateNext()).toThrow(/no remaining CIDRs/);
    expect([...again, ...cidrs.slice(128)]).toEqual(cidrs);
  });

  test('TestDoubleOccupyRelease: counts change only for blocks that flip', () => {
    const a = set('10.42.0.0/16', 24);
    const ops: [string, 'occupy' | 'release', number][] = [
      ['10.42.5.0/24', 'occupy', 1],
      ['10.42.9.0/24', 'occupy', 2],
      ['10.42.8.0/22', 'occupy', 5],
      ['10.42.9.0/24', 'occupy', 5],
      ['10.42.9.0/24', 'release', 4],
      ['10.42.9.0/24', 'release', 4],
      ['10.42.4.0/22', 'release', 3],
    ];
    for (const [c, op, n] of ops) {
      a[op](cidr(c));
      expect(a.count).toBe(n);
    }
    for (let i = 0; i < 256 - 3; i++) a.allocateNext();
    expect(() => a.allocateNext()).toThrow(/no remaining CIDRs/);
  });

  test.each([
    { cluster: '127.0.0.0/8', mask: 16, sub: '127.0.0.0/16', bit: 0 },
    { cluster: 'be00::/8', mask: 16, sub: 'be00::/16', bit: 0 },
    { cluster: '127.0.0.0/8', mask: 16, sub: '127.123.0.0/16', bit: 123 },
    { cluster: 'be00::/8', mask: 16, sub: 'beef::/16', bit: 0xef },
    { cluster: '127.0.0.0/8', mask: 16, sub: '127.168.0.0/16', bit: 168 },
    { cluster: 'be00::/8', mask: 16, sub: 'be68::/16', bit: 0x68 },
    { cluster: '127.0.0.0/8', mask: 16, sub: '127.224.0.0/16', bit: 224 },
    { cluster: 'be00::/8', mask: 16, sub: 'be24::/16', bit: 0x24 },
    { cluster: '192.168.0.0/16', mask: 24, sub: '192.168.12.0/24', bit: 12 },
    { cluster: 'beef::/16', mask: 24, sub: 'beef:1200::/24', bit: 0x12 },
    { cluster: '192.168.0.0/16', mask: 24, sub: '192.168.151.0/24', bit: 151 },
    { cluster: 'beef::/16', mask: 24, sub: 'beef:9700::/24', bit: 0x97 },
    { cluster: '192.168.0.0/16', mask: 24, sub: '127.168.224.0/24', bit: -1 },
    { cluster: 'beef::/16', mask: 24, sub: '2001:db00::/24', bit: -1 },
  ])('TestGetBitforCIDR $sub in $cluster', ({ cluster, mask, sub, bit }) => {
    const a = set(cluster, mask);
    if (bit < 0) {
      expect(() => a.occupy(cidr(sub))).toThrow(/is out the range of cluster cidr/);
      return;
    }
    a.occupy(cidr(sub));
    expect(usedBits(a)).toEqual([bit]);
  });

  test.each([
    { cluster: '127.0.0.0/8', mask: 16, sub: '127.0.0.0/8', from: 0, to: 255 },
    { cluster: '2001:beef:1200::/40', mask: 48, sub: '2001:beef:1200::/40', from: 0, to: 255 },
    { cluster: '127.0.0.0/8', mask: 16, sub: '127.0.0.0/2', from: 0, to: 255 },
    { cluster: '2001:beef:1200::/40', mask: 48, sub: '2001:beef:1234::/34', from: 0, to: 255 },
    { cluster: '127.0.0.0/8', mask: 16, sub: '127.0.0.0/16', from: 0, to: 0 },
    { cluster: '2001:beef:1200::/40', mask: 48, sub: '2001:beef:1200::/48', from: 0, to: 0 },
    { cluster: '127.0.0.0/8', mask: 32, sub: '127.0.0.0/16', from: 0, to: 65535 },
    { cluster: '2001:beef:1200::/48', mask: 64, sub: '2001:beef:1200::/48', from: 0, to: 65535 },
    { cluster: '127.0.0.0/7', mask: 16, sub: '127.0.0.0/15', from: 256, to: 257 },
    { cluster: '2001:beef:7f00::/39', mask: 48, sub: '2001:beef:7f00::/47', from: 256, to: 257 },
    { cluster: '127.0.0.0/7', mask: 15, sub: '127.0.0.0/15', from: 128, to: 128 },
    { cluster: '2001:beef:7f00::/39', mask: 47, sub: '2001:beef:7f00::/47', from: 128, to: 128 },
    { cluster: '127.0.0.0/7', mask: 18, sub: '127.0.0.0/15', from: 1024, to: 1031 },
    { cluster: '2001:beef:7f00::/39', mask: 50, sub: '2001:beef:7f00::/47', from: 1024, to: 1031 },
  ])('TestOccupy $sub in $cluster /$mask sets bits $from..$to', ({ cluster, mask, sub, from, to }) => {
    const a = set(cluster, mask);
    a.occupy(cidr(sub));
    expect(a.count).toBe(to - from + 1);
    expect(a.isUsed(from) && a.isUsed(to)).toBe(true);
    if (from > 0) expect(a.isUsed(from - 1)).toBe(false);
    if (to < a.max - 1) expect(a.isUsed(to + 1)).toBe(false);
  });

  test.each([
    {
      name: 'max cluster subnet size with IPv4',
      cluster: '127.0.0.0/8',
      mask: 32,
      want: ['127.0.0.0/32', '127.0.0.1/32'],
    },
    { name: 'max cluster subnet size with IPv6', cluster: 'beef:1234::/32', mask: 49, want: undefined },
    {
      name: 'allocate a few IPv6',
      cluster: '2001:beef:1234:369b::/60',
      mask: 64,
      want: ['2001:beef:1234:3690::/64', '2001:beef:1234:3691::/64'],
    },
  ])('TestCIDRSetv6: $name', ({ cluster, mask, want }) => {
    if (!want) {
      expect(() => set(cluster, mask)).toThrow(/New CIDR set failed; the node CIDR size is too big/);
      return;
    }
    const a = set(cluster, mask);
    expect([a.allocateNext(), a.allocateNext()].map(formatCIDR)).toEqual(want);
  });

  test('TestCidrSetMetrics: release and occupy of the whole cluster CIDR empty and fill every block', () => {
    const a = set('10.0.0.0/16', 24);
    for (let i = 1; i <= 256; i++) {
      a.allocateNext();
      expect(a.count).toBe(i);
    }
    a.release(cidr('10.0.0.0/16'));
    expect(a.count).toBe(0);
    a.occupy(cidr('10.0.0.0/16'));
    expect(a.count).toBe(256);
  });

  test('TestCidrSetMetricsHistogram: occupy does not move nextCandidate; the next block is after the occupied half', () => {
    const a = set('10.0.0.0/16', 24);
    a.occupy(cidr('10.0.0.0/17'));
    expect(a.count).toBe(128);
    expect(formatCIDR(a.allocateNext())).toBe('10.0.128.0/24');
    expect(a.count).toBe(129);
  });

  test('TestCidrSetMetricsDual: a /48 with /64 nodes holds 65536 blocks', () => {
    const v6 = set('2001:db8::/48', 64);
    v6.occupy(cidr('2001:db8::/48'));
    expect([v6.count, v6.max]).toEqual([65536, 65536]);
    v6.release(cidr('2001:db8::/48'));
    expect(v6.count).toBe(0);
  });
});

/** One node per pre-allocated CIDR ("white box" Occupy in upstream), then the node under test. */
const preallocated = (cidrs: string[]) => cidrs.map((c, i) => ({ name: `pre-${i}`, podCIDRs: [c] }));

describe('range allocator (range_allocator_test.go)', () => {
  test.each([
    { name: 'single stack no node allocation', cluster: '10.10.0.0/16', masks: '24', podCIDRs: [] as string[] },
    { name: 'dual stack no node allocation', cluster: '10.10.0.0/16,ace:cab:deca::/8', masks: '24,24', podCIDRs: [] },
    { name: 'single stack correct node allocation', cluster: '10.10.0.0/16', masks: '24', podCIDRs: ['10.10.0.1/24'] },
    {
      name: 'dual stack both allocated correctly',
      cluster: '10.10.0.0/16,ace:cab:deca::/8',
      masks: '24,24',
      podCIDRs: ['10.10.0.1/24', 'a00::/86'],
    },
  ])('TestOccupyPreExistingCIDR success: $name', ({ cluster, masks, podCIDRs }) => {
    const plan = planNodeCidrs([{ name: 'node0', podCIDRs }], parseNodeCidrConfig(cluster, { nodeMask: masks }));
    expect(plan.nodes[0]!.source).toBe(podCIDRs.length ? 'existing' : 'allocated');
  });

  test.each([
    {
      name: 'single stack incorrect node allocation',
      cluster: '10.10.0.0/16',
      masks: '24',
      podCIDRs: ['172.10.0.1/24'],
    },
    {
      name: 'dualstack node allocating from non existing cidr',
      cluster: '10.10.0.0/16',
      masks: '24',
      podCIDRs: ['10.10.0.1/24', 'a00::/86'],
    },
    {
      name: 'dualstack node allocating bad v4',
      cluster: '10.10.0.0/16,ace:cab:deca::/8',
      masks: '24,24',
      podCIDRs: ['172.10.0.1/24', 'a00::/86'],
    },
    {
      name: 'dualstack node allocating bad v6',
      cluster: '10.10.0.0/16,ace:cab:deca::/8',
      masks: '24,24',
      podCIDRs: ['10.10.0.1/24', 'cdd::/86'],
    },
  ])('TestOccupyPreExistingCIDR fails controller start: $name', ({ cluster, masks, podCIDRs }) => {
    const cfg = parseNodeCidrConfig(cluster, { nodeMask: masks });
    expect(() => planNodeCidrs([{ name: 'node0', podCIDRs }], cfg)).toThrow(/node node0: spec\.podCIDRs/);
  });

  test.each([
    {
      name: 'no ServiceCIDR: first CIDR in range',
      cluster: '127.123.234.0/24',
      masks: '30',
      pre: [],
      want: ['127.123.234.0/30'],
    },
    {
      name: 'correctly filter out ServiceCIDR',
      cluster: '127.123.234.0/24',
      service: '127.123.234.0/26',
      masks: '30',
      pre: [],
      want: ['127.123.234.64/30'],
    },
    {
      name: 'correctly ignore already allocated CIDRs',
      cluster: '127.123.234.0/24',
      service: '127.123.234.0/26',
      masks: '30',
      pre: ['127.123.234.64/30', '127.123.234.68/30', '127.123.234.72/30', '127.123.234.80/30'],
      want: ['127.123.234.76/30'],
    },
    {
      name: 'dualstack CIDRs v4,v6',
      cluster: '127.123.234.0/8,ace:cab:deca::/84',
      service: '127.123.234.0/26',
      masks: '24,98',
      pre: [],
      want: ['127.0.0.0/24', 'ace:cab:deca::/98'],
    },
    {
      name: 'dualstack CIDRs v6,v4',
      cluster: 'ace:cab:deca::/84,127.123.234.0/8',
      service: '127.123.234.0/26',
      masks: '98,24',
      pre: [],
      want: ['ace:cab:deca::/98', '127.0.0.0/24'],
    },
    {
      name: 'no double counting',
      cluster: '10.10.0.0/22',
      masks: '24',
      pre: ['10.10.0.0/24', '10.10.2.0/24'],
      want: ['10.10.1.0/24'],
    },
  ])('TestAllocateOrOccupyCIDRSuccess: $name', ({ cluster, service, masks, pre, want }) => {
    const cfg = parseNodeCidrConfig(cluster, { nodeMask: masks, ...(service ? { serviceCidr: service } : {}) });
    const plan = planNodeCidrs([...preallocated(pre), { name: 'node0', podCIDRs: [] }], cfg);
    expect(plan.nodes.find((n) => n.name === 'node0')!.podCIDRs).toEqual(want);
  });

  test('TestAllocateOrOccupyCIDRFailure: a full cluster CIDR leaves the node without a CIDR', () => {
    const cfg = parseNodeCidrConfig('127.123.234.0/28', { nodeMask: '30' });
    const pre = ['127.123.234.0/30', '127.123.234.4/30', '127.123.234.8/30', '127.123.234.12/30'];
    expect(() => planNodeCidrs([...preallocated(pre), { name: 'node0', podCIDRs: [] }], cfg)).toThrow(
      /node0.*failed to allocate cidr from cluster cidr at idx:0: CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range/,
    );
  });

  test('TestReleaseCIDRSuccess: correctly release preallocated CIDR', () => {
    const a = new NodeCidrAllocator(parseNodeCidrConfig('127.123.234.0/28', { nodeMask: '30' }));
    ['127.123.234.0/30', '127.123.234.4/30', '127.123.234.8/30', '127.123.234.12/30'].forEach((c, i) =>
      a.occupy(`pre-${i}`, [c]),
    );
    expect(() => a.allocate('node0')).toThrow(/no remaining CIDRs/);
    a.release('pre-1');
    expect(a.allocate('node0').map(formatCIDR)).toEqual(['127.123.234.4/30']);
  });

  test('TestReleaseCIDRSuccess: correctly recycle CIDR', () => {
    const a = new NodeCidrAllocator(parseNodeCidrConfig('127.123.234.0/28', { nodeMask: '30' }));
    ['127.123.234.4/30', '127.123.234.8/30', '127.123.234.12/30'].forEach((c, i) => a.occupy(`pre-${i}`, [c]));
    expect(a.allocate('node0').map(formatCIDR)).toEqual(['127.123.234.0/30']);
    a.release('node0');
    expect(a.allocate('node0').map(formatCIDR)).toEqual(['127.123.234.0/30']);
  });
});

describe('node IPAM controller flag checks (node_ipam_controller_test.go, kube-controller-manager)', () => {
  test.each([
    { name: 'valid range allocator', cluster: '10.0.0.0/21', opts: {} },
    { name: 'valid dual stack', cluster: '10.0.0.0/21,2000::/48', opts: {} },
    {
      name: 'valid dual stack with masks',
      cluster: '10.0.0.0/21,2000::/48',
      opts: { nodeMaskIPv4: '24', nodeMaskIPv6: '64' },
    },
  ])('accepts $name', ({ cluster, opts }) => {
    expect(() => new NodeCidrAllocator(parseNodeCidrConfig(cluster, opts))).not.toThrow();
  });

  test.each([
    { name: 'cluster CIDR smaller than the node mask', cluster: '10.0.0.0/26', opts: {} },
    {
      name: 'per-family mask smaller than its cluster CIDR',
      cluster: '10.0.0.0/24,2000::/64',
      opts: { nodeMaskIPv6: '48' },
    },
  ])('rejects $name', ({ cluster, opts }) => {
    expect(() => new NodeCidrAllocator(parseNodeCidrConfig(cluster, opts))).toThrow(
      'Invalid --cluster-cidr, mask size of cluster CIDR must be less than or equal to --node-cidr-mask-size configured for CIDR family',
    );
  });

  test.each([
    {
      cluster: '10.0.0.0/16,10.1.0.0/16',
      err: 'len of ClusterCIDRs==2 and they are not configured as dual stack (at least one from each IPFamily',
    },
    { cluster: '10.0.0.0/16,fd00::/48,10.1.0.0/16', err: 'length of clusterCIDRs is:3 more than max allowed of 2' },
    {
      cluster: '10.0.0.0/16,10.1.0.0/16,10.2.0.0/16',
      err: 'len of ClusterCIDRs==3 and they are not configured as dual stack',
    },
  ])('rejects --cluster-cidr $cluster', ({ cluster, err }) => {
    expect(() => parseNodeCidrConfig(cluster)).toThrow(err);
  });
});
