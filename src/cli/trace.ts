// `kubeplane trace`: where one connection (or N) goes through a mode's rules, rule by rule. The
// rules are rendered from manifests (-f) or read from a dump of a real node (--rules).
import type { Command } from 'commander';
import type { ClusterObject } from '../cluster/types.js';
import type { Packet, SampleResult, Trace } from '../dataplane/index.js';
import { UsageError } from '../errors.js';
import { collect, writeOutput } from './io.js';

interface TraceFlags {
  mode?: string;
  file?: string[];
  node?: string;
  from?: string;
  to?: string;
  proto?: string;
  hook?: string;
  count?: string;
  seed?: string;
  rules?: string;
  nodeIp?: string[];
  inIface?: string;
  json?: boolean;
}

export function registerTrace(program: Command): void {
  program
    .command('trace')
    .description('trace a connection through the rules of one proxy mode, as the kernel would')
    .option('--mode <mode>', 'iptables|nftables|ipvs')
    .option('-f, --file <path>', 'manifest file, directory, or - for stdin (repeatable)', collect)
    .option('--node <name>', 'node whose rules to trace (default: hostnameOverride, else the only Node)')
    .requiredOption('--from <ip[:port]>', 'source address (and port, default 40000)')
    .requiredOption('--to <ip:port>', 'destination address and port')
    .option('--proto <proto>', 'tcp|udp|sctp', 'tcp')
    .option('--hook <hook>', 'prerouting (pod or external client) | output (a process on the node)')
    .option('--count <n>', 'trace N new connections (new source ports) and count where they go')
    .option('--seed <n>', 'seed for random choices (statistic, numgen)', '1')
    .option(
      '--rules <dump>',
      'trace a saved dump (iptables-save, nft list ruleset [-j], or ipvsadm-save -n + ipset save + iptables-save) instead of rendering -f',
    )
    .option('--node-ip <ip>', "the node's own addresses, with --rules (repeatable)", collect)
    .option('--in-iface <name>', 'interface the packet arrives on (for -i / iifname rules)')
    .option('--json', 'print JSON')
    .action(async (opts: TraceFlags) => {
      const mode = opts.mode;
      if (mode !== 'iptables' && mode !== 'nftables' && mode !== 'ipvs')
        throw new UsageError('--mode must be iptables, nftables or ipvs');
      const packet = parsePacket(opts);
      const count = opts.count === undefined ? undefined : positiveInt(opts.count, '--count', 1_000_000);
      const seed = positiveInt(opts.seed ?? '1', '--seed', 2 ** 32);
      const { text, localAddresses } = await rulesFor(mode, opts, packet);
      const dp = await import('../dataplane/index.js');
      const { loadDataplane } = await import('../dataplane/load.js');
      const plane = await loadDataplane(mode, text, { localAddresses });
      if (count === undefined) {
        const t = plane.trace(packet, dp.randomChooser(dp.seededRandom(seed)));
        await writeOutput(opts.json ? `${JSON.stringify(traceJson(t))}\n` : traceText(t));
      } else {
        const r = dp.sampleConnections(plane, packet, count, seed);
        await writeOutput(opts.json ? `${JSON.stringify(sampleJson(r))}\n` : sampleText(r));
      }
    });
}

/**
 * The one place that renders rules for a trace (the lead retargets it when the render API changes).
 */
export async function renderForTrace(
  mode: 'iptables' | 'nftables' | 'ipvs',
  objects: readonly ClusterObject[],
  flags: { node?: string; family: 'IPv4' | 'IPv6' },
): Promise<{ text: string; localAddresses: string[] }> {
  const { loadMode } = await import('./modes.js');
  const { renderFullSync } = await import('../proxy/run.js');
  const { resolveProxyConfig } = await import('../proxy/config.js');
  const configFlags = flags.node ? { node: flags.node } : {};
  const config = resolveProxyConfig(objects, configFlags);
  const impl = await loadMode(mode);
  const result = renderFullSync(impl, objects, configFlags, {
    family: flags.family,
    format: 'text',
    profile: 'default',
  });
  const text = result.payloads.map((p) => p.text).join('');
  return { text, localAddresses: [...config.nodeIPs.IPv4, ...config.nodeIPs.IPv6] };
}

async function rulesFor(mode: 'iptables' | 'nftables' | 'ipvs', opts: TraceFlags, packet: Packet) {
  if (opts.rules !== undefined) {
    if (opts.file) throw new UsageError('give either -f (render from manifests) or --rules (a dump), not both');
    const { readFile, stat } = await import('node:fs/promises');
    const { MAX_DUMP_BYTES } = await import('../dataplane/load.js');
    const unreadable = (e: NodeJS.ErrnoException): never => {
      throw new UsageError(`--rules ${opts.rules}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
    };
    const size = (await stat(opts.rules).catch(unreadable)).size;
    if (size > MAX_DUMP_BYTES)
      throw new UsageError(`--rules ${opts.rules}: ${size} bytes; at most ${MAX_DUMP_BYTES} are read`);
    const text = await readFile(opts.rules, 'utf8').catch(unreadable);
    return { text, localAddresses: opts.nodeIp ?? [] };
  }
  const { loadInput } = await import('./input.js');
  const loaded = await loadInput(opts.file);
  return renderForTrace(mode, loaded.objects, {
    ...(opts.node ? { node: opts.node } : {}),
    family: packet.dst.includes(':') ? 'IPv6' : 'IPv4',
  });
}

function positiveInt(text: string, flag: string, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max)
    throw new UsageError(`${flag}: ${JSON.stringify(text)} must be a whole number from 1 to ${max}`);
  return Number(text);
}

function hostPortFlag(text: string, flag: string, needPort: boolean): { host: string; port: number | undefined } {
  let host = text;
  let port: string | undefined;
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    host = text.slice(1, end);
    port = text.slice(end + 2) || undefined;
  } else if (text.split(':').length === 2) [host, port] = text.split(':') as [string, string];
  const okHost = /^[0-9.]+$/.test(host) || host.includes(':');
  if (!okHost || (port !== undefined && !/^\d{1,5}$/.test(port)) || (needPort && port === undefined))
    throw new UsageError(
      `${flag}: ${JSON.stringify(text)} must be ${needPort ? 'IP:PORT' : 'IP[:PORT]'} ([v6]:port for IPv6)`,
    );
  return { host, port: port === undefined ? undefined : Number(port) };
}

function parsePacket(opts: TraceFlags): Packet {
  const from = hostPortFlag(opts.from!, '--from', false);
  const to = hostPortFlag(opts.to!, '--to', true);
  const proto = opts.proto ?? 'tcp';
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw new UsageError('--proto must be tcp, udp or sctp');
  const hook = opts.hook ?? 'prerouting';
  if (hook !== 'prerouting' && hook !== 'output') throw new UsageError('--hook must be prerouting or output');
  return {
    proto,
    src: from.host,
    sport: from.port ?? 40000,
    dst: to.host,
    dport: to.port!,
    hook,
    ...(opts.inIface ? { inIface: opts.inIface } : {}),
  };
}

function traceJson(t: Trace) {
  return {
    verdict: t.verdict,
    endpoint: t.endpoint,
    masquerade: t.masquerade,
    path: t.path.map((s) => ({ table: s.table, chain: s.chain, rule: s.rule, line: s.line, text: s.text })),
    ...(t.notes.length ? { notes: t.notes } : {}),
    rulesVisited: t.rulesVisited,
  };
}

function traceText(t: Trace): string {
  let out = '';
  for (const s of t.path) {
    const where = s.line > 0 ? `line ${s.line}` : 'implicit';
    out += `${s.table} ${s.chain} ${s.rule === 'policy' ? 'policy' : `#${s.rule}`} (${where}): ${s.text}\n`;
  }
  for (const n of t.notes) out += `note: ${n}\n`;
  out += `verdict: ${t.verdict}${t.endpoint ? ` to ${t.endpoint}` : ''}${t.masquerade ? ', masqueraded' : ''}\n`;
  out += `rules the kernel evaluates: ${t.rulesVisited}\n`;
  return out;
}

function sampleJson(r: SampleResult) {
  return {
    ...traceJson(r.first),
    counts: Object.fromEntries(r.counts),
    expected: Object.fromEntries(r.expected),
    chiSquareP: r.chiSquareP,
  };
}

function sampleText(r: SampleResult): string {
  const total = [...r.counts.values()].reduce((a, b) => a + b, 0);
  const keys = [...new Set([...r.expected.keys(), ...r.counts.keys()])].sort();
  let out = traceText(r.first).replace(/^verdict/m, 'first connection: verdict');
  out += `\n${'destination'.padEnd(28)} ${'count'.padStart(8)} ${'share'.padStart(8)} ${'expected'.padStart(9)}\n`;
  for (const k of keys) {
    const n = r.counts.get(k) ?? 0;
    out += `${k.padEnd(28)} ${String(n).padStart(8)} ${((100 * n) / total).toFixed(2).padStart(7)}% ${(100 * (r.expected.get(k) ?? 0)).toFixed(2).padStart(8)}%\n`;
  }
  out += `${total} connections; chi-square p = ${r.chiSquareP.toPrecision(3)}\n`;
  return out;
}
