// `kubeplane ui` (the web console over -f manifests) and `kubeplane up` (the console, cluster DNS and
// the userspace proxy together on loopback). Both run until SIGINT/SIGTERM. The console server
// (src/ui) is loaded only here, so other commands never pay for it.
import type { Command } from 'commander';
import type { ClusterStore } from '../cluster/store.js';
import type { ManifestWarning } from '../cluster/validate/index.js';
import { UsageError } from '../errors.js';
import type { RunningConsole } from '../ui/server.js';
import { collect } from './io.js';

interface UiFlags {
  file?: string[];
  watch?: boolean;
  listen: string;
  node?: string;
  dnsListen?: string;
}

const DEFAULT_LISTEN = '127.0.0.1:8080';

/** "IP:PORT" / "[v6]:PORT" of a listen flag (port 0: the system picks one). */
async function listenAddress(text: string, flag: string): Promise<{ host: string; port: number }> {
  const { parseHostPort } = await import('../dns/upstream.js');
  try {
    return parseHostPort(text, flag);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function isLoopback(host: string): boolean {
  return host.startsWith('127.') || host === '::1' || host === 'localhost';
}

/** Starts the console over `store`, saying where it is (and when it is reachable beyond this machine). */
export async function startConsoleFor(
  store: ClusterStore,
  listen: string,
  flag: string,
  options: { follow: boolean; node?: string | undefined; warnings?: readonly ManifestWarning[] },
): Promise<RunningConsole> {
  const at = await listenAddress(listen, flag);
  const { loadMode } = await import('./modes.js');
  const { startConsole } = await import('../ui/server.js');
  const running = await startConsole(store, {
    host: at.host,
    port: at.port,
    follow: options.follow,
    node: options.node,
    loadMode,
    warnings: (options.warnings ?? []).map((w) => ({
      ...(w.at.object ? { object: w.at.object } : {}),
      message: `${w.at.file}: ${w.at.field}: ${w.message}`,
    })),
    onError: (err) => process.stderr.write(`console: ${err instanceof Error ? err.message : String(err)}\n`),
  }).catch((err: NodeJS.ErrnoException) => {
    const why =
      err.code === 'EADDRINUSE'
        ? 'is already in use; choose another port'
        : err.code === 'EADDRNOTAVAIL'
          ? 'is not an address of this machine'
          : err.code === 'EACCES'
            ? 'needs privileges (ports below 1024)'
            : undefined;
    if (why) throw new UsageError(`${flag}: ${listen} ${why}`, { cause: err });
    throw err;
  });
  if (!isLoopback(running.host))
    process.stderr.write(
      `warning: ${flag} ${listen} is not loopback: anyone who can reach this address can read the cluster state\n`,
    );
  return running;
}

function untilSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

async function runUi(flags: UiFlags): Promise<void> {
  const { loadInput } = await import('./input.js');
  const loaded = await loadInput(flags.file);
  const { MemoryClusterStore } = await import('../cluster/memory-store.js');
  const store = new MemoryClusterStore(loaded.objects);
  const running = await startConsoleFor(store, flags.listen, '--listen', {
    follow: flags.watch === true,
    node: flags.node,
    warnings: loaded.warnings,
  });
  const { watchManifests } = await import('./watch.js');
  const stop = flags.watch ? await watchManifests(flags.file!, store, 'console state') : () => {};
  process.stdout.write(`console: ${running.url}\n`);
  await untilSignal();
  stop();
  await running.close();
  await store.close();
}

async function runUp(flags: UiFlags): Promise<void> {
  const { loadInput } = await import('./input.js');
  const loaded = await loadInput(flags.file);
  const { demoSummary } = await import('./demo.js');
  process.stdout.write(await demoSummary(flags.file!, 'kubeplane up', loaded));
  const { MemoryClusterStore } = await import('../cluster/memory-store.js');
  const store = new MemoryClusterStore(loaded.objects);
  const follow = flags.watch === true;
  const dnsAt = await listenAddress(flags.dnsListen ?? '127.0.0.1:10053', '--dns-listen');
  const { startDnsService } = await import('../dns/service.js');
  const dns = await startDnsService(store, {
    listen: dnsAt,
    zone: {
      zones: ['cluster.local'],
      reverseZones: ['in-addr.arpa', 'ip6.arpa'],
      ttl: 5,
      pods: 'disabled',
      nsAddresses: [dnsAt.host],
    },
    onError: (err) => process.stderr.write(`dns: ${String(err)}\n`),
  });
  const { configFor, printReport } = await import('./proxy-run.js');
  const config = await configFor(loaded.objects, flags.node);
  const { startUserspaceProxy } = await import('../proxy/userspace/service.js');
  const { randomInt } = await import('node:crypto');
  process.stdout.write('\nuserspace proxy (kubeplane proxy): service port -> local listener\n');
  const proxy = await startUserspaceProxy(store, {
    family: 'IPv4',
    config,
    listenHost: '127.0.0.1',
    strategy: 'round-robin',
    random: () => randomInt(0, 2 ** 32) / 2 ** 32,
    udpIdleTimeoutMs: 250,
    l7Http: false,
    follow,
    onEvent: (m) => process.stderr.write(`proxy: ${m}\n`),
    onReport: printReport,
  });
  const consoleRunning = await startConsoleFor(store, flags.listen, '--listen', {
    follow,
    node: flags.node,
    warnings: loaded.warnings,
  });
  const { watchManifests } = await import('./watch.js');
  const stop = follow ? await watchManifests(flags.file!, store, 'cluster state') : () => {};
  const dnsText = `${dnsAt.host.includes(':') ? `[${dns.address.host}]` : dns.address.host}:${dns.address.port}`;
  process.stdout.write(
    [
      '',
      `console: ${consoleRunning.url}`,
      `dns:     ${dnsText} (udp, tcp): dig @${dns.address.host} -p ${dns.address.port} kubernetes.default.svc.cluster.local`,
      `proxy:   ${proxy.portMap().ports.length} service port(s) on 127.0.0.1`,
      `running until Ctrl-C${follow ? '; watching the manifests' : ''}`,
      '',
    ].join('\n'),
  );
  await untilSignal();
  stop();
  await consoleRunning.close();
  await proxy.close(1000);
  await dns.close();
  await store.close();
}

export function registerUi(program: Command): void {
  program
    .command('ui')
    .description('the web console: one Service across every mode, packet traces, DNS, IPAM (runs until Ctrl-C)')
    .option('-f, --file <path>', 'manifest file, directory, or - for stdin (repeatable)', collect)
    .option('--watch', 'reload the -f manifests when they change; the page updates')
    .option('--listen <ip:port>', 'address of the console (loopback unless you say otherwise)', DEFAULT_LISTEN)
    .option('--node <name>', 'node whose rules to show (default: hostnameOverride, else the only Node)')
    .action(async (flags: UiFlags) => {
      if (!flags.file?.length) throw new UsageError('-f/--file is required (a file, a directory, or - for stdin)');
      await runUi(flags);
    });
  program
    .command('up')
    .description('the console, cluster DNS and the userspace proxy together on loopback (runs until Ctrl-C)')
    .option('-f, --file <path>', 'manifest file or directory (repeatable)', collect)
    .option('--watch', 'reload the -f manifests when they change')
    .option('--listen <ip:port>', 'address of the console', DEFAULT_LISTEN)
    .option('--dns-listen <ip:port>', 'address of the cluster DNS (UDP and TCP)', '127.0.0.1:10053')
    .option('--node <name>', 'node to emulate (default: hostnameOverride, else the only Node)')
    .action(async (flags: UiFlags) => {
      if (!flags.file?.length) throw new UsageError('-f/--file is required (a file or a directory)');
      if (flags.file.includes('-')) throw new UsageError('-f -: up reads its manifests again on --watch; give files');
      await runUp(flags);
    });
}
