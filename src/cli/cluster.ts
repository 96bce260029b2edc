// `kubeplane cluster -f app/`: the completed cluster (what the API server and controllers would
// write) as a List that -f reads back.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { collect, writeOutput } from './io.js';
import { intFlag } from './numbers.js';

export function registerCluster(program: Command): void {
  program
    .command('cluster')
    .description(
      'complete applied manifests as a cluster would (ClusterIPs, nodePorts, Pods, scheduling, pod IPs, EndpointSlices) and print them as a List',
    )
    .option('-f, --file <path>', 'manifest file, directory or - (repeatable)', collect)
    .option('--nodes <n>', 'Nodes to create when the input has none (as every -f command does: 1)', '1')
    .option('-o, --output <format>', 'yaml|json', 'yaml')
    .option('--service-cidr <cidrs>', 'service CIDR(s) when the input has no ServiceCIDR (default 10.96.0.0/12)')
    .option('--service-node-port-range <a-b>', 'node port range', '30000-32767')
    .option('--cluster-cidr <cidrs>', 'pod CIDR(s) Node podCIDRs come from', '10.244.0.0/16')
    .option('--seed <n>', 'seed of the allocators and generated names', '1')
    .option('--not-ready <name>', 'a Pod or workload whose Pods are not ready (repeatable)', collect)
    .action(async (opts: Record<string, string | string[] | undefined>) => {
      const format = opts.output;
      if (format !== 'yaml' && format !== 'json')
        throw new UsageError(`-o/--output: ${JSON.stringify(format)} must be yaml or json`);
      const { loadInput } = await import('./input.js');
      const loaded = await loadInput(opts.file as string[] | undefined, '-f/--file', {
        forceComplete: true,
        control: {
          nodes: intFlag('--nodes', opts.nodes as string, 0),
          seed: intFlag('--seed', opts.seed as string, 0),
          ...(opts.serviceCidr ? { serviceCidr: opts.serviceCidr as string } : {}),
          nodePortRange: opts.serviceNodePortRange as string,
          clusterCidr: opts.clusterCidr as string,
          notReady: (opts.notReady as string[] | undefined) ?? [],
        },
      });
      const list = {
        apiVersion: 'v1',
        kind: 'List',
        metadata: { resourceVersion: '' },
        items: [...(loaded.workloads ?? []), ...loaded.objects],
      };
      let text: string;
      if (format === 'json') text = `${JSON.stringify(list, null, 2)}\n`;
      else {
        const { dump } = await import('js-yaml');
        text = dump(list, { noRefs: true, lineWidth: -1, sortKeys: false });
      }
      await writeOutput(text);
    });
}
