import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { writeOutput } from './io.js';
import { intFlag } from './numbers.js';

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('write a deterministic synthetic cluster (Services, EndpointSlices, Nodes) as a List')
    .option('--services <n>', 'number of Services')
    .option('--endpoints <n>', 'endpoints per Service', '10')
    .option('--nodes <n>', 'number of Nodes', '3')
    .option('--seed <n>', 'random seed', '1')
    .option('--mixed', 'vary service shapes (NodePort, LoadBalancer, affinity, policies, UDP, externalIPs)')
    .option('--pods', 'also write a Pod per endpoint')
    .option('--format <format>', 'yaml|json', 'yaml')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const services = intFlag('--services', opts.services, 0);
      const endpoints = intFlag('--endpoints', opts.endpoints, 0);
      const nodes = intFlag('--nodes', opts.nodes, 1);
      const seed = intFlag('--seed', opts.seed, 0);
      const format = opts.format;
      if (format !== 'yaml' && format !== 'json')
        throw new UsageError(`--format: ${JSON.stringify(format)} must be yaml or json`);
      const { generateCluster } = await import('../cluster/generate.js');
      const items = generateCluster({
        services,
        endpoints,
        nodes,
        seed,
        mixed: opts.mixed === true,
        pods: opts.pods === true,
      });
      const list = { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items };
      let text: string;
      if (format === 'json') text = `${JSON.stringify(list, null, 2)}\n`;
      else {
        const { dump } = await import('js-yaml');
        text = dump(list, { noRefs: true, lineWidth: -1 });
      }
      await writeOutput(text, opts.out as string | undefined);
    });
}
