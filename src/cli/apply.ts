// `kubeplane apply --mode nftables --netns NAME -f ...`: render the node's ruleset and program a
// network namespace with it through `ip netns exec NAME nft -j -f -` (or `nft -f -` with
// --format text). Nothing is applied when the input does not validate.
import type { Command } from 'commander';
import { ModeUnavailableError, UsageError } from '../errors.js';
import { collect } from './io.js';
import { parseFamily, parseProfile, proxyConfigFor, requireMode } from './proxy-options.js';

interface ApplyFlags {
  mode?: string;
  netns?: string;
  file?: string[];
  node?: string;
  clusterCidr?: string;
  family?: string;
  format?: string;
  profile?: string;
}

export function registerApply(program: Command): void {
  program
    .command('apply')
    .description('program a network namespace with the rules kube-proxy would install (nftables: nft -j -f -)')
    .option('--mode <mode>', 'proxy mode: nftables')
    .option('--netns <name>', 'network namespace to program (see `ip netns list`)')
    .option('-f, --file <path>', 'manifest file, directory, or - for stdin (repeatable)', collect)
    .option('--node <name>', 'node to render for (default: hostnameOverride, else the only Node)')
    .option('--cluster-cidr <cidrs>', 'pod CIDR(s) for local-traffic detection (default: clusterCIDR)')
    .option('--family <family>', 'ipv4|ipv6: which IP family to apply', 'ipv4')
    .option('--format <format>', 'json (nft -j -f -) or text (nft -f -)', 'json')
    .option('--profile <profile>', 'default|kube-proxy-test', 'default')
    .action(async (opts: ApplyFlags) => {
      const mode = requireMode(opts.mode);
      if (mode !== 'nftables') throw new ModeUnavailableError(`apply supports --mode nftables (got ${mode})`);
      if (!opts.netns) throw new UsageError('--netns is required: the network namespace to program');
      if (opts.format !== 'json' && opts.format !== 'text')
        throw new UsageError(`--format: ${JSON.stringify(opts.format)} must be json or text`);
      const family = parseFamily(opts.family);
      const profile = parseProfile(opts.profile);
      const { loadInput } = await import('./input.js');
      const { loadMode } = await import('../proxy/modes.js');
      const { applyNft } = await import('../lab/nft-apply.js');
      const impl = await loadMode(mode);
      const loaded = await loadInput(opts.file);
      const config = await proxyConfigFor(loaded.objects, opts);
      const result = impl.renderRules({
        objects: loaded.objects,
        config,
        family,
        format: opts.format,
        profile,
        withJumps: false,
      });
      await applyNft(opts.netns, result.text, opts.format);
      process.stdout.write(
        `applied ${result.stats.rules ?? 0} rules (${result.stats.operations ?? 0} operations) to network namespace ${opts.netns} with nft${opts.format === 'json' ? ' -j' : ''} -f -\n`,
      );
    });
}
