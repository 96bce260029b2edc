import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { writeOutput } from './io.js';
import { MODE_NAMES } from './modes.js';
import { intFlag as int, intListFlag as intList } from './numbers.js';

/** Kubernetes' published scale limits: 10,000 Services, 150,000 endpoints over 5,000 nodes, 250 in the largest Service. */
export const K8S_LIMITS = { services: 10_000, endpoints: 15, nodes: 5_000, largest: 250 } as const;
const SCALES = ['k8s-limits'] as const;

function peerDir(value: string): string {
  const m = /^go=(.+)$/.exec(value);
  if (!m)
    throw new UsageError(`--peer: ${JSON.stringify(value)} must be go=DIR (a git dir of github:pmichali/kubernetes)`);
  return m[1]!;
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('rule-sync benchmark: full and partial render times, payload size, heap, kernel apply time')
    .option('--modes <modes>', `comma-separated: ${MODE_NAMES.join(',')}`, 'iptables')
    .option('--services <list>', 'cluster sizes (services), comma-separated', '1000,5000,10000')
    .option('--endpoints <n>', 'endpoints per service', '10')
    .option('--nodes <n>', 'nodes the endpoints spread over', '100')
    .option(
      '--scale <name>',
      `a preset: ${SCALES.join(', ')} (10000 services, 150000 endpoints on 5000 nodes, 250 in the largest)`,
    )
    .option('--repeat <n>', 'timed runs per case', '5')
    .option('--warmup <n>', 'untimed runs per case', '2')
    .option('--kernel-repeat <n>', 'kernel apply runs per full payload (needs root)', '1')
    .option('--kernel-timeout <s>', 'give up one kernel load after this many seconds', '300')
    .option('--no-kernel', 'skip the kernel apply measurement')
    .option(
      '--peer <peer>',
      "also time kube-proxy's Go renderer in this run: go=DIR (a git dir of github:pmichali/kubernetes)",
    )
    .option('--seed <n>', 'generator seed', '1')
    .option('--json <file>', 'write the JSON report to a file (default: stdout)')
    .option('--chart <file.svg>', 'write an SVG chart of the report (render and apply time vs services; partial syncs)')
    .action(async (opts: Record<string, string | boolean>, cmd: Command) => {
      const modes = String(opts.modes)
        .split(',')
        .map((m) => m.trim());
      for (const m of modes)
        if (!(MODE_NAMES as readonly string[]).includes(m))
          throw new UsageError(`--modes: unknown mode ${JSON.stringify(m)}`);
      const scale = typeof opts.scale === 'string' ? opts.scale : undefined;
      if (scale !== undefined && !(SCALES as readonly string[]).includes(scale))
        throw new UsageError(`--scale: unknown scale ${JSON.stringify(scale)}: use ${SCALES.join(', ')}`);
      if (scale)
        for (const f of ['services', 'endpoints', 'nodes'])
          if (cmd.getOptionValueSource(f) === 'cli')
            throw new UsageError(`--scale ${scale} sets --${f}: give one or the other`);
      if (typeof opts.chart === 'string' && !opts.chart.endsWith('.svg'))
        throw new UsageError(`--chart: ${JSON.stringify(opts.chart)} must name an .svg file`);
      const peer = typeof opts.peer === 'string' ? peerDir(opts.peer) : undefined;
      const sizes = scale
        ? {
            services: [K8S_LIMITS.services],
            endpoints: K8S_LIMITS.endpoints,
            nodes: K8S_LIMITS.nodes,
            largest: K8S_LIMITS.largest,
          }
        : {
            services: intList('--services', String(opts.services)),
            endpoints: int('--endpoints', String(opts.endpoints), 1),
            nodes: int('--nodes', String(opts.nodes), 1),
          };
      const repeat = int('--repeat', String(opts.repeat), 1);
      const warmup = int('--warmup', String(opts.warmup), 0);
      const kernelRepeat = int('--kernel-repeat', String(opts.kernelRepeat), 1);
      const kernelTimeoutMs = int('--kernel-timeout', String(opts.kernelTimeout), 1) * 1000;
      const seed = int('--seed', String(opts.seed), 0);
      const { runProxyBench } = await import('../bench/proxy.js');
      const { loadApplier, loadMode } = await import('./modes.js');
      const benchModes = [];
      for (const name of modes) benchModes.push({ name, mode: await loadMode(name), applier: await loadApplier(name) });
      const tty = process.stderr.isTTY === true;
      const report = await runProxyBench({
        modes: benchModes,
        ...sizes,
        repeat,
        warmup,
        kernelRepeat,
        kernelTimeoutMs,
        kernel: opts.kernel !== false,
        seed,
        ...(scale ? { scale } : {}),
        ...(peer
          ? { peer: async (s: readonly number[]) => (await import('../bench/peer.js')).runGoPeer(peer, s) }
          : {}),
        ...(tty ? { onProgress: (m: string) => process.stderr.write(`\r\x1b[K${m}`) } : {}),
        onNote: (m: string) => process.stderr.write(`${tty ? '\r\x1b[K' : ''}note: ${m}\n`),
      });
      if (tty) process.stderr.write('\r\x1b[K');
      report.command = `kubeplane ${process.argv.slice(2).join(' ')}`;
      const text = `${JSON.stringify(report, null, 2)}\n`;
      await writeOutput(text, typeof opts.json === 'string' ? opts.json : undefined);
      if (typeof opts.chart === 'string') {
        const { benchChart } = await import('../bench/chart.js');
        await writeOutput(benchChart(report), opts.chart);
      }
      if (tty && typeof opts.json === 'string') {
        for (const c of report.cases)
          process.stderr.write(
            `${c.mode.padEnd(9)} ${String(c.services).padStart(6)} ${c.sync.padEnd(17)} render ${c.renderMsMedian} ms (p90 ${c.renderMsP90})  ${c.payloadBytes} B  ${c.rules} rules  kernel ${c.kernelApplyMsMedian ?? '-'} / --noflush ${c.kernelNoflushApplyMsMedian ?? '-'} ms${c.peer ? `  Go ratio ${c.peer.ratioToGoMin}` : ''}\n`,
          );
      }
    });
}
