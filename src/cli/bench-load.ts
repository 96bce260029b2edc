import type { Command } from 'commander';
import { writeOutput } from './io.js';
import { intFlag, intListFlag } from './numbers.js';

export function registerBenchLoad(program: Command): void {
  program
    .command('bench-load')
    .description('benchmark manifest parse+validate and proxy-state build for large clusters')
    .option('--services <list>', 'cluster sizes, comma-separated', '10000')
    .option('--endpoints <n>', 'endpoints per service', '10')
    .option('--repeat <n>', 'timed runs', '5')
    .option('--warmup <n>', 'untimed runs', '1')
    .option('--yaml', 'also measure the same cluster written as YAML')
    .option('--json <file>', 'write the JSON report to a file (default: stdout)')
    .action(async (opts: Record<string, string | boolean>) => {
      const { runLoadBench } = await import('../bench/load.js');
      const tty = process.stderr.isTTY === true;
      const report = await runLoadBench({
        services: intListFlag('--services', opts.services),
        endpoints: intFlag('--endpoints', opts.endpoints, 1),
        repeat: intFlag('--repeat', opts.repeat, 1),
        warmup: intFlag('--warmup', opts.warmup, 0),
        yaml: opts.yaml === true,
        ...(tty ? { onProgress: (m: string) => process.stderr.write(`\r\x1b[K${m}`) } : {}),
      });
      if (tty) process.stderr.write('\r\x1b[K');
      await writeOutput(`${JSON.stringify(report, null, 2)}\n`, typeof opts.json === 'string' ? opts.json : undefined);
    });
}
