// A deterministic synthetic cluster for tests and benchmarks: the same options and seed always
// give the same objects.
import type { ClusterObject, EndpointSlice, Node, Pod, Service } from './types.js';
import { SERVICE_NAME_LABEL } from './types.js';

export interface GenerateOptions {
  services: number;
  /** Endpoints per service. */
  endpoints: number;
  nodes: number;
  seed: number;
  /** Vary service shapes (NodePort, LoadBalancer, affinity, policies, UDP); default all ClusterIP/TCP. */
  mixed?: boolean;
  /** Emit a Pod object per endpoint. */
  pods?: boolean;
  /** Service CIDR base (an IPv4 /12 by default, like kube-apiserver's 10.96.0.0/12). */
  serviceBase?: number;
  /**
   * Endpoints of svc-0, the largest Service; the others share what is left of services x endpoints
   * as evenly as whole numbers allow, so the total stays services x endpoints. Default: endpoints.
   */
  largest?: number;
}

/** Endpoints of service `s`: `endpoints` each, or with `largest` the even split described above. */
export function endpointsOfService(opts: GenerateOptions, s: number): number {
  if (opts.largest === undefined || opts.services < 2) return opts.endpoints;
  if (s === 0) return opts.largest;
  const rest = Math.max(0, opts.services * opts.endpoints - opts.largest);
  const share = (k: number) => Math.floor((rest * k) / (opts.services - 1));
  return share(s) - share(s - 1);
}

/** mulberry32: small, fast, good enough for shuffling test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function ipv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

const SERVICE_BASE = (10 << 24) | (96 << 16); // 10.96.0.0
const POD_BASE = (10 << 24) | (128 << 16); // 10.128.0.0, a /24 per node (room for 32k nodes)
const NODE_BASE = (192 << 24) | (168 << 16); // 192.168.0.0

export function generateCluster(opts: GenerateOptions): ClusterObject[] {
  if (opts.nodes < 1) throw new RangeError('nodes must be at least 1');
  const rand = seededRandom(opts.seed);
  const out: ClusterObject[] = [];
  const nodePodCount: number[] = new Array(opts.nodes).fill(0);
  for (let i = 0; i < opts.nodes; i++) {
    const node: Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: `node-${i}`,
        labels: { 'kubernetes.io/hostname': `node-${i}`, 'topology.kubernetes.io/zone': `zone-${i % 3}` },
      },
      spec: { podCIDR: `${ipv4(POD_BASE + i * 256)}/24`, podCIDRs: [`${ipv4(POD_BASE + i * 256)}/24`] },
      status: {
        addresses: [
          { type: 'InternalIP', address: ipv4(NODE_BASE + 2 + i) },
          { type: 'Hostname', address: `node-${i}` },
        ],
      },
    };
    out.push(node);
  }
  const base = opts.serviceBase ?? SERVICE_BASE;
  for (let s = 0; s < opts.services; s++) {
    const ns = `ns-${s % 50}`;
    const name = `svc-${s}`;
    const shape = opts.mixed ? s % 8 : 0;
    const protocol = shape === 5 ? 'UDP' : 'TCP';
    const svc: Service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: ns },
      spec: {
        type: shape === 1 || shape === 3 ? 'NodePort' : shape === 2 ? 'LoadBalancer' : 'ClusterIP',
        clusterIP: ipv4(base + 10 + s),
        clusterIPs: [ipv4(base + 10 + s)],
        ipFamilies: ['IPv4'],
        selector: { app: name },
        ports: [
          {
            name: 'p80',
            protocol,
            port: 80,
            targetPort: 8080,
            ...(shape === 1 || shape === 2 || shape === 3 ? { nodePort: 30000 + (s % 2768) } : {}),
          },
        ],
        ...(shape === 3 ? { externalTrafficPolicy: 'Local' as const } : {}),
        ...(shape === 4
          ? { sessionAffinity: 'ClientIP' as const, sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } }
          : {}),
        ...(shape === 6 ? { internalTrafficPolicy: 'Local' as const } : {}),
        ...(shape === 7 ? { externalIPs: [ipv4((203 << 24) | (0 << 16) | (113 << 8) | (s % 250))] } : {}),
      },
      ...(shape === 2
        ? { status: { loadBalancer: { ingress: [{ ip: ipv4((198 << 24) | (51 << 16) | (100 << 8) | (s % 250)) }] } } }
        : {}),
    };
    out.push(svc);
    const endpoints: NonNullable<EndpointSlice['endpoints']> = [];
    const count = endpointsOfService(opts, s);
    for (let e = 0; e < count; e++) {
      const node = Math.floor(rand() * opts.nodes);
      const slot = nodePodCount[node]!++;
      // Past 253 pods a node's /24 is full; wrap into the next /16 block to stay unique.
      const ip = ipv4(POD_BASE + node * 256 + 2 + (slot % 253) + Math.floor(slot / 253) * (1 << 23));
      const podName = `${name}-${e}`;
      endpoints.push({
        addresses: [ip],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: `node-${node}`,
        zone: `zone-${node % 3}`,
        targetRef: { kind: 'Pod', namespace: ns, name: podName },
      });
      if (opts.pods) {
        const pod: Pod = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: podName, namespace: ns, labels: { app: name } },
          spec: { nodeName: `node-${node}` },
          status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
        };
        out.push(pod);
      }
    }
    const slice: EndpointSlice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${name}-abcde`, namespace: ns, labels: { [SERVICE_NAME_LABEL]: name } },
      addressType: 'IPv4',
      endpoints,
      ports: [{ name: 'p80', protocol, port: 8080 }],
    };
    out.push(slice);
  }
  return out;
}
