// `kubeplane serve`: the node agent. Follows --store (or -f files) and keeps one node's rules synced
// as kube-proxy would, with kube-proxy's health and metrics endpoints; one JSON log line per sync.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { collect } from './io.js';
import { STORE_FLAG, STORE_HELP } from './store-input.js';

interface ServeFlags {
  file?: string[];
  store?: string;
  node?: string;
  mode: string;
  metricsListen: string;
  minSyncPeriod: string;
  syncPeriod: string;
  out?: string;
  dnsListen?: string;
  uiListen?: string;
}

function duration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!m) throw new UsageError(`${flag}: "${text}" is not a duration (e.g. 1s, 500ms, 30s)`);
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000);
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description("the node agent: keep one node's proxy rules synced from a store, with /healthz and /metrics")
    .option('-f, --file <path>', 'manifest file, directory, or - for stdin (repeatable)', collect)
    .option(STORE_FLAG, `${STORE_HELP} (followed live)`)
    .option('--node <name>', 'the node to sync for')
    .option('--mode <mode>', 'proxy mode', 'iptables')
    .option('--metrics-listen <ip:port>', '/healthz /livez /metrics /proxyMode', '127.0.0.1:10249')
    .option('--min-sync-period <d>', 'least time between syncs; changes in between are batched', '1s')
    .option('--sync-period <d>', 'full sync at least this often', '30s')
    .option('--dns-listen <ip:port>', 'also serve cluster.local DNS from the same store here (UDP+TCP)')
    .option('--ui-listen <ip:port>', 'also serve the web console on the same store here (it follows the store)')
    .option('--out <dir>', 'write the latest payload of each sync here (<node>.<mode>.<part>)')
    .action(async (flags: ServeFlags) => {
      const minSyncPeriodMs = duration(flags.minSyncPeriod, '--min-sync-period');
      const syncPeriodMs = duration(flags.syncPeriod, '--sync-period');
      const listen = /^(.+):(\d{1,5})$/.exec(flags.metricsListen);
      if (!listen) throw new UsageError(`--metrics-listen: "${flags.metricsListen}" is not IP:PORT`);
      const { loadMode } = await import('./modes.js');
      const mode = await loadMode(flags.mode);
      const { openObjects } = await import('./store-input.js');
      const { store } = await openObjects(flags);
      const { selectNodeName } = await import('../proxy/config.js');
      const node = selectNodeName((await store.snapshot()).objects, flags.node);
      const { startAgent } = await import('../serve/agent.js');
      const { startAgentHttp } = await import('../serve/http.js');
      const { writeFile, mkdir } = await import('node:fs/promises');
      const { join } = await import('node:path');
      if (flags.out) await mkdir(flags.out, { recursive: true });
      const agent = await startAgent(store, {
        mode,
        node,
        minSyncPeriodMs,
        syncPeriodMs,
        onSync: (record, payloads) => {
          process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), msg: 'synced', ...record })}\n`);
          if (flags.out)
            for (const p of payloads) void writeFile(join(flags.out, `${node}.${mode.name}.${p.part}`), p.text);
        },
        onError: (err) => process.stderr.write(`${JSON.stringify({ msg: 'store failed', error: err.message })}\n`),
        onConnection: (up, err) =>
          process.stderr.write(
            `${JSON.stringify(up ? { msg: 'store reconnected' } : { msg: 'store unreachable, retrying', error: String((err as Error)?.message ?? err) })}\n`,
          ),
      });
      let dns: { close(): Promise<void> } | undefined;
      if (flags.dnsListen) {
        const { parseHostPort } = await import('../dns/upstream.js');
        let at: ReturnType<typeof parseHostPort>;
        try {
          at = parseHostPort(flags.dnsListen, '--dns-listen');
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
        const { startDnsService } = await import('../dns/service.js');
        dns = await startDnsService(store, {
          listen: at,
          // The add-on's defaults: cluster.local and the reverse zones; `dns serve` has the knobs.
          zone: {
            zones: ['cluster.local'],
            reverseZones: ['in-addr.arpa', 'ip6.arpa'],
            ttl: 5,
            pods: 'disabled',
            nsAddresses: [at.host === '0.0.0.0' ? '127.0.0.1' : at.host === '::' ? '::1' : at.host],
          },
          onError: (err) => process.stderr.write(`${JSON.stringify({ msg: 'dns', error: String(err) })}\n`),
        });
      }
      let ui: { url: string; close(): Promise<void> } | undefined;
      if (flags.uiListen) {
        const { startConsoleFor } = await import('./ui.js');
        ui = await startConsoleFor(store, flags.uiListen, '--ui-listen', { follow: true, node });
        process.stderr.write(`console on ${ui.url}\n`);
      }
      const http = await startAgentHttp(agent, mode.name, listen[1]!.replace(/^\[|\]$/g, ''), Number(listen[2]));
      process.stderr.write(`serving node ${node} (${mode.name}); metrics on http://${flags.metricsListen}/metrics\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      agent.stop();
      await dns?.close();
      await ui?.close();
      await http.close();
      await store.close();
    });
}
