// `kubeplane serve`: the node agent. Follows --store (or -f files) and keeps one or many nodes' rules synced
// as kube-proxy would, with kube-proxy's health and metrics endpoints; one JSON log line per sync.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { collect } from './io.js';
import { STORE_FLAG, STORE_HELP } from './store-input.js';

interface ServeFlags {
  file?: string[];
  store?: string;
  node?: string[];
  nodes?: string;
  mode: string;
  metricsListen: string;
  healthListen: string;
  watch?: boolean;
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
    .description("the node agent: keep one or many nodes' proxy rules synced from a store, with /healthz and /metrics")
    .option('-f, --file <path>', 'manifest file, directory, or - for stdin (repeatable)', collect)
    .option('--watch', 'follow the -f manifests: re-read them on change and re-sync (a bad edit keeps the old state)')
    .option(STORE_FLAG, `${STORE_HELP} (followed live)`)
    .option('--node <name>', 'a node to sync for (repeatable: one agent, many emulated nodes)', collect)
    .option('--nodes <all>', 'sync every Node in the store, following Nodes as they come and go')
    .option('--mode <mode>', 'proxy mode', 'iptables')
    .option('--metrics-listen <ip:port>', '/healthz /livez /metrics /proxyMode', '127.0.0.1:10249')
    .option(
      '--health-listen <ip:port>',
      "/healthz /livez only (kube-proxy's healthz address, here loopback)",
      '127.0.0.1:10256',
    )
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
      const healthListen = /^(.+):(\d{1,5})$/.exec(flags.healthListen);
      if (!healthListen) throw new UsageError(`--health-listen: "${flags.healthListen}" is not IP:PORT`);
      if (flags.nodes !== undefined && flags.nodes !== 'all')
        throw new UsageError(`--nodes: "${flags.nodes}" is not "all" (name nodes with --node, repeatable)`);
      if (flags.nodes !== undefined && flags.node !== undefined)
        throw new UsageError('--nodes all and --node exclude each other');
      if (flags.watch && flags.store !== undefined)
        throw new UsageError('--watch follows -f files; a --store is followed live without it');
      const { loadMode } = await import('./modes.js');
      const mode = await loadMode(flags.mode);
      const { openObjects } = await import('./store-input.js');
      const { store } = await openObjects(flags);
      const { selectNodeName } = await import('../proxy/config.js');
      const initial = (await store.snapshot()).objects;
      const nodes: string[] | 'all' =
        flags.nodes === 'all' ? 'all' : [...new Set(flags.node ?? [selectNodeName(initial)])];
      const node = nodes === 'all' ? undefined : nodes[0];
      const { startAgent } = await import('../serve/agent.js');
      const { startAgentHttp } = await import('../serve/http.js');
      const { writeFile, mkdir } = await import('node:fs/promises');
      const { join } = await import('node:path');
      if (flags.out) await mkdir(flags.out, { recursive: true });
      const agent = await startAgent(store, {
        mode,
        nodes,
        minSyncPeriodMs,
        syncPeriodMs,
        onSync: (record, payloads) => {
          process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), msg: 'synced', ...record })}\n`);
          if (flags.out)
            for (const p of payloads) void writeFile(join(flags.out, `${record.node}.${mode.name}.${p.part}`), p.text);
        },
        onNodes: (added, removed) =>
          process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), msg: 'nodes', added, removed })}\n`),
        onError: (err) => process.stderr.write(`${JSON.stringify({ msg: 'store failed', error: err.message })}\n`),
        onConnection: (up, err) =>
          process.stderr.write(
            `${JSON.stringify(up ? { msg: 'store reconnected' } : { msg: 'store unreachable, retrying', error: String((err as Error)?.message ?? err) })}\n`,
          ),
      });
      const { watchManifests } = await import('./watch.js');
      const stopWatching = flags.watch ? await watchManifests(flags.file ?? [], store, 'proxy state') : () => {};
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
      const health = await startAgentHttp(
        agent,
        mode.name,
        healthListen[1]!.replace(/^\[|\]$/g, ''),
        Number(healthListen[2]),
        'health',
      );
      const which = nodes === 'all' ? `all nodes (${agent.nodes().length} now)` : `node ${nodes.join(', ')}`;
      process.stderr.write(
        `serving ${which} (${mode.name}); metrics on http://${http.host}:${http.port}/metrics, health on http://${health.host}:${health.port}/healthz\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      stopWatching();
      agent.stop();
      await dns?.close();
      await ui?.close();
      await http.close();
      await health.close();
      await store.close();
    });
}
