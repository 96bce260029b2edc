// `kubeplane label`: a dump printed back with a note naming the service port or endpoint of every
// hashed chain (from comments, else from kube-proxy's hashes of the cluster's objects, -f).
import type { Command } from 'commander';
import { dumpMode, familiesOf, readDump, renderNode } from './drift-input.js';
import { collect, writeOutput } from './io.js';

interface LabelFlags {
  mode?: string;
  file?: string[];
  node?: string;
  rules?: string;
}

export function registerLabel(program: Command): void {
  program
    .command('label')
    .description('print a rule dump with a note naming the service port or endpoint of every hashed chain')
    .option('--mode <mode>', 'iptables|nftables')
    .option('--rules <dump>', 'the dump: iptables-save, nft list ruleset, or nft -j list ruleset')
    .option('-f, --file <path>', 'manifests to name chains whose comments were stripped (repeatable)', collect)
    .option('--node <name>', 'node the dump is from, with -f (default: hostnameOverride, else the only Node)')
    .action(async (opts: LabelFlags) => {
      const mode = dumpMode(opts.mode);
      const dump = await readDump(opts.rules);
      const { labelDump, hashLabels } = await import('../drift/index.js');
      let hashes: Map<string, string> | undefined;
      if (opts.file) {
        const { loadInput } = await import('./input.js');
        const loaded = await loadInput(opts.file);
        const node = await renderNode(mode, loaded.objects, opts.node, familiesOf(mode, dump));
        hashes = hashLabels(node.ports, node.endpointsOf);
      }
      const r = labelDump(mode, dump, hashes);
      await writeOutput(r.text);
      if (r.unlabelled.length > 0)
        process.stderr.write(
          `label: ${r.unlabelled.length} chains not named${opts.file ? '' : ' (give -f CLUSTER to name them from hashes)'}\n`,
        );
    });
}
