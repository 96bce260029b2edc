// `kubeplane proxy --netns` in a real kernel: the proxy runs in the lab's node namespace and installs
// the portal rules there; the client namespace reaches Services by cluster IP, node port and name
// (curl through the proxy's --dns-listen), and every connection goes through our proxy to the echo
// pods. SIGTERM takes the rules out again.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createLab, inNetns, type Lab, probe } from '../../src/lab/index.js';
import { counts, type RunningCli, startProxyCli } from '../proxy/userspace/support.js';
import { describeKernel } from '../support/env.js';

const NODE_IP = '192.168.49.2';
const WEB = ['10.244.0.5:8080', '10.244.0.6:8080'];
const NOT_READY = '10.244.0.7';
const DNS_EP = '10.244.0.8:5353';

const CLUSTER = `apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  type: NodePort
  clusterIP: 10.96.0.10
  clusterIPs: [10.96.0.10]
  ports:
    - { name: http, port: 80, targetPort: 8080, nodePort: 30080, protocol: TCP }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: web-1, namespace: shop, labels: { kubernetes.io/service-name: web } }
addressType: IPv4
endpoints:
  - { addresses: [10.244.0.5], conditions: { ready: true } }
  - { addresses: [10.244.0.6], conditions: { ready: true } }
  - { addresses: [${NOT_READY}], conditions: { ready: false } }
ports:
  - { name: http, port: 8080, protocol: TCP }
---
apiVersion: v1
kind: Service
metadata: { name: names, namespace: shop }
spec:
  clusterIP: 10.96.0.53
  clusterIPs: [10.96.0.53]
  ports:
    - { name: dns, port: 53, targetPort: 5353, protocol: UDP }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: names-1, namespace: shop, labels: { kubernetes.io/service-name: names } }
addressType: IPv4
endpoints:
  - { addresses: [10.244.0.8] }
ports:
  - { name: dns, port: 5353, protocol: UDP }
---
apiVersion: v1
kind: Node
metadata: { name: node-a }
status:
  addresses: [{ type: InternalIP, address: ${NODE_IP} }]
`;

const natRules = (ns: string) =>
  execFileSync('ip', ['netns', 'exec', ns, 'iptables-save', '-t', 'nat'], { encoding: 'utf8' });

describeKernel('kubeplane proxy --netns: portal rules and real traffic', () => {
  let lab: Lab | undefined;
  let proxy: RunningCli | undefined;
  let resolvDir: string | undefined;

  beforeAll(async () => {
    lab = await createLab({
      nodeIPs: [NODE_IP],
      endpoints: [
        ...[...WEB, `${NOT_READY}:8080`].map((e) => ({ ip: e.split(':')[0]!, port: 8080, protocol: 'TCP' as const })),
        { ip: '10.244.0.8', port: 5353, protocol: 'UDP' as const },
      ],
    });
    // `ip netns exec` mounts /etc/netns/<ns>/resolv.conf over /etc/resolv.conf: the client's resolver.
    resolvDir = `/etc/netns/${lab.client}`;
    mkdirSync(resolvDir, { recursive: true });
    writeFileSync(`${resolvDir}/resolv.conf`, 'nameserver 100.64.0.1\noptions timeout:2 attempts:2\n');
    proxy = await startProxyCli(CLUSTER, [
      '--netns',
      lab.node,
      '--node',
      'node-a',
      '--dns-listen',
      '0.0.0.0:53',
      '--watch',
    ]);
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    if (resolvDir) rmSync(resolvDir, { recursive: true, force: true });
    await lab?.close();
  });

  test('the listeners bind every address of the namespace and the portal rules point at them', () => {
    const map = proxy!.map();
    const web = map.find((p) => p.service === 'shop/web')!;
    expect(web.listen).toMatch(/^0\.0\.0\.0:\d+$/);
    const port = web.listen.split(':')[1];
    const nat = natRules(lab!.node);
    expect(nat).toContain(
      `-A KUBE-PORTALS-CONTAINER -d 10.96.0.10/32 -p tcp -m comment --comment "shop/web:http" -m tcp --dport 80 -j REDIRECT --to-ports ${port}`,
    );
    expect(nat).toContain(
      `-A KUBE-NODEPORT-CONTAINER -p tcp -m comment --comment "shop/web:http" -m tcp --dport 30080 -j REDIRECT --to-ports ${port}`,
    );
    expect(nat.match(/-A PREROUTING .*-j KUBE-PORTALS-CONTAINER/g)).toHaveLength(1);
  });

  test('a client reaches the cluster IP: exact round-robin over the ready pods, never the not-ready one', async () => {
    const r = await probe(lab!.client, { target: '10.96.0.10', port: 80, protocol: 'TCP', count: 10, timeoutMs: 5000 });
    expect(counts(r.outcomes)).toEqual({ [WEB[0]!]: 5, [WEB[1]!]: 5 });
    // The pods see the proxy (the node's address toward them), not the client: a userspace proxy.
    expect(new Set(r.peers)).toEqual(new Set(['100.64.1.1']));
  });

  test('a client reaches the node port on the node IP', async () => {
    const r = await probe(lab!.client, { target: NODE_IP, port: 30080, protocol: 'TCP', count: 4, timeoutMs: 5000 });
    expect(counts(r.outcomes)).toEqual({ [WEB[0]!]: 2, [WEB[1]!]: 2 });
  });

  test('a process on the node itself reaches the cluster IP (KUBE-PORTALS-HOST)', async () => {
    const r = await probe(lab!.node, { target: '10.96.0.10', port: 80, protocol: 'TCP', count: 4, timeoutMs: 5000 });
    expect(counts(r.outcomes)).toEqual({ [WEB[0]!]: 2, [WEB[1]!]: 2 });
  });

  test('UDP to the cluster IP is answered by the pod through the proxy', async () => {
    const r = await probe(lab!.client, { target: '10.96.0.53', port: 53, protocol: 'UDP', count: 3, timeoutMs: 5000 });
    expect(r.outcomes).toEqual([DNS_EP, DNS_EP, DNS_EP]);
  });

  test('curl in the client resolves web.shop.svc.cluster.local through the proxy DNS and gets a pod', async () => {
    const r = await inNetns(lab!.client, 'curl', [
      '-sS',
      '--http0.9',
      '--max-time',
      '10',
      'http://web.shop.svc.cluster.local/',
    ]);
    expect(WEB).toContain(r.stdout.trim().split(' from ')[0]);
  });

  test('with --watch, a new Service gets its portal (the jumps are not doubled) and answers', async () => {
    const extra = `---
apiVersion: v1
kind: Service
metadata: { name: api, namespace: shop }
spec:
  clusterIP: 10.96.0.20
  clusterIPs: [10.96.0.20]
  ports:
    - { name: http, port: 8000, targetPort: 8080, protocol: TCP }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: api-1, namespace: shop, labels: { kubernetes.io/service-name: api } }
addressType: IPv4
endpoints:
  - { addresses: [10.244.0.6] }
ports:
  - { name: http, port: 8080, protocol: TCP }
`;
    writeFileSync(proxy!.manifestFile, CLUSTER + extra);
    for (let i = 0; i < 100 && !proxy!.map().some((p) => p.service === 'shop/api'); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(proxy!.map().map((p) => p.service)).toContain('shop/api');
    const nat = natRules(lab!.node);
    expect(nat.match(/-A PREROUTING .*-j KUBE-PORTALS-CONTAINER/g)).toHaveLength(1);
    expect(nat.match(/-A OUTPUT .*-j KUBE-NODEPORT-HOST/g)).toHaveLength(1);
    const r = await probe(lab!.client, {
      target: '10.96.0.20',
      port: 8000,
      protocol: 'TCP',
      count: 2,
      timeoutMs: 5000,
    });
    expect(r.outcomes).toEqual([WEB[1], WEB[1]]);
  });

  test('SIGTERM exits 0 and takes the portal rules out', async () => {
    const code = await proxy!.stop();
    proxy = undefined;
    expect(code).toBe(0);
    expect(natRules(lab!.node)).not.toMatch(/KUBE-PORTALS|KUBE-NODEPORT/);
    const r = await probe(lab!.client, { target: '10.96.0.10', port: 80, protocol: 'TCP', count: 1, timeoutMs: 500 });
    expect(r.outcomes[0]).not.toMatch(/^10\.244/);
  });
}, ['ip', 'iptables-restore', 'iptables-save', 'curl']);
