import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { writeOutput } from './io.js';

/** The embedded default cluster that `npm start` runs on. */
export const DEMO_FIXTURE = fileURLToPath(new URL('../../fixtures/demo', import.meta.url));

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the main job on the embedded demo cluster (fixtures/demo): validate and summarise')
    .action(async () => {
      const { loadInput } = await import('./input.js');
      const { resolveProxyConfig } = await import('../proxy/config.js');
      const { buildProxyState } = await import('../proxy/state.js');
      const loaded = await loadInput([DEMO_FIXTURE]);
      const config = resolveProxyConfig(loaded.objects);
      const lines = [`kubeplane demo: ${DEMO_FIXTURE}`, ''];
      for (const [k, n] of Object.entries(loaded.counts).sort()) lines.push(`  ${k.padEnd(24)} ${n}`);
      lines.push('', `node ${config.nodeName} (${[...config.nodeIPs.IPv4, ...config.nodeIPs.IPv6].join(', ')})`);
      for (const family of ['IPv4', 'IPv6'] as const) {
        const state = buildProxyState(loaded.objects, family, config);
        lines.push('', `${family}: ${state.ports.length} service ports, ${state.endpointCount} endpoints`);
        for (const port of state.ports) {
          const c = state.categorized(port);
          const eps =
            c.reachable.map((e) => e.endpoint).join(' ') || (c.hasAny ? '(no local endpoints)' : '(no endpoints)');
          lines.push(`  ${port.name.padEnd(36)} ${port.protocol.padEnd(4)} ${port.clusterIP}:${port.port} -> ${eps}`);
        }
      }
      await writeOutput(`${lines.join('\n')}\n`);
    });
}
