// resolveProxyConfig: the node facts a proxier starts from, as kube-proxy's server.go derives them.
import { describe, expect, test } from 'vitest';
import { loadTexts } from '../../src/cluster/load.js';
import { resolveProxyConfig } from '../../src/proxy/config.js';

const NODE = `apiVersion: v1
kind: Node
metadata: {name: node-a}
status:
  addresses:
  - {type: ExternalIP, address: 203.0.113.5}
  - {type: InternalIP, address: 192.168.0.2}
  - {type: InternalIP, address: "2001:db8::2"}
`;

async function config(kpc: string) {
  const text = `${NODE}---\napiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n${kpc}\n`;
  const { objects } = await loadTexts([{ file: 't.yaml', bytes: text }]);
  return resolveProxyConfig(objects);
}

describe('resolveProxyConfig node IPs (detectNodeIPs)', () => {
  test.each([
    {
      name: 'InternalIPs first, then ExternalIPs',
      kpc: 'mode: iptables',
      v4: ['192.168.0.2', '203.0.113.5'],
      v6: ['2001:db8::2'],
    },
    {
      name: 'bindAddress 0.0.0.0 changes nothing',
      kpc: 'bindAddress: 0.0.0.0',
      v4: ['192.168.0.2', '203.0.113.5'],
      v6: ['2001:db8::2'],
    },
    {
      name: 'bindAddress :: changes nothing',
      kpc: "bindAddress: '::'",
      v4: ['192.168.0.2', '203.0.113.5'],
      v6: ['2001:db8::2'],
    },
    {
      name: 'a specified IPv4 bindAddress becomes the IPv4 node IP',
      kpc: 'bindAddress: 203.0.113.5',
      v4: ['203.0.113.5', '192.168.0.2'],
      v6: ['2001:db8::2'],
    },
    {
      name: 'a specified IPv6 bindAddress becomes the IPv6 node IP',
      kpc: "bindAddress: '2001:db8::99'",
      v4: ['192.168.0.2', '203.0.113.5'],
      v6: ['2001:db8::99', '2001:db8::2'],
    },
  ])('$name', async ({ kpc, v4, v6 }) => {
    const c = await config(kpc);
    expect(c.nodeIPs).toEqual({ IPv4: v4, IPv6: v6 });
  });

  test('hostnameOverride is trimmed and lower-cased, as kube-proxy does', async () => {
    const c = await config("hostnameOverride: ' Node-A '");
    expect(c.nodeName).toBe('node-a');
  });
});
