// kubernetes range_allocator_test.go / node_ipam_controller_test.go cases through the built CLI:
// `kubeplane ipam node-cidrs -f - --cluster-cidr ... [--node-mask ...] [--service-cidr ...] --json`.
import { describe, expect, test } from 'vitest';
import { runCli } from '../support/cli.js';

/** A Node list as YAML; `podCIDRs` empty = a new node. */
function nodes(list: { name: string; podCIDRs?: string[] }[]): string {
  const items = list.map(
    (n) =>
      `- apiVersion: v1\n  kind: Node\n  metadata: {name: ${n.name}}\n  spec: ${
        n.podCIDRs?.length
          ? `{podCIDR: "${n.podCIDRs[0]}", podCIDRs: [${n.podCIDRs.map((c) => `"${c}"`).join(', ')}]}`
          : '{}'
      }`,
  );
  return `apiVersion: v1\nkind: List\nitems:\n${items.join('\n')}\n`;
}

const run = (input: string, args: string[]) => runCli(['ipam', 'node-cidrs', '-f', '-', ...args], input);

function podCIDRsOf(r: ReturnType<typeof runCli>, name: string): string[] {
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as { nodes: { name: string; podCIDRs: string[] }[] };
  return out.nodes.find((n) => n.name === name)!.podCIDRs;
}

describe('kubeplane ipam node-cidrs: upstream range allocator cases', () => {
  test.each([
    {
      name: 'no ServiceCIDR: first CIDR in range',
      args: ['--cluster-cidr', '127.123.234.0/24', '--node-mask', '30'],
      pre: [],
      want: ['127.123.234.0/30'],
    },
    {
      name: 'service CIDR filtered out',
      args: ['--cluster-cidr', '127.123.234.0/24', '--node-mask', '30', '--service-cidr', '127.123.234.0/26'],
      pre: [],
      want: ['127.123.234.64/30'],
    },
    {
      name: 'already allocated CIDRs ignored',
      args: ['--cluster-cidr', '127.123.234.0/24', '--node-mask', '30', '--service-cidr', '127.123.234.0/26'],
      pre: ['127.123.234.64/30', '127.123.234.68/30', '127.123.234.72/30', '127.123.234.80/30'],
      want: ['127.123.234.76/30'],
    },
    {
      name: 'dual stack v4,v6',
      args: ['--cluster-cidr', '127.123.234.0/8,ace:cab:deca::/84', '--node-mask-ipv4', '24', '--node-mask-ipv6', '98'],
      pre: [],
      want: ['127.0.0.0/24', 'ace:cab:deca::/98'],
    },
    {
      name: 'dual stack v6,v4',
      args: ['--cluster-cidr', 'ace:cab:deca::/84,127.123.234.0/8', '--node-mask-ipv4', '24', '--node-mask-ipv6', '98'],
      pre: [],
      want: ['ace:cab:deca::/98', '127.0.0.0/24'],
    },
    {
      name: 'no double counting',
      args: ['--cluster-cidr', '10.10.0.0/22'],
      pre: ['10.10.0.0/24', '10.10.2.0/24'],
      want: ['10.10.1.0/24'],
    },
  ])('$name', ({ args, pre, want }) => {
    const input = nodes([...pre.map((c, i) => ({ name: `pre-${i}`, podCIDRs: [c] })), { name: 'node0' }]);
    expect(podCIDRsOf(run(input, [...args, '--json']), 'node0')).toEqual(want);
  });

  test('existing podCIDRs with host bits are kept as written and occupy their block', () => {
    const r = run(nodes([{ name: 'node0', podCIDRs: ['10.10.0.1/24', 'a00::/86'] }, { name: 'node1' }]), [
      '--cluster-cidr',
      '10.10.0.0/16,ace:cab:deca::/8',
      '--node-mask',
      '24,24',
      '--json',
    ]);
    expect(podCIDRsOf(r, 'node0')).toEqual(['10.10.0.1/24', 'a00::/86']);
    expect(podCIDRsOf(r, 'node1')).toEqual(['10.10.1.0/24', 'a00:100::/24']);
  });

  test.each([
    {
      name: 'single stack incorrect node allocation',
      cluster: '10.10.0.0/16',
      pod: ['172.10.0.1/24'],
      err: 'node node0: spec.podCIDRs[0]',
    },
    {
      name: 'node allocating from non existing cidr',
      cluster: '10.10.0.0/16',
      pod: ['10.10.0.1/24', 'a00::/86'],
      err: 'node node0: spec.podCIDRs',
    },
    {
      name: 'dual stack bad v6',
      cluster: '10.10.0.0/16,ace:cab:deca::/8',
      pod: ['10.10.0.1/24', 'cdd::/86'],
      err: 'node node0: spec.podCIDRs[1]',
    },
  ])('controller start fails: $name (exit 2, nothing printed)', ({ cluster, pod, err }) => {
    const r = run(nodes([{ name: 'node0', podCIDRs: pod }]), [
      '--cluster-cidr',
      cluster,
      '--node-mask',
      cluster.includes(',') ? '24,24' : '24',
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(err);
    expect(r.stdout).toBe('');
  });

  test('a full cluster CIDR: the node is named with the upstream error, exit 1', () => {
    const pre = ['127.123.234.0/30', '127.123.234.4/30', '127.123.234.8/30', '127.123.234.12/30'];
    const r = run(nodes([...pre.map((c, i) => ({ name: `pre-${i}`, podCIDRs: [c] })), { name: 'node0' }]), [
      '--cluster-cidr',
      '127.123.234.0/28',
      '--node-mask',
      '30',
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('(node0)');
    expect(r.stderr).toContain(
      'failed to allocate cidr from cluster cidr at idx:0: CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range',
    );
  });

  test.each([
    {
      cluster: '10.0.0.0/26',
      args: [],
      err: 'Invalid --cluster-cidr, mask size of cluster CIDR must be less than or equal to --node-cidr-mask-size configured for CIDR family',
    },
    {
      cluster: '10.0.0.0/24,2000::/64',
      args: ['--node-mask-ipv6', '48'],
      err: 'Invalid --cluster-cidr, mask size of cluster CIDR must be less than or equal to --node-cidr-mask-size configured for CIDR family',
    },
    {
      cluster: 'beef:1234::/32',
      args: ['--node-mask', '49'],
      err: 'New CIDR set failed; the node CIDR size is too big',
    },
    {
      cluster: '10.0.0.0/16,10.1.0.0/16',
      args: [],
      err: 'len of ClusterCIDRs==2 and they are not configured as dual stack',
    },
    {
      cluster: '10.0.0.0/16,fd00::/48,10.1.0.0/16',
      args: [],
      err: 'length of clusterCIDRs is:3 more than max allowed of 2',
    },
  ])('flag check: --cluster-cidr $cluster $args (exit 2)', ({ cluster, args, err }) => {
    const r = run(nodes([{ name: 'node0' }]), ['--cluster-cidr', cluster, ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(err);
    expect(r.stdout).toBe('');
  });
});
