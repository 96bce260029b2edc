// `kubeplane apply --mode M --netns NAME -f ...`: render the node's first sync and program a network
// namespace with it through the mode's applier (nftables: nft [-j] -f -; iptables: iptables-restore
// --noflush, with the jump rules from built-in chains). Nothing is applied when the input does not
// validate.
import type { Command } from 'commander';
import { ModeUnavailableError, UsageError } from '../errors.js';
import { collect } from './io.js';
import { addProxyOptions, configFlags, type ProxyFlags, parseProxyFlags } from './proxy-options.js';
import { STORE_FLAG, STORE_HELP } from './store-input.js';

interface ApplyFlags extends ProxyFlags {
  netns?: string;
  file?: string[];
  store?: string;
}

export function registerApply(program: Command): void {
  addProxyOptions(
    program
      .command('apply')
      .description('program a network namespace with the rules kube-proxy would install (iptables, nftables)')
      .option('--netns <name>', 'network namespace to program (see `ip netns list`)')
      .option('-f, --file <path>', 'manifest file, directory, or - for stdin (repeatable)', collect)
      .option(STORE_FLAG, STORE_HELP),
    // nft -j -f - is what kube-proxy's knftables sends; text loads too.
    { format: 'json' },
  ).action(async (opts: ApplyFlags) => {
    const { mode } = parseProxyFlags(opts);
    if (!opts.netns) throw new UsageError('--netns is required: the network namespace to program');
    // iptables payloads have one encoding: restore text.
    if (mode === 'iptables' && opts.format === 'json') opts.format = 'text';
    const { options } = parseProxyFlags(opts, { withJumps: mode === 'iptables' });
    const { loadApplier, loadMode } = await import('./modes.js');
    const applier = await loadApplier(mode);
    if (!applier)
      throw new ModeUnavailableError(`apply: proxy mode ${mode} has no kernel applier (use iptables or nftables)`);
    const impl = await loadMode(mode);
    const { loadObjects } = await import('./store-input.js');
    const { renderFullSync } = await import('../proxy/run.js');
    const loaded = await loadObjects({ file: opts.file, store: opts.store });
    const result = renderFullSync(impl, loaded.objects, configFlags(opts), options, Date.now());
    const applied = await applier.apply(opts.netns, result.payloads, { full: true, family: options.family });
    const ops = result.stats.operations !== undefined ? ` (${result.stats.operations} operations)` : '';
    process.stdout.write(
      `applied ${result.stats.rules ?? 0} rules${ops} to network namespace ${opts.netns} with ${applied.via.join(', ')}\n`,
    );
  });
}
