// `kubeplane diff --mode M --from OLD --to NEW`: the payload of the sync the change makes, every
// mode alike, with the mode's summary.
import type { Command } from 'commander';
import { collect, writeOutput } from './io.js';
import { addProxyOptions, configFlags, type ProxyFlags, parseProxyFlags } from './proxy-options.js';

interface DiffFlags extends ProxyFlags {
  from?: string[];
  to?: string[];
  out?: string;
}

export function registerDiff(program: Command): void {
  addProxyOptions(
    program
      .command('diff')
      .description('print the partial-sync payload kube-proxy sends when the cluster changes from --from to --to')
      .option('--from <path>', 'manifests of the old state (repeatable)', collect)
      .option('--to <path>', 'manifests of the new state (repeatable)', collect),
  )
    .option('--out <file>', 'write the payload to a file instead of stdout')
    .action(async (opts: DiffFlags) => {
      const { mode, options } = parseProxyFlags(opts);
      const { loadInput } = await import('./input.js');
      const { loadMode } = await import('./modes.js');
      const { diffPayloads, replayDiff } = await import('../proxy/run.js');
      const impl = await loadMode(mode);
      const from = await loadInput(opts.from, '--from');
      const to = await loadInput(opts.to, '--to');
      const d = replayDiff(impl, from.objects, to.objects, configFlags(opts), options, Date.now());
      const { payloads, summary } = diffPayloads(impl, d, options.format);
      const body = payloads.length === 1 ? payloads[0]!.text : payloads.map((p) => `${p.header}\n${p.text}`).join('');
      // Text payloads carry the summary as trailing comment lines, which iptables-restore and nft
      // both skip, so the output still loads; JSON keeps stdout pure and puts it on stderr.
      if (options.format === 'text') {
        await writeOutput(`${body}${summary.map((l) => `# ${l}\n`).join('')}`, opts.out);
      } else {
        await writeOutput(body, opts.out);
        process.stderr.write(`${summary.join('\n')}\n`);
      }
    });
}
