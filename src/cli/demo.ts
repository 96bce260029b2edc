import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { LoadedManifests } from '../cluster/load.js';
import type { ClusterObject } from '../cluster/types.js';
import type { ProxyConfig } from '../proxy/config.js';
import { writeOutput } from './io.js';

/** The embedded default cluster that `npm start` runs on. */
export const DEMO_FIXTURE = fileURLToPath(new URL('../../fixtures/demo', import.meta.url));

async function proxySection(objects: readonly ClusterObject[], config: ProxyConfig): Promise<string[]> {
  const { buildProxyState } = await import('../proxy/state.js');
  const lines: string[] = [];
  for (const family of ['IPv4', 'IPv6'] as const) {
    const state = buildProxyState(objects, family, config);
    lines.push('', `${family}: ${state.ports.length} service ports, ${state.endpointCount} endpoints`);
    for (const port of state.ports) {
      const c = state.categorized(port);
      const eps =
        c.reachable.map((e) => e.endpoint).join(' ') ||
        (c.hasAny ? '(no local endpoints: DROP)' : '(no endpoints: REJECT)');
      lines.push(
        `  ${port.name.padEnd(30)} ${port.protocol.padEnd(4)} ${`${port.clusterIP}:${port.port}`.padEnd(20)} -> ${eps}`,
      );
    }
  }
  return lines;
}

async function rulesSection(objects: readonly ClusterObject[], config: ProxyConfig): Promise<string[]> {
  const { loadMode, MODE_NAMES } = await import('./modes.js');
  const { renderFullSync } = await import('../proxy/run.js');
  const lines = ['', 'rules kube-proxy would program on this node (kubeplane rules --mode M -f fixtures/demo):'];
  for (const name of MODE_NAMES) {
    let mode: Awaited<ReturnType<typeof loadMode>>;
    try {
      mode = await loadMode(name);
    } catch {
      continue; // a mode not built yet
    }
    for (const family of ['IPv4', 'IPv6'] as const) {
      const r = renderFullSync(
        mode,
        objects,
        { node: config.nodeName },
        { family, format: 'text', profile: 'default' },
      );
      const text = r.payloads.map((p) => p.text).join('');
      const n = text.split('\n').length - 1;
      const stats = Object.entries(r.stats)
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      lines.push(`  ${name.padEnd(9)} ${family}: ${n} lines, ${Buffer.byteLength(text)} bytes (${stats})`);
    }
  }
  return lines;
}

async function dnsSection(objects: readonly ClusterObject[]): Promise<string[]> {
  const { ZoneIndex } = await import('../dns/index.js');
  const { DEFAULT_ZONE_OPTIONS } = await import('../dns/zone.js');
  const { resolveAsPod } = await import('../dns/resolve.js');
  const { TYPE, rcodeName } = await import('../dns/types.js');
  const { rrText } = await import('../dns/text.js');
  const index = new ZoneIndex(objects);
  const lines = ['', 'cluster DNS, as a pod in namespace shop resolves (kubeplane dns query -f fixtures/demo NAME):'];
  for (const [name, type] of [
    ['frontend', TYPE.A],
    ['orders', TYPE.AAAA],
    ['redis', TYPE.A],
    ['db', TYPE.A],
    ['_http._tcp.api', TYPE.SRV],
    ['kube-dns.kube-system', TYPE.A],
  ] as const) {
    const r = resolveAsPod(index, DEFAULT_ZONE_OPTIONS, name, type, 'shop');
    const a = r.final.answer;
    const records = a.answer.map((rr) => `    ${rrText(rr)}`);
    lines.push(
      `  ${name} -> ${r.final.name}: ${rcodeName(a.rcode)}${records.length ? '' : ' (no records)'}`,
      ...records,
    );
  }
  return lines;
}

async function ipamSection(objects: readonly ClusterObject[]): Promise<string[]> {
  const { parseNodeCidrConfig, planNodeCidrs } = await import('../ipam/node-cidr-allocator.js');
  const nodes = objects
    .filter((o) => o.kind === 'Node')
    .map((n) => ({ name: n.metadata.name, podCIDRs: [] as string[] }));
  nodes.push({ name: 'node-d', podCIDRs: [] });
  const plan = planNodeCidrs(nodes, parseNodeCidrConfig('10.244.0.0/16,fd00:10:244::/56'));
  const lines = ['', 'node pod CIDRs for a fresh allocation, plus a new node-d (kubeplane ipam node-cidrs):'];
  for (const a of plan.nodes) lines.push(`  ${a.name.padEnd(8)} ${a.podCIDRs.join(' ')}`);
  return lines;
}

/** What `kubeplane demo` prints for `files` (`kubeplane up` prints it too, before its addresses). */
export async function demoSummary(
  files: readonly string[],
  title = 'kubeplane demo',
  given?: LoadedManifests,
): Promise<string> {
  const { loadInput } = await import('./input.js');
  const { resolveProxyConfig } = await import('../proxy/config.js');
  const loaded = given ?? (await loadInput(files));
  const config = resolveProxyConfig(loaded.objects);
  const lines = [`${title}: ${files.join(' ')}`, ''];
  for (const [k, n] of Object.entries(loaded.counts).sort()) lines.push(`  ${k.padEnd(24)} ${n}`);
  lines.push('', `node ${config.nodeName} (${[...config.nodeIPs.IPv4, ...config.nodeIPs.IPv6].join(', ')})`);
  lines.push(...(await proxySection(loaded.objects, config)));
  lines.push(...(await rulesSection(loaded.objects, config)));
  lines.push(...(await dnsSection(loaded.objects)));
  lines.push(...(await ipamSection(loaded.objects)));
  return `${lines.join('\n')}\n`;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the main job on the embedded demo cluster (fixtures/demo): state, rules, DNS, IPAM')
    .action(async () => {
      await writeOutput(await demoSummary([DEMO_FIXTURE]));
    });
}
