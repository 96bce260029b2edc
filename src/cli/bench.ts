import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { writeOutput } from './io.js';
import { MODE_NAMES } from './modes.js';
import { intFlag as int, intListFlag as intList } from './numbers.js';

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('rule-sync benchmark: full and partial render times, payload size, kernel apply time')
    .option('--modes <modes>', `comma-separated: ${MODE_NAMES.join(',')}`, 'iptables')
    .option('--services <list>', 'cluster sizes (services), comma-separated', '1000,5000,10000')
    .option('--endpoints <n>', 'endpoints per service', '10')
    .option('--repeat <n>', 'timed runs per case', '5')
    .option('--warmup <n>', 'untimed runs per case', '2')
    .option('--kernel-repeat <n>', 'kernel apply runs per full payload (needs root)', '1')
    .option('--no-kernel', 'skip the kernel apply measurement')
    .option('--seed <n>', 'generator seed', '1')
    .option('--json <file>', 'write the JSON report to a file (default: stdout)')
    .action(async (opts: Record<string, string | boolean>) => {
      const modes = String(opts.modes)
        .split(',')
        .map((m) => m.trim());
      for (const m of modes)
        if (!(MODE_NAMES as readonly string[]).includes(m))
          throw new UsageError(`--modes: unknown mode ${JSON.stringify(m)}`);
      const { runProxyBench } = await import('../bench/proxy.js');
      const { loadApplier, loadMode } = await import('./modes.js');
      const benchModes = [];
      for (const name of modes) benchModes.push({ name, mode: await loadMode(name), applier: await loadApplier(name) });
      const tty = process.stderr.isTTY === true;
      const report = await runProxyBench({
        modes: benchModes,
        services: intList('--services', String(opts.services)),
        endpoints: int('--endpoints', String(opts.endpoints), 1),
        repeat: int('--repeat', String(opts.repeat), 1),
        warmup: int('--warmup', String(opts.warmup), 0),
        kernelRepeat: int('--kernel-repeat', String(opts.kernelRepeat), 1),
        kernel: opts.kernel !== false,
        seed: int('--seed', String(opts.seed), 0),
        ...(tty ? { onProgress: (m: string) => process.stderr.write(`\r\x1b[K${m}`) } : {}),
      });
      if (tty) process.stderr.write('\r\x1b[K');
      const text = `${JSON.stringify(report, null, 2)}\n`;
      await writeOutput(text, typeof opts.json === 'string' ? opts.json : undefined);
      if (typeof opts.json === 'string') {
        for (const c of report.cases)
          process.stderr.write(
            `${c.mode.padEnd(9)} ${String(c.services).padStart(6)} ${c.sync.padEnd(17)} render ${c.renderMsMedian} ms (p90 ${c.renderMsP90})  ${c.payloadBytes} B  ${c.rules} rules  kernel ${c.kernelApplyMsMedian ?? '-'} ms\n`,
          );
      }
    });
}
