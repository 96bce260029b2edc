// `kubeplane lab check -f FILE --mode iptables|nftables [--connections N]`: the emulator against
// the kernel. Renders the node's rules, programs them into a fresh lab (client, node, pods with
// echo servers), and prints one row per service destination: the emulator's predicted outcome
// split and the kernel's observed one. Exit 1 when any row disagrees.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { collect, writeOutput } from './io.js';

interface LabCheckFlags {
  file?: string[];
  mode?: string;
  node?: string;
  connections?: string;
  json?: boolean;
}

const DEFAULT_CONNECTIONS = 60;

export function registerLab(program: Command): void {
  const lab = program.command('lab').description('real network namespaces: check the emulator against the kernel');
  lab
    .command('check')
    .description("program a node's rules into a lab and compare the emulator's verdicts and splits with real traffic")
    .option('-f, --file <path>', 'manifest file, directory, or - for stdin (repeatable)', collect)
    .option('--mode <mode>', 'iptables|nftables')
    .option('--node <name>', 'the node whose rules to check (default: hostnameOverride, else the only Node)')
    .option('--connections <n>', `connections per destination, 1 to 500 (default ${DEFAULT_CONNECTIONS})`)
    .option('--json', 'print JSON')
    .action(async (opts: LabCheckFlags) => {
      const mode = opts.mode;
      if (mode !== 'iptables' && mode !== 'nftables') throw new UsageError('--mode must be iptables or nftables');
      const text = opts.connections ?? String(DEFAULT_CONNECTIONS);
      if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 500)
        throw new UsageError(`--connections: ${JSON.stringify(text)} must be a whole number from 1 to 500`);
      const { loadInput } = await import('./input.js');
      const loaded = await loadInput(opts.file);
      const { resolveProxyConfig } = await import('../proxy/config.js');
      const { buildProxyState } = await import('../proxy/state.js');
      const { loadMode } = await import('./modes.js');
      const { renderFullSync } = await import('../proxy/run.js');
      const flags = opts.node ? { node: opts.node } : {};
      const state = buildProxyState(loaded.objects, 'IPv4', resolveProxyConfig(loaded.objects, flags));
      // The kernel gets what kube-proxy would leave in it: for iptables, the payload and the jumps
      // from the built-in chains it installs beside it. The emulator reads that same text.
      const result = renderFullSync(await loadMode(mode), loaded.objects, flags, {
        family: 'IPv4',
        format: 'text',
        profile: 'default',
        ...(mode === 'iptables' ? { withJumps: true } : {}),
      });
      const payload = result.payloads.map((p) => p.text).join('');
      const { checkJson, checkTable, labCheck } = await import('../lab/check/index.js');
      const rows = await labCheck({ mode, state, payload, connections: Number(text) });
      await writeOutput(opts.json ? `${JSON.stringify(checkJson(rows))}\n` : checkTable(rows));
      if (rows.some((r) => !r.comparison.agree)) process.exitCode = 1;
    });
}
