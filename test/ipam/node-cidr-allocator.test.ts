import { describe, expect, test } from 'vitest';
import { NodeCidrAllocator, parseNodeCidrConfig, planNodeCidrs } from '../../src/ipam/node-cidr-allocator.js';
import { formatCIDR } from '../../src/net/cidr.js';

const v4 = parseNodeCidrConfig('10.244.0.0/16');

describe('node CIDR allocator', () => {
  test('worked example: add a, b, c; delete b; add d gets .3 (not .1)', () => {
    const a = new NodeCidrAllocator(v4);
    const got = ['node-a', 'node-b', 'node-c'].map((n) => a.allocate(n).map(formatCIDR)[0]);
    expect(got).toEqual(['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24']);
    expect(a.release('node-b').map(formatCIDR)).toEqual(['10.244.1.0/24']);
    expect(a.allocate('node-d').map(formatCIDR)).toEqual(['10.244.3.0/24']);
  });

  test('worked example: restart after the delete rebuilds from occupancy and scans from 0', () => {
    const plan = planNodeCidrs(
      [
        { name: 'node-a', podCIDRs: ['10.244.0.0/24'] },
        { name: 'node-c', podCIDRs: ['10.244.2.0/24'] },
        { name: 'node-d', podCIDRs: [] },
      ],
      v4,
    );
    expect(plan.nodes).toEqual([
      { name: 'node-a', podCIDRs: ['10.244.0.0/24'], source: 'existing' },
      { name: 'node-c', podCIDRs: ['10.244.2.0/24'], source: 'existing' },
      { name: 'node-d', podCIDRs: ['10.244.1.0/24'], source: 'allocated' },
    ]);
    expect(plan.usage).toEqual([{ clusterCIDR: '10.244.0.0/16', nodeMask: 24, capacity: 256, used: 3 }]);
  });

  test('dual stack: podCIDRs in --cluster-cidr order; reversing the flag reverses them', () => {
    const nodes = ['node-b', 'node-a', 'node-c'].map((name) => ({ name, podCIDRs: [] }));
    const dual = planNodeCidrs(nodes, parseNodeCidrConfig('10.244.0.0/16,fd00:10:244::/56'));
    expect(dual.nodes.map((n) => [n.name, n.podCIDRs])).toEqual([
      ['node-a', ['10.244.0.0/24', 'fd00:10:244::/64']],
      ['node-b', ['10.244.1.0/24', 'fd00:10:244:1::/64']],
      ['node-c', ['10.244.2.0/24', 'fd00:10:244:2::/64']],
    ]);
    const v6first = planNodeCidrs(nodes, parseNodeCidrConfig('fd00:10:244::/56,10.244.0.0/16'));
    expect(v6first.nodes[0]!.podCIDRs).toEqual(['fd00:10:244::/64', '10.244.0.0/24']);
  });

  test('the 257th node of a /16 with /24 nodes gets a clear exhaustion error', () => {
    const nodes = Array.from({ length: 257 }, (_, i) => ({ name: `n-${String(i).padStart(3, '0')}`, podCIDRs: [] }));
    expect(() => planNodeCidrs(nodes, v4)).toThrow(
      /1 node\(s\) left without a pod CIDR \(n-256\).*no remaining CIDRs left to allocate/,
    );
  });

  test('a second set failing gives back the first set block (no leak, unlike upstream)', () => {
    const a = new NodeCidrAllocator(parseNodeCidrConfig('10.0.0.0/24,fd00::/64', { nodeMask: '24,64' }));
    a.allocate('x');
    expect(() => a.allocate('y')).toThrow(/idx:0/);
    a.release('x');
    a.allocate('y');
    expect(a.usage().map((u) => u.used)).toEqual([1, 1]);
  });

  test.each([
    {
      name: 'three cluster CIDRs',
      cidr: '10.0.0.0/16,10.1.0.0/16,fd00::/56',
      opts: {},
      err: /length of clusterCIDRs is:3 more than max allowed of 2/,
    },
    {
      name: 'two of one family',
      cidr: '10.0.0.0/16,10.1.0.0/16',
      opts: {},
      err: /len of ClusterCIDRs==2 and they are not configured as dual stack/,
    },
    { name: 'not a CIDR', cidr: '10.0.0.0', opts: {}, err: /is not a CIDR/ },
    {
      name: 'node mask shorter than cluster',
      cidr: '10.0.0.0/16',
      opts: { nodeMask: '8' },
      err: /mask size of cluster CIDR must be less than or equal to --node-cidr-mask-size/,
    },
    {
      name: 'ipv6 mask on an IPv4 cluster',
      cidr: '10.0.0.0/16',
      opts: { nodeMaskIPv6: '64' },
      err: /no cluster CIDR is IPv6/,
    },
    { name: 'IPv6 too many node CIDRs', cidr: 'fd00::/40', opts: {}, err: /too big/ },
  ])('rejects $name', ({ cidr, opts, err }) => {
    expect(() => {
      const cfg = parseNodeCidrConfig(cidr, opts);
      new NodeCidrAllocator(cfg);
    }).toThrow(err);
  });

  test.each([
    { name: 'an IPv4 value sets the IPv4 mask', nodeMask: '25', want: [25, 64] },
    { name: 'an IPv6 value sets the IPv6 mask', nodeMask: '60', want: [24, 60] },
    { name: 'a pair follows --cluster-cidr order', nodeMask: '26,62', want: [26, 62] },
  ])('dual stack --node-mask: $name', ({ nodeMask, want }) => {
    expect(parseNodeCidrConfig('10.244.0.0/16,fd00:10:244::/56', { nodeMask }).nodeMasks).toEqual(want);
  });

  test('existing podCIDRs outside the cluster CIDR, or too many, name the node and field', () => {
    expect(() => planNodeCidrs([{ name: 'bad', podCIDRs: ['10.99.0.0/24'] }], v4)).toThrow(
      /node bad: spec.podCIDRs\[0\]: cidr 10.99.0.0\/24 is out the range/,
    );
    expect(() => planNodeCidrs([{ name: 'two', podCIDRs: ['10.244.0.0/24', 'fd00::/64'] }], v4)).toThrow(
      /node two: spec.podCIDRs has 2 CIDRs/,
    );
  });

  test('service CIDRs overlapping a cluster CIDR are never handed to nodes', () => {
    const cfg = parseNodeCidrConfig('10.96.0.0/15', { serviceCidr: '10.96.0.0/23,fd00:96::/112' });
    const plan = planNodeCidrs([{ name: 'a', podCIDRs: [] }], cfg);
    expect(plan.nodes[0]!.podCIDRs).toEqual(['10.96.2.0/24']);
    expect(() => parseNodeCidrConfig('10.0.0.0/16', { serviceCidr: 'x' })).toThrow('serviceCidr: "x" is not a CIDR');
  });

  test('leading-zero IPv4 in manifests is read as decimal, as Kubernetes does', () => {
    const plan = planNodeCidrs(
      [
        { name: 'a', podCIDRs: ['10.244.010.0/24'] },
        { name: 'b', podCIDRs: [] },
      ],
      v4,
    );
    expect(plan.nodes[1]!.podCIDRs).toEqual(['10.244.0.0/24']);
    expect(plan.usage[0]!.used).toBe(2);
  });
});
