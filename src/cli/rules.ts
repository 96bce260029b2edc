// `kubeplane rules --mode M -f ...`: the first (full) sync of the node, every mode alike.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { Payload, SyncResult } from '../proxy/mode.js';
import { collect, writeOutput } from './io.js';
import { addProxyOptions, configFlags, type ProxyFlags, parseProxyFlags } from './proxy-options.js';
import { STORE_FLAG, STORE_HELP } from './store-input.js';

interface RulesFlags extends ProxyFlags {
  file?: string[];
  store?: string;
  out?: string;
  withJumps?: boolean;
  part?: string;
}

/** What `rules` prints of a sync: one part, the only payload, or every payload under its header. */
export function printedPayloads(result: SyncResult<unknown>, format: 'text' | 'json', part?: string): string {
  if (part !== undefined) {
    const p = result.payloads.find((x) => x.part === part);
    if (!p)
      throw new UsageError(
        `--part: ${JSON.stringify(part)} must be one of ${result.payloads.map((x) => x.part).join(', ')}`,
      );
    return p.text;
  }
  if (format === 'json' && result.json !== undefined) return result.json;
  if (result.payloads.length === 1) return result.payloads[0]!.text;
  return result.payloads.map((p: Payload) => `${p.header}\n${p.text}`).join('');
}

export function registerRules(program: Command): void {
  addProxyOptions(
    program
      .command('rules')
      .description('print the rules kube-proxy would program for the input, in one proxy mode')
      .option('-f, --file <path>', 'manifest file, directory, or - for stdin (repeatable)', collect)
      .option(STORE_FLAG, STORE_HELP),
  )
    .option('--part <part>', 'print one part of the payload (ipvs: ipvs|ipset|iptables|addresses)')
    .option('--out <file>', 'write the rules to a file instead of stdout')
    .option('--with-jumps', 'also print the jump rules from built-in chains (iptables)')
    .action(async (opts: RulesFlags) => {
      const { mode, options } = parseProxyFlags(opts, { withJumps: opts.withJumps === true });
      const { loadObjects } = await import('./store-input.js');
      const { loadMode } = await import('./modes.js');
      const { renderFullSync } = await import('../proxy/run.js');
      const impl = await loadMode(mode);
      if (opts.part !== undefined && !impl.parts.includes(opts.part))
        throw new UsageError(
          `--part: ${JSON.stringify(opts.part)} must be one of ${impl.parts.join(', ')} for --mode ${mode}`,
        );
      const loaded = await loadObjects({ file: opts.file, store: opts.store });
      const result = renderFullSync(impl, loaded.objects, configFlags(opts), options, Date.now());
      await writeOutput(printedPayloads(result, options.format, opts.part), opts.out);
    });
}
