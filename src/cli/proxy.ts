// `kubeplane proxy`: kube-proxy's userspace mode as a real proxy on this machine. Flags are checked
// here, before anything listens; the work lives in src/proxy/userspace.

import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { collect } from './io.js';
import type { CheckedProxyFlags } from './proxy-run.js';

interface ProxyCmdFlags {
  file?: string[];
  watch?: boolean;
  listenAddress: string;
  portMap?: string;
  balance: string;
  seed?: string;
  node?: string;
  udpIdleTimeout: string;
  l7?: string;
  dnsListen?: string;
  netns?: string;
}

/** "250ms", "2s", "1m" or a bare number of milliseconds. */
export function parseDuration(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  const n = m ? Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 1) : Number.NaN;
  if (!m || !(n > 0))
    throw new UsageError(`${flag}: ${JSON.stringify(text)} must be a positive duration (250ms, 2s, 1m)`);
  return Math.round(n);
}

export function registerProxy(program: Command): void {
  program
    .command('proxy')
    .description(
      "kube-proxy's userspace mode: one local listener per service port, balancing connections over its endpoints",
    )
    .option('-f, --file <path>', 'manifest file, directory, or - for stdin (repeatable)', collect)
    .option('--watch', 'reload the -f manifests when they change (open connections are kept)')
    .option('--listen-address <ip>', 'address the listeners bind (on OS-chosen ports)', '127.0.0.1')
    .option('--port-map <file>', 'write {"ports":[...]} here (atomically) once every listener is up, and on change')
    .option('--balance <strategy>', 'round-robin | random', 'round-robin')
    .option('--seed <n>', 'seed the random source (default: crypto random)')
    .option('--node <name>', 'node to proxy for (default: hostnameOverride, else the only Node, else this hostname)')
    .option('--udp-idle-timeout <duration>', 'end a UDP session after this long without a datagram', '250ms')
    .option('--l7 <protocol>', 'proxy every TCP port as this protocol (http), not only appProtocol http / h2c')
    .option(
      '--dns-listen <ip:port>',
      'also serve the cluster DNS here, answering Service names with the listen address',
    )
    .option('--netns <name>', 'run inside this network namespace and install the portal rules there (root)')
    .action(async (flags: ProxyCmdFlags) => {
      const checked = await checkFlags(flags);
      if (checked.netns !== undefined) {
        const { insideNetns, rerunInNetns } = await import('./proxy-netns.js');
        // Checked here, run there: the same command line again, inside the namespace.
        if (!insideNetns(checked.netns)) {
          process.exitCode = await rerunInNetns(checked.netns);
          return;
        }
      }
      const { runProxy } = await import('./proxy-run.js');
      await runProxy(checked);
    });
}

async function checkFlags(flags: ProxyCmdFlags): Promise<CheckedProxyFlags> {
  if (!flags.file || flags.file.length === 0)
    throw new UsageError('-f/--file is required (a file, a directory, or - for stdin)');
  if (flags.balance !== 'round-robin' && flags.balance !== 'random')
    throw new UsageError(`--balance: ${JSON.stringify(flags.balance)} must be round-robin or random`);
  if (flags.l7 !== undefined && flags.l7 !== 'http')
    throw new UsageError(`--l7: ${JSON.stringify(flags.l7)} must be http`);
  const { parseIPSloppy } = await import('../net/index.js');
  const ip = parseIPSloppy(flags.listenAddress);
  if (!ip || ip.sloppy)
    throw new UsageError(`--listen-address: ${JSON.stringify(flags.listenAddress)} is not an IP address`);
  let dnsListen: CheckedProxyFlags['dnsListen'];
  if (flags.dnsListen !== undefined) {
    const { parseHostPort } = await import('../dns/upstream.js');
    try {
      dnsListen = parseHostPort(flags.dnsListen, '--dns-listen');
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  let listenHost = ip.text;
  if (flags.netns !== undefined) {
    const { checkNetns } = await import('./proxy-netns.js');
    checkNetns(flags.netns);
    // Portal rules cannot DNAT to loopback (proxier.go: "If the proxy is bound to localhost only,
    // all of this is broken. Not allowed."); in a namespace the listeners bind every address.
    if (ip.text === '127.0.0.1' || ip.text === '::1') listenHost = '0.0.0.0';
    if (listenHost.includes(':'))
      throw new UsageError(`--listen-address ${listenHost}: --netns installs IPv4 portal rules only`);
  }
  let seed: number | undefined;
  if (flags.seed !== undefined) {
    seed = Number(flags.seed);
    if (!Number.isInteger(seed) || seed < 0)
      throw new UsageError(`--seed: ${JSON.stringify(flags.seed)} must be an integer >= 0`);
  }
  if (flags.portMap) {
    const { checkPortMapPath } = await import('../proxy/userspace/port-map-file.js');
    await checkPortMapPath(flags.portMap);
  }
  return {
    files: flags.file,
    watch: flags.watch === true,
    listenHost,
    portMap: flags.portMap,
    strategy: flags.balance,
    seed,
    node: flags.node,
    udpIdleTimeoutMs: parseDuration('--udp-idle-timeout', flags.udpIdleTimeout),
    l7Http: flags.l7 === 'http',
    dnsListen,
    netns: flags.netns,
  };
}
