// `kubeplane explain -f FILE --node N SERVICE[:PORT]`: for one Service, where each kind of client
// ends up under iptables and under nftables, and the rules that decide it (src/dataplane/explain.ts).
import type { Command } from 'commander';
import { collect, writeOutput } from './io.js';

interface ExplainFlags {
  file?: string[];
  node?: string;
}

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description('explain, for one Service, where each kind of client ends up in iptables and nftables mode, and why')
    .argument('<service>', 'NAMESPACE/NAME[:PORT] (PORT: a port name or number; default namespace "default")')
    .option('-f, --file <path>', 'manifest file, directory, or - for stdin (repeatable)', collect)
    .option('--node <name>', 'the node to explain for (default: hostnameOverride, else the only Node)')
    .action(async (service: string, opts: ExplainFlags) => {
      const { loadInput } = await import('./input.js');
      const { selectNodeName } = await import('../proxy/config.js');
      const loaded = await loadInput(opts.file);
      const node = selectNodeName(loaded.objects, opts.node);
      const { renderForTrace } = await import('./trace.js');
      const { loadDataplane } = await import('../dataplane/load.js');
      const { explainService } = await import('../dataplane/explain.js');
      const text = await explainService(loaded.objects, node, service, async (mode, n) => {
        const r = await renderForTrace(mode, loaded.objects, { node: n, family: 'IPv4' });
        return loadDataplane(mode, r.text, { localAddresses: r.localAddresses });
      });
      await writeOutput(text);
    });
}
