import type { Command } from 'commander';
import { collect, writeOutput } from './io.js';
import { addProxyOptions, type ProxyFlags, parseProxyFlags, proxyConfigFor } from './proxy-options.js';

interface RulesFlags extends ProxyFlags {
  file?: string[];
  out?: string;
  withJumps?: boolean;
}

export function registerRules(program: Command): void {
  addProxyOptions(
    program
      .command('rules')
      .description('print the rules kube-proxy would program for the input, in one proxy mode')
      .option('-f, --file <path>', 'manifest file, directory, or - for stdin (repeatable)', collect),
  )
    .option('--out <file>', 'write the rules to a file instead of stdout')
    .option('--with-jumps', 'also print the jump rules from built-in chains (iptables)')
    .action(async (opts: RulesFlags) => {
      const { mode, family, format, profile } = parseProxyFlags(opts);
      const { loadInput } = await import('./input.js');
      const { loadMode } = await import('../proxy/modes.js');
      const loaded = await loadInput(opts.file);
      const config = await proxyConfigFor(loaded.objects, opts);
      const impl = await loadMode(mode);
      const result = impl.renderRules({
        objects: loaded.objects,
        config,
        family,
        format,
        profile,
        withJumps: opts.withJumps === true,
      });
      await writeOutput(result.text, opts.out);
    });
}
