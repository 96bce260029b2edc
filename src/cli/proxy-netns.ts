// `kubeplane proxy --netns NAME`: the command runs again inside the namespace (`ip netns exec`; a
// Node process cannot enter one itself), and there keeps the portal rules in line with its
// listeners, so clients of the namespace reach Services by cluster IP and node port. The rules go
// in with iptables-restore --noflush: the jumps from PREROUTING/OUTPUT/INPUT once, the chains on
// every change; on exit everything is taken out again.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { ProxyRuntimeError, UsageError } from '../errors.js';
import type { ProxyState } from '../proxy/state.js';
import type { PortMap } from '../proxy/userspace/port-map.js';

/** Set in the re-run command: the namespace it runs in. */
export const NETNS_ENV = 'KUBEPLANE_PROXY_NETNS';

export function insideNetns(name: string): boolean {
  return process.env[NETNS_ENV] === name;
}

/** Refuse --netns before anything starts when it cannot work here. */
export function checkNetns(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name))
    throw new UsageError(`--netns: ${JSON.stringify(name)} is not a network namespace name`);
  if (insideNetns(name)) return;
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    throw new UsageError(`--netns ${name}: entering a network namespace and loading iptables rules needs root`);
  if (!existsSync(`/run/netns/${name}`))
    throw new UsageError(`--netns ${name}: no such network namespace (create it with: ip netns add ${name})`);
}

/** Run this very command inside the namespace; resolves with its exit status. Signals are passed on. */
export function rerunInNetns(name: string): Promise<number> {
  const child = spawn('ip', ['netns', 'exec', name, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [NETNS_ENV]: name },
  });
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return new Promise((resolve, reject) => {
    child.once('error', (err) =>
      reject(new ProxyRuntimeError(`--netns ${name}: cannot run ip netns exec (${err.message})`, false)),
    );
    child.once('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal ? 128 + 15 : 1));
    });
  });
}

/**
 * The address host traffic is DNATed to when the listeners bind 0.0.0.0 (proxier.hostIP): the first
 * IPv4 address of a non-loopback interface. DNAT to 127.0.0.1 drops the packets (upstream's note).
 */
export function hostIPOfNamespace(name: string): string {
  for (const addrs of Object.values(networkInterfaces()))
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  throw new ProxyRuntimeError(
    `--netns ${name}: the namespace has no IPv4 address outside loopback to send host traffic to`,
    true,
  );
}

/** Keeps the namespace's portal rules in line with the proxy (one call per sync, in order). */
export class PortalInstaller {
  private installed = false;

  constructor(
    private readonly netns: string,
    private readonly listenHost: string,
    private readonly hostIP: string,
  ) {}

  async sync(state: ProxyState, map: PortMap): Promise<void> {
    const { renderPortalRules, renderPortalCleanup } = await import('../proxy/userspace/portal-rules.js');
    if (!this.installed) {
      // A proxy that died left its jumps behind: take them out first, or they would be doubled.
      await this.restore(renderPortalCleanup()).catch(() => {});
    }
    const text = renderPortalRules(state, {
      portMap: map,
      listenHost: this.listenHost,
      hostIP: this.hostIP,
      jumps: !this.installed,
    });
    await this.restore(text);
    this.installed = true;
  }

  async remove(): Promise<void> {
    if (!this.installed) return;
    const { renderPortalCleanup } = await import('../proxy/userspace/portal-rules.js');
    await this.restore(renderPortalCleanup());
    this.installed = false;
  }

  private async restore(payload: string): Promise<void> {
    const { run } = await import('../lab/exec.js');
    await run('iptables-restore', ['--noflush'], {
      input: payload,
      hint: `loading the portal rules into ${this.netns} failed: the kernel needs the nat table and the addrtype, comment and state matches`,
    });
  }
}
