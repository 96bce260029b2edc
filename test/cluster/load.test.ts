import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { loadManifests, loadTexts } from '../../src/cluster/load.js';
import type { EndpointSlice, Service } from '../../src/cluster/types.js';
import { ManifestSetError } from '../../src/errors.js';
import { fixture } from '../support/cli.js';

const SVC = (name: string, ip: string) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: app}
spec:
  clusterIP: ${ip}
  ports: [{port: 80}]
`;

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'kp-load-'));
}

async function loadText(text: string, file = 'input.yaml') {
  return loadTexts([{ file, bytes: Buffer.from(text) }]);
}

describe('loadManifests', () => {
  test('loads the demo directory recursively with counts per kind', async () => {
    const loaded = await loadManifests([fixture('demo')]);
    expect(loaded.counts).toEqual({
      EndpointSlice: 15,
      KubeProxyConfiguration: 1,
      Namespace: 3,
      Node: 3,
      Service: 15,
      ServiceCIDR: 1,
    });
    expect(loaded.skipped).toEqual({ ConfigMap: 1, PodDisruptionBudget: 1 });
    expect(loaded.mirroredEndpoints).toBe(1);
  });

  test('reads nested directories, only .yaml .yml .json files', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(join(dir, 'one.yaml'), SVC('one', '10.96.0.1'));
    writeFileSync(join(dir, 'a', 'two.yml'), SVC('two', '10.96.0.2'));
    writeFileSync(
      join(dir, 'a', 'b', 'three.json'),
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'three', namespace: 'app' },
        spec: { clusterIP: '10.96.0.3', ports: [{ port: 80 }] },
      }),
    );
    writeFileSync(join(dir, 'a', 'notes.txt'), 'not a manifest');
    const loaded = await loadManifests([dir]);
    expect(loaded.objects.map((o) => o.metadata?.name).sort()).toEqual(['one', 'three', 'two']);
    expect(loaded.files).toHaveLength(3);
  });

  test('reads stdin for "-"', async () => {
    const loaded = await loadManifests(['-'], { stdin: Readable.from([Buffer.from(SVC('web', '10.96.0.9'))]) });
    expect(loaded.objects).toHaveLength(1);
    expect(loaded.files).toEqual(['<stdin>']);
  });

  test('a missing path is a read error naming it', async () => {
    await expect(loadManifests(['/nonexistent/kp.yaml'])).rejects.toThrow(
      '/nonexistent/kp.yaml: no such file or directory',
    );
  });
});

describe('documents', () => {
  test('multi-document YAML, with empty documents ignored', async () => {
    const loaded = await loadText(`${SVC('a', '10.96.0.1')}---\n---\n${SVC('b', '10.96.0.2')}`);
    expect(loaded.objects).toHaveLength(2);
  });

  test('kind: List and *List documents expand to their items', async () => {
    const list = {
      apiVersion: 'v1',
      kind: 'ServiceList',
      items: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'a', namespace: 'x' },
          spec: { clusterIP: '10.96.0.1', ports: [{ port: 80 }] },
        },
      ],
    };
    const loaded = await loadText(JSON.stringify(list), 'list.json');
    expect(loaded.objects).toHaveLength(1);
    const yamlList = await loadText(
      `apiVersion: v1\nkind: List\nitems:\n- ${SVC('b', '10.96.0.2').replace(/\n/g, '\n  ')}`,
    );
    expect(yamlList.objects).toHaveLength(1);
  });

  test('concatenated JSON objects load as separate documents', async () => {
    const a = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } };
    const b = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } };
    const loaded = await loadText(`${JSON.stringify(a)}\n${JSON.stringify(b, null, 2)}\n`, 'stream.json');
    expect(loaded.counts.Namespace).toBe(2);
  });

  test('a JSON syntax error names the file and line', async () => {
    const err = await loadText(
      '{\n  "kind": "Service",\n  "metadata": {"name": "x"}}\n  "spec": {}\n}',
      'bad.json',
    ).catch((e) => e);
    expect(err).toBeInstanceOf(ManifestSetError);
    expect(err.errors[0].code).toBe('KP_MANIFEST_PARSE');
    expect(err.message).toMatch(/^bad\.json:[34]: (JSON|YAML): /);
  });

  test('binary input is refused with the file and line', async () => {
    const err = await loadTexts([{ file: 'blob.yaml', bytes: Buffer.from([0x61, 0x0a, 0x62, 0x00, 0xff]) }]).catch(
      (e) => e,
    );
    expect(err.errors[0].code).toBe('KP_MANIFEST_PARSE');
    expect(err.message).toBe('blob.yaml:2: binary data (NUL byte), not a YAML or JSON manifest');
  });

  test('invalid UTF-8 is refused', async () => {
    const err = await loadTexts([
      { file: 'latin.yaml', bytes: Buffer.from([0x6b, 0x69, 0x6e, 0x64, 0x3a, 0x20, 0xe9, 0x0a]) },
    ]).catch((e) => e);
    expect(err.message).toContain('latin.yaml:1: not valid UTF-8');
  });

  test('unused kinds are skipped and counted, not errors', async () => {
    const loaded = await loadText(
      'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: x}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\n',
    );
    expect(loaded.objects).toHaveLength(0);
    expect(loaded.skipped).toEqual({ CronJob: 1, Secret: 1 });
  });
});

describe('what real clusters hold is accepted', () => {
  test('IPv4 with leading zeros is read as decimal, with a warning', async () => {
    const loaded = await loadText(SVC('z', '010.096.000.011'));
    expect(loaded.warnings).toHaveLength(1);
    expect(loaded.warnings[0]!.at.field).toBe('spec.clusterIP');
    expect(loaded.warnings[0]!.message).toContain('10.96.0.11');
  });

  test('nodePorts outside 30000-32767, a NodePort without nodePort, spaced source ranges', async () => {
    const loaded = await loadText(`apiVersion: v1
kind: Service
metadata: {name: np, namespace: app}
spec:
  type: LoadBalancer
  clusterIP: 10.96.0.5
  loadBalancerSourceRanges: [" 10.0.0.0/8 ", "192.168.0.0/16"]
  ports:
  - {name: a, port: 80, nodePort: 8080}
  - {name: b, port: 81}
`);
    const svc = loaded.objects[0] as Service;
    expect(svc.spec.loadBalancerSourceRanges).toEqual(['10.0.0.0/8', '192.168.0.0/16']);
    expect(loaded.warnings).toHaveLength(0);
  });

  test('endpoint conditions {} and an unnamed single port; headless without ports; ExternalName with a trailing dot', async () => {
    const loaded = await loadText(`apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s-1, namespace: app, labels: {kubernetes.io/service-name: s}}
addressType: IPv4
endpoints:
- addresses: [10.1.0.1]
  conditions: {}
ports:
- port: 80
---
apiVersion: v1
kind: Service
metadata: {name: h, namespace: app}
spec: {clusterIP: None}
---
apiVersion: v1
kind: Service
metadata: {name: e, namespace: app}
spec: {type: ExternalName, externalName: db.example.com., ports: [{port: 5432}]}
`);
    expect(loaded.counts).toEqual({ EndpointSlice: 1, Service: 2 });
    expect((loaded.objects[0] as EndpointSlice).endpoints![0]!.conditions).toEqual({});
  });

  test('objects without a namespace land in "default"', async () => {
    const loaded = await loadText(
      'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {clusterIP: 10.96.0.7, ports: [{port: 1}]}\n',
    );
    expect(loaded.objects[0]!.metadata!.namespace).toBe('default');
  });
});

const SELECTORLESS = `apiVersion: v1
kind: Service
metadata: {name: old, namespace: app}
spec: {clusterIP: 10.96.0.9, ports: [{name: http, port: 80}]}
`;

describe('legacy v1 Endpoints', () => {
  test('are mirrored into EndpointSlices per address family, ready from addresses', async () => {
    const loaded = await loadText(`apiVersion: v1
kind: Endpoints
metadata: {name: old, namespace: app}
subsets:
- addresses: [{ip: 10.1.0.1, nodeName: n1}, {ip: "fd00::1"}]
  notReadyAddresses: [{ip: 10.1.0.2}]
  ports: [{name: http, port: 8080}]
---
${SELECTORLESS}`);
    const slices = loaded.objects.filter((o) => o.kind === 'EndpointSlice') as EndpointSlice[];
    expect(slices.map((s) => s.addressType)).toEqual(['IPv4', 'IPv6']);
    expect(slices[0]!.metadata.labels!['kubernetes.io/service-name']).toBe('old');
    expect(slices[0]!.endpoints).toEqual([
      { addresses: ['10.1.0.1'], conditions: { ready: true }, nodeName: 'n1' },
      { addresses: ['10.1.0.2'], conditions: { ready: false } },
    ]);
    expect(slices[0]!.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
  });

  // The mirroring controller deletes (never writes) mirrored slices when the Service is missing or
  // has a selector: the EndpointSlice controller owns those.
  test.each([
    { name: 'no Service', service: '' },
    { name: 'a Service with a selector', service: SELECTORLESS.replace('spec: {', 'spec: {selector: {app: old}, ') },
    { name: 'a Service with an empty selector', service: SELECTORLESS.replace('spec: {', 'spec: {selector: {}, ') },
  ])('are not mirrored for $name', async ({ service }) => {
    const loaded = await loadText(`apiVersion: v1
kind: Endpoints
metadata: {name: old, namespace: app}
subsets: [{addresses: [{ip: 10.1.0.1}], ports: [{port: 80}]}]
${service ? `---\n${service}` : ''}`);
    expect(loaded.mirroredEndpoints).toBe(0);
    expect(loaded.objects.filter((o) => o.kind === 'EndpointSlice')).toEqual([]);
  });

  test('are not mirrored when the service already has EndpointSlices', async () => {
    const loaded = await loadText(`apiVersion: v1
kind: Endpoints
metadata: {name: s, namespace: app}
subsets: [{addresses: [{ip: 10.1.0.1}], ports: [{port: 80}]}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s-abc, namespace: app, labels: {kubernetes.io/service-name: s}}
addressType: IPv4
endpoints: [{addresses: [10.1.0.9]}]
ports: [{port: 80}]
`);
    expect(loaded.objects).toHaveLength(1);
    expect(loaded.mirroredEndpoints).toBe(0);
  });
});

describe('the kube-proxy ConfigMap', () => {
  test('kube-system/kube-proxy data[config.conf] yields the KubeProxyConfiguration', async () => {
    const loaded = await loadText(`apiVersion: v1
kind: ConfigMap
metadata: {name: kube-proxy, namespace: kube-system}
data:
  config.conf: |-
    apiVersion: kubeproxy.config.k8s.io/v1alpha1
    kind: KubeProxyConfiguration
    clusterCIDR: 10.244.0.0/16
    mode: nftables
`);
    expect(loaded.counts).toEqual({ KubeProxyConfiguration: 1 });
    expect(loaded.skipped).toEqual({ ConfigMap: 1 });
  });

  test('an invalid embedded configuration names the ConfigMap key in the field path', async () => {
    const err = await loadText(`apiVersion: v1
kind: ConfigMap
metadata: {name: kube-proxy, namespace: kube-system}
data:
  config.conf: |-
    apiVersion: kubeproxy.config.k8s.io/v1alpha1
    kind: KubeProxyConfiguration
    iptables: {masqueradeBit: 40}
`).catch((e) => e);
    expect(err.errors[0].at.field).toBe('data[config.conf].iptables.masqueradeBit');
  });
});
