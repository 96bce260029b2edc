import type { Command } from 'commander';
import { ModeUnavailableError } from '../errors.js';
import { collect, writeOutput } from './io.js';
import { addProxyOptions, type ProxyFlags, parseProxyFlags, proxyConfigFor } from './proxy-options.js';

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
      const { mode, family, format, profile } = parseProxyFlags(opts);
      const { loadInput } = await import('./input.js');
      const { loadMode } = await import('../proxy/modes.js');
      const impl = await loadMode(mode);
      if (!impl.renderDiff) throw new ModeUnavailableError(`proxy mode ${mode} has no partial syncs`);
      const from = await loadInput(opts.from, '--from');
      const to = await loadInput(opts.to, '--to');
      const config = await proxyConfigFor(to.objects, opts);
      const result = impl.renderDiff({
        from: from.objects,
        to: to.objects,
        config,
        family,
        format,
        profile,
        withJumps: false,
      });
      // Text payloads carry the summary as trailing comment lines, which iptables-restore and nft
      // both skip, so the output still loads; JSON keeps stdout pure and puts it on stderr.
      if (format === 'text') {
        await writeOutput(`${result.text}${result.summary.map((l) => `# ${l}\n`).join('')}`, opts.out);
      } else {
        await writeOutput(result.text, opts.out);
        process.stderr.write(`${result.summary.join('\n')}\n`);
      }
    });
}
