// `kubeplane ipam node-cidrs | show | bench`: node pod-CIDR allocation over manifests, a data dir's
// allocations and utilisation, and the IPAM benchmark. Work is loaded lazily, as every command.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { errorText } from './error-text.js';
import { collect, writeOutput } from './io.js';
import { STORE_FLAG, STORE_HELP } from './store-input.js';

interface NodeCidrOpts {
  file?: string[];
  store?: string;
  clusterCidr?: string;
  nodeMask?: string;
  nodeMaskIpv4?: string;
  nodeMaskIpv6?: string;
  serviceCidr?: string;
  json?: boolean;
}

async function nodeCidrs(opts: NodeCidrOpts): Promise<void> {
  if (!opts.clusterCidr) throw new UsageError('--cluster-cidr is required (e.g. 10.244.0.0/16,fd00:10:244::/56)');
  const { loadObjects } = await import('./store-input.js');
  const { parseNodeCidrConfig, planNodeCidrs } = await import('../ipam/node-cidr-allocator.js');
  const { IpamError } = await import('../errors.js');
  let config: ReturnType<typeof parseNodeCidrConfig>;
  try {
    config = parseNodeCidrConfig(opts.clusterCidr, {
      ...(opts.nodeMask !== undefined ? { nodeMask: opts.nodeMask } : {}),
      ...(opts.nodeMaskIpv4 !== undefined ? { nodeMaskIPv4: opts.nodeMaskIpv4 } : {}),
      ...(opts.nodeMaskIpv6 !== undefined ? { nodeMaskIPv6: opts.nodeMaskIpv6 } : {}),
      ...(opts.serviceCidr !== undefined ? { serviceCidr: opts.serviceCidr } : {}),
    });
  } catch (err) {
    if (err instanceof IpamError) throw new UsageError(errorText(err));
    throw err;
  }
  const loaded = await loadObjects(opts);
  const nodes = loaded.objects.flatMap((o) =>
    o.kind === 'Node'
      ? [
          {
            name: o.metadata.name,
            podCIDRs: o.spec?.podCIDRs?.length ? o.spec.podCIDRs : o.spec?.podCIDR ? [o.spec.podCIDR] : [],
          },
        ]
      : [],
  );
  const plan = planNodeCidrs(nodes, config);
  if (opts.json) {
    await writeOutput(`${JSON.stringify({ order: 'name', nodes: plan.nodes, pools: plan.usage }, null, 2)}\n`);
    return;
  }
  const width = Math.max(4, ...plan.nodes.map((n) => n.name.length));
  const lines = plan.nodes.map((n) => `${n.name.padEnd(width)}  ${n.podCIDRs.join(',').padEnd(36)}  ${n.source}`);
  const pools = plan.usage.map((u) => `# ${u.clusterCIDR} /${u.nodeMask}: ${u.used}/${u.capacity} node CIDRs used`);
  await writeOutput(`${[...lines, ...pools].join('\n')}\n`);
}

interface ShowOpts {
  dataDir?: string;
  config?: string;
  json?: boolean;
}

async function show(opts: ShowOpts): Promise<void> {
  if (!opts.dataDir) throw new UsageError('--data-dir is required');
  const { inspectDataDir } = await import('../ipam/stores/file-inspect.js');
  const { rangeSetsFromCniConfig, reportNetwork } = await import('../ipam/show.js');
  let fromConfig: Map<string, import('../ipam/range-set.js').RangeSet[]> | undefined;
  if (opts.config) {
    const { readFileBounded } = await import('../ipam/read-bounded.js');
    const { MAX_STDIN_BYTES, checkConfigDepth } = await import('../ipam/cni-limits.js');
    let doc: unknown;
    try {
      // The same bounds as a config on the plugin's stdin: it is the same document.
      const text = readFileBounded(opts.config, MAX_STDIN_BYTES);
      if (text === undefined) throw new Error(`more than ${MAX_STDIN_BYTES} bytes; a CNI config is a few KiB`);
      doc = JSON.parse(text);
      checkConfigDepth(doc);
    } catch (err) {
      throw new UsageError(`--config ${opts.config}: ${(err as Error).message}`);
    }
    fromConfig = rangeSetsFromCniConfig(doc, opts.config);
  }
  const reports = inspectDataDir(opts.dataDir).map((s) => reportNetwork(s, fromConfig?.get(s.network)));
  if (opts.json) {
    await writeOutput(`${JSON.stringify({ networks: reports }, null, 2)}\n`);
    return;
  }
  const out: string[] = [];
  for (const r of reports) {
    out.push(`network ${r.network} (${r.dir}): ${r.allocations.length} allocation(s)`);
    if (r.rangesSource === 'unknown') out.push('  ranges: unknown (not written by kubeplane-ipam; pass --config)');
    for (const u of r.ranges)
      out.push(
        `  range set ${u.rangeSet}  ${u.range.padEnd(33)} ${String(u.used).padStart(6)}/${u.capacity} used (${(u.utilisation * 100).toFixed(1)}%)${u.lastReserved ? `  last ${u.lastReserved}` : ''}`,
      );
    if (r.outsideRanges > 0 && r.rangesSource !== 'unknown')
      out.push(`  ${r.outsideRanges} allocation(s) outside the configured ranges`);
    for (const a of r.allocations)
      out.push(
        `  ${a.ip.padEnd(28)} ${a.empty ? '(empty: claim never written; GC or the next ADD frees it)' : `${a.containerId} ${a.ifname || '(no ifname)'}`}`,
      );
  }
  await writeOutput(`${out.join('\n')}\n`);
}

export function registerIpam(program: Command): void {
  const ipam = program.command('ipam').description('node pod-CIDR allocation and host-local pod IP data dirs');
  ipam
    .command('node-cidrs')
    .description(
      'assign pod CIDRs to Nodes as kube-controller-manager does (existing podCIDRs kept; new nodes in name order)',
    )
    .option('-f, --file <path>', 'manifest file, directory, or - for stdin (repeatable)', collect)
    .option(STORE_FLAG, STORE_HELP)
    .option('--cluster-cidr <cidrs>', 'cluster CIDR, or two comma-separated (one per family) for dual stack')
    .option(
      '--node-mask <n>',
      'node CIDR prefix length; dual stack: "a,b" in --cluster-cidr order, or one value for its family (<=32 IPv4)',
    )
    .option('--node-mask-ipv4 <n>', 'IPv4 node CIDR prefix length (default 24)')
    .option('--node-mask-ipv6 <n>', 'IPv6 node CIDR prefix length (default 64)')
    .option('--service-cidr <cidrs>', 'service CIDR(s): blocks they overlap are not given to nodes')
    .option('--json', 'print JSON')
    .action(nodeCidrs);
  ipam
    .command('show')
    .description('allocations and utilisation per range of a host-local style data dir')
    .option('--data-dir <dir>', 'data dir (one subdirectory per network) or one network directory')
    .option('--config <file>', 'CNI .conf/.conflist giving the ranges (default: those kubeplane-ipam recorded)')
    .option('--json', 'print JSON')
    .action(show);
  ipam
    .command('bench')
    .description('IPAM benchmark: ADD+DEL rates, 5,000 node CIDRs + 150,000 pod IPs, executable ADD cost curve')
    .option('--json <file>', 'write the JSON report to a file (default: stdout)')
    .option('--quick', 'smaller counts (a smoke run)')
    .action(async (opts: { json?: string; quick?: boolean }) => {
      const { runIpamBench, summarizeIpamBench } = await import('../bench/ipam.js');
      const report = await runIpamBench({
        quick: opts.quick === true,
        onProgress: (m) => process.stderr.write(`${m}\n`),
      });
      await writeOutput(`${JSON.stringify(report, null, 2)}\n`, opts.json);
      if (opts.json) process.stderr.write(summarizeIpamBench(report));
    });
}
