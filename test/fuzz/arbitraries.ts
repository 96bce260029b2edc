// Generators of cluster manifests for the fuzz suites: valid objects (Services of every type,
// EndpointSlices, a Node, a KubeProxyConfiguration), near-valid ones (one field replaced by any
// JSON value) and hostile YAML text (aliases, merge keys, deep flow collections, long scalars,
// tags, stray bytes). Serialised as YAML or JSON, one or more documents a file.
import fc from 'fast-check';
import { dump } from 'js-yaml';

type Obj = Record<string, unknown>;

// DNS labels that are also IANA service names (no '--', at most 15 characters).
const label = fc.stringMatching(/^[a-z]([a-z0-9]{0,4}(-[a-z0-9]{1,4})?)?$/);
const octet = fc.integer({ min: 0, max: 255 });
const serviceIP = fc.tuple(octet, octet).map(([a, b]) => `10.96.${a}.${b}`);
const podIP = fc.tuple(octet, octet).map(([a, b]) => `10.244.${a}.${b}`);
const protocol = fc.constantFrom('TCP', 'UDP', 'SCTP');
const port = fc.integer({ min: 1, max: 65535 });

const servicePorts = fc
  .uniqueArray(fc.record({ name: label, port, protocol, targetPort: fc.oneof(port, label) }), {
    minLength: 1,
    maxLength: 4,
    selector: (p) => p.name,
  })
  .chain((ports) =>
    fc
      .uniqueArray(fc.integer({ min: 30000, max: 32767 }), { minLength: ports.length, maxLength: ports.length })
      .map((nodePorts) => ports.map((p, i) => ({ ...p, nodePort: nodePorts[i] }))),
  );

const service = fc
  .record({
    name: label,
    namespace: fc.constantFrom('default', 'shop', 'kube-system'),
    type: fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName', undefined),
    clusterIP: fc.oneof(serviceIP, fc.constant('None'), fc.constant(undefined)),
    ports: servicePorts,
    affinity: fc.constantFrom('None', 'ClientIP', undefined),
    etp: fc.constantFrom('Cluster', 'Local', undefined),
    itp: fc.constantFrom('Cluster', 'Local', undefined),
    externalIPs: fc.option(
      fc.array(
        fc.tuple(octet, octet).map(([a, b]) => `192.0.${a}.${b}`),
        { maxLength: 2 },
      ),
      {
        nil: undefined,
      },
    ),
    lbIP: fc.option(
      fc.tuple(octet, octet).map(([a, b]) => `203.0.${a}.${b}`),
      { nil: undefined },
    ),
  })
  .map((s): Obj => {
    const type = s.type ?? 'ClusterIP';
    const spec: Obj = {
      ...(s.type ? { type: s.type } : {}),
      ...(type === 'ExternalName' ? { externalName: 'db.example.com' } : {}),
      ...(s.clusterIP && type !== 'ExternalName' && (s.clusterIP !== 'None' || type === 'ClusterIP')
        ? { clusterIP: s.clusterIP }
        : {}),
      ports: s.ports.map((p) => (type === 'NodePort' || type === 'LoadBalancer' ? p : { ...p, nodePort: undefined })),
      selector: { app: s.name },
      ...(s.affinity ? { sessionAffinity: s.affinity } : {}),
      ...(s.etp && (type === 'NodePort' || type === 'LoadBalancer') ? { externalTrafficPolicy: s.etp } : {}),
      ...(s.itp ? { internalTrafficPolicy: s.itp } : {}),
      ...(s.externalIPs ? { externalIPs: s.externalIPs } : {}),
    };
    return {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: s.name, namespace: s.namespace },
      spec: JSON.parse(JSON.stringify(spec)),
      ...(s.lbIP && type === 'LoadBalancer' ? { status: { loadBalancer: { ingress: [{ ip: s.lbIP }] } } } : {}),
    };
  });

const endpoint = fc.record({
  addresses: fc.tuple(podIP).map((a) => [...a]),
  conditions: fc.record({ ready: fc.boolean(), serving: fc.boolean(), terminating: fc.boolean() }),
  nodeName: fc.constantFrom('node-a', 'node-b'),
});

/** An EndpointSlice for one of `services` (by name and port names). */
function sliceFor(svc: Obj): fc.Arbitrary<Obj> {
  const meta = svc.metadata as { name: string; namespace: string };
  const ports = ((svc.spec as Obj).ports as { name: string; protocol: string }[]).map((p) => p.name);
  return fc
    .record({ endpoints: fc.array(endpoint, { maxLength: 5 }), port, suffix: label })
    .map(({ endpoints, port: p, suffix }) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${meta.name}-${suffix}`,
        namespace: meta.namespace,
        labels: { 'kubernetes.io/service-name': meta.name },
      },
      addressType: 'IPv4',
      endpoints,
      ports: ports.map((name) => ({ name, port: p, protocol: 'TCP' })),
    }));
}

const node: Obj = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'node-a' },
  spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] },
  status: { addresses: [{ type: 'InternalIP', address: '192.168.0.10' }] },
};

/** A small cluster: a Node, 1-4 Services (unique names) and a slice for some of them. */
export const validCluster: fc.Arbitrary<Obj[]> = fc
  .uniqueArray(service, {
    minLength: 1,
    maxLength: 4,
    selector: (s) => `${(s.metadata as Obj).namespace}/${(s.metadata as Obj).name}`,
  })
  .chain((services) =>
    fc
      .tuple(...services.map((s) => fc.option(sliceFor(s), { nil: undefined })))
      .map((slices) => [node, ...services, ...slices.filter((s): s is Obj => s !== undefined)]),
  );

/** Every path to a value in `v` (keys and indexes), the root excluded. */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (typeof v === 'object' && v !== null)
    for (const [k, c] of Object.entries(v)) {
      const p = [...prefix, Array.isArray(v) ? Number(k) : k];
      out.push(p);
      paths(c, p, out);
    }
  return out;
}

function setAt(root: Obj[], path: (string | number)[], value: unknown): Obj[] {
  const copy = JSON.parse(JSON.stringify(root)) as Obj[];
  let at: Record<string | number, unknown> = copy as unknown as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  at[path.at(-1)!] = value;
  return copy;
}

/** A valid cluster with one value anywhere in it replaced by an arbitrary JSON value (or removed). */
export const nearValidCluster: fc.Arbitrary<Obj[]> = validCluster.chain((objs) => {
  const all = paths(objs);
  return fc
    .tuple(
      fc.integer({ min: 0, max: all.length - 1 }),
      fc.oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.constantFrom(undefined, '', -1, 0, 65536, 1e300, '10.96.0.1', '::1', 'None', 'TCP', [], {}),
        fc.string({ unit: 'binary', maxLength: 20 }),
      ),
    )
    .map(([i, value]) => setAt(objs, all[i]!, value));
});

/** Objects as file text: YAML documents or one JSON List. */
export function asText(objs: readonly Obj[], format: 'yaml' | 'json'): string {
  if (format === 'json') return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs });
  return objs.map((o) => dump(o, { noRefs: true })).join('---\n');
}

const fragment = fc.oneof(
  fc.constantFrom(
    'apiVersion: v1\n',
    'kind: Service\n',
    'kind: EndpointSlice\n',
    'metadata: {name: x, namespace: default}\n',
    'spec:\n  ports:\n  - port: 80\n',
    'a: &a [x, y, z]\n',
    'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n',
    'c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n',
    'd: *d\n',
    'e: &e {f: *e}\n',
    '<<: *a\n',
    'm: &m {k: v}\n<<: *m\n',
    '---\n',
    '...\n',
    '%YAML 1.2\n',
    '!!binary aGVsbG8=\n',
    'x: !!js/function "function(){}"\n',
    'x: !!python/object:os.system ls\n',
    '? [complex, key]\n: v\n',
    'k: v\nk: w\n',
    '\t- tab\n',
    '"unterminated\n',
    'x: 0x1F\ny: 1e400\nz: .nan\n',
    '\uFEFF',
    '\0',
  ),
  fc.integer({ min: 1, max: 3000 }).map((n) => `deep: ${'['.repeat(n)}${']'.repeat(n)}\n`),
  fc.integer({ min: 1, max: 3000 }).map((n) => `deep: ${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`),
  fc.integer({ min: 1, max: 200_000 }).map((n) => `long: "${'x'.repeat(n)}"\n`),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

/** Hostile YAML text: fragments that each stress one part of the loader, in any order. */
export const hostileYaml: fc.Arbitrary<string> = fc
  .array(fragment, { minLength: 1, maxLength: 12 })
  .map((f) => f.join(''));
