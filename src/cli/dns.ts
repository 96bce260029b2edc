// `kubeplane dns serve` (a CoreDNS-like server for the cluster zone) and `kubeplane dns query`
// (offline resolution as a pod would do it). Flags are checked here; the work lives in src/dns.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { collect, writeOutput } from './io.js';
import { STORE_FLAG, STORE_HELP } from './store-input.js';

interface ZoneFlags {
  file?: string[];
  store?: string;
  domain?: string[];
  ttl?: string;
  pods?: string;
  endpointPodNames?: boolean;
  endpoints?: boolean;
  ignoreEmptyService?: boolean;
  namespaces?: string[];
  nsAddress?: string[];
  zonal?: boolean;
}

interface ServeFlags extends ZoneFlags {
  listen: string;
  fallthrough?: string | true;
  transfer?: boolean;
  upstream?: string;
  metricsListen?: string;
  watch?: boolean;
}

interface QueryFlags extends ZoneFlags {
  type: string;
  namespace: string;
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DOMAIN = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

function zoneFlags(cmd: Command): Command {
  return cmd
    .option('-f, --file <path>', 'manifest file, directory, or - for stdin (repeatable)', collect)
    .option(STORE_FLAG, `${STORE_HELP} (serve: followed live)`)
    .option('--domain <zone>', 'cluster zone, reverse zone or CIDR (repeatable; default cluster.local)', collect)
    .option('--ttl <seconds>', 'record TTL, 0-3600', '5')
    .option('--pods <mode>', 'pod records: disabled | insecure | verified', 'disabled')
    .option('--endpoint-pod-names', 'name endpoints without hostname after their pod (CoreDNS endpoint_pod_names)')
    .option('--no-endpoints', 'serve no endpoint records: headless and endpoint names NXDOMAIN (CoreDNS noendpoints)')
    .option(
      '--ignore-empty-service',
      'NXDOMAIN for ClusterIP Services without ready endpoints (CoreDNS ignore empty_service)',
    )
    .option('--zonal', 'answer <zone>.pin|prefer._zone.<svc>.<ns>.svc names of headless Services (CoreDNS zonal)')
    .option('--namespaces <ns,...>', 'expose only these namespaces (repeatable; CoreDNS namespaces)', collect)
    .option(
      '--ns-address <ip>',
      "this server's own address in the cluster (repeatable): ns.dns.<zone>, and the apex NS names the Service whose endpoint it is (default: the --listen address)",
      collect,
    );
}

async function zoneOptions(flags: ZoneFlags) {
  const { DEFAULT_ZONE_OPTIONS } = await import('../dns/zone.js');
  const ttl = Number(flags.ttl);
  if (!/^\d+$/.test(flags.ttl ?? '') || ttl > 3600)
    throw new UsageError(`--ttl: expected an integer 0-3600, got "${flags.ttl}"`);
  const pods = flags.pods;
  if (pods !== 'disabled' && pods !== 'insecure' && pods !== 'verified')
    throw new UsageError(`--pods: expected disabled, insecure or verified, got "${pods}"`);
  const { parseCIDRSloppy } = await import('../cluster/sloppy-ip.js');
  const { cidrReverseZones } = await import('../dns/reverse.js');
  // A CIDR stands for its reverse zones, as in a CoreDNS server block (`kubernetes cluster.local 10.96.0.0/12`).
  const domains = (flags.domain ?? ['cluster.local']).flatMap((d) => {
    if (!d.includes('/')) return [d.toLowerCase().replace(/\.$/, '')];
    const cidr = parseCIDRSloppy(d);
    if (!cidr || cidr.sloppy) throw new UsageError(`--domain: "${d}" is not a CIDR`);
    return cidrReverseZones(cidr.family, cidr.text.slice(0, cidr.text.indexOf('/')), cidr.prefix);
  });
  for (const z of domains) if (!DOMAIN.test(z)) throw new UsageError(`--domain: "${z}" is not a DNS domain name`);
  // Reverse zones (e.g. 0.10.in-addr.arpa) are served for PTR next to in-addr.arpa and ip6.arpa.
  const isReverse = (z: string) => /(^|\.)(in-addr|ip6)\.arpa$/.test(z);
  const zones = domains.filter((z) => !isReverse(z));
  if (zones.length === 0) throw new UsageError('--domain: at least one cluster zone is needed besides reverse zones');
  const reverseZones = [...new Set([...DEFAULT_ZONE_OPTIONS.reverseZones, ...domains.filter(isReverse)])];
  const namespaces = (flags.namespaces ?? []).flatMap((n) => n.split(',')).filter((n) => n !== '');
  for (const n of namespaces)
    if (!NAMESPACE.test(n)) throw new UsageError(`--namespaces: "${n}" is not a namespace name`);
  const { parseIPSloppy } = await import('../cluster/sloppy-ip.js');
  const nsAddresses: string[] = [];
  for (const a of flags.nsAddress ?? []) {
    const ip = parseIPSloppy(a);
    if (!ip || ip.sloppy) throw new UsageError(`--ns-address: "${a}" is not an IP address`);
    nsAddresses.push(ip.text);
  }
  return {
    ...DEFAULT_ZONE_OPTIONS,
    zones,
    reverseZones,
    ttl,
    pods,
    endpointPodNames: flags.endpointPodNames === true,
    noEndpoints: flags.endpoints === false,
    ignoreEmptyService: flags.ignoreEmptyService === true,
    zonal: flags.zonal === true,
    namespaces,
    ...(nsAddresses.length > 0 ? { nsAddresses } : {}),
  } as const;
}

function fallthroughZones(value: string | true | undefined): readonly string[] | 'all' {
  if (value === true) return 'all';
  if (value === undefined || value === 'none') return value === 'none' ? [] : ['in-addr.arpa', 'ip6.arpa'];
  const zones = value
    .split(',')
    .map((z) => z.trim().toLowerCase().replace(/\.$/, ''))
    .filter((z) => z !== '');
  for (const z of zones) if (!DOMAIN.test(z)) throw new UsageError(`--fallthrough: "${z}" is not a DNS domain name`);
  return zones;
}

async function hostPort(text: string, flag: string) {
  const { parseHostPort } = await import('../dns/upstream.js');
  try {
    return parseHostPort(text, flag);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function registerDns(program: Command): void {
  const dns = program.command('dns').description('cluster DNS: serve the cluster zone, or resolve a name offline');
  zoneFlags(dns.command('serve').description('serve the cluster zone over UDP and TCP, like CoreDNS'))
    .option('--listen <ip:port>', 'address for UDP and TCP', '127.0.0.1:5353')
    .option('--upstream <ip:port>', 'forward names outside the zones here (default: answer REFUSED)')
    .option('--metrics-listen <ip:port>', 'serve /health, /ready and /metrics here')
    .option(
      '--fallthrough [zones]',
      'send NXDOMAIN answers under these zones (comma-separated; no value: every zone; "none": no zone) to --upstream, as CoreDNS fallthrough',
      'in-addr.arpa,ip6.arpa',
    )
    .option('--transfer', 'answer AXFR/IXFR of the cluster zones over TCP, as CoreDNS with `transfer { to * }`')
    .option('--watch', 'reload the -f manifests when they change (a bad edit keeps the old zone)')
    .action(async (flags: ServeFlags) => {
      const zone = {
        ...(await zoneOptions(flags)),
        fallthrough: fallthroughZones(flags.fallthrough),
        transfer: flags.transfer === true,
      };
      const listen = await hostPort(flags.listen, '--listen');
      const upstream = flags.upstream ? await hostPort(flags.upstream, '--upstream') : undefined;
      const metricsListen = flags.metricsListen ? await hostPort(flags.metricsListen, '--metrics-listen') : undefined;
      if (flags.watch && flags.store !== undefined)
        throw new UsageError('--watch reloads -f files; a --store is followed live without it');
      const { openObjects } = await import('./store-input.js');
      const { store } = await openObjects(flags);
      const { startDnsService } = await import('../dns/service.js');
      const running = await startDnsService(store, {
        listen,
        // ns.dns.<zone> answers with the address we serve on (loopback when bound to every address),
        // unless --ns-address says which address this server has in the cluster.
        zone: {
          ...zone,
          nsAddresses:
            flags.nsAddress && flags.nsAddress.length > 0
              ? zone.nsAddresses
              : [listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host === '::' ? '::1' : listen.host],
        },
        upstream,
        metricsListen,
        onError: (err) => process.stderr.write(`dns: ${err instanceof Error ? err.message : String(err)}\n`),
      });
      const host = running.address.host.includes(':') ? `[${running.address.host}]` : running.address.host;
      const where = `${host}:${running.address.port}`;
      process.stderr.write(`serving ${zone.zones.join(', ')} on ${where} (udp+tcp)`);
      if (running.metricsAddress)
        process.stderr.write(
          `; metrics on http://${running.metricsAddress.host}:${running.metricsAddress.port}/metrics`,
        );
      process.stderr.write('\n');
      const stopWatching = flags.watch ? await watchManifests(flags.file ?? [], store) : () => {};
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      stopWatching();
      await running.close();
      await store.close();
    });

  zoneFlags(
    dns.command('query').description('resolve NAME offline as a pod in --namespace would (search list, ndots:5)'),
  )
    .argument('<name>', 'the name as a program in the pod would write it')
    .option('--type <type>', 'query type (A, AAAA, SRV, PTR, TXT, CNAME, SOA, NS, ...)', 'A')
    .option('--namespace <ns>', "the pod's namespace", 'default')
    .action(async (name: string, flags: QueryFlags) => {
      const zone = await zoneOptions(flags);
      const { parseType } = await import('../dns/types.js');
      const type = parseType(flags.type);
      if (type === undefined) throw new UsageError(`--type: unknown record type "${flags.type}"`);
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(flags.namespace))
        throw new UsageError(`--namespace: "${flags.namespace}" is not a namespace name`);
      if (name === '' || name.length > 253) throw new UsageError(`NAME: "${name}" is not a domain name`);
      const { loadObjects } = await import('./store-input.js');
      const loaded = await loadObjects(flags);
      const { ZoneIndex } = await import('../dns/index.js');
      const { resolveAsPod } = await import('../dns/resolve.js');
      const { answerText } = await import('../dns/text.js');
      const { RCODE, rcodeName, typeName } = await import('../dns/types.js');
      const r = resolveAsPod(new ZoneIndex(loaded.objects), zone, name, type, flags.namespace);
      const lines = [`; search ${r.search.join(' ')}  options ndots:${r.ndots}`];
      for (const s of r.steps) {
        const forwarded =
          s.answer.followup?.kind !== 'forward'
            ? ''
            : s.answer.rcode === RCODE.REFUSED
              ? ' (outside the cluster zones: would be forwarded upstream)'
              : ' (falls through to the upstream when one is set)';
        lines.push(`try ${s.name}. ${typeName(type)}: ${rcodeName(s.answer.rcode)}${forwarded}`);
      }
      lines.push(`; answer for ${r.final.name}. ${typeName(type)}`);
      lines.push(...answerText(r.final.answer));
      if (r.final.answer.followup?.kind === 'chase')
        lines.push(
          `; the server appends the upstream's ${typeName(type)} records for ${r.final.answer.followup.target}.`,
        );
      await writeOutput(`${lines.join('\n')}\n`);
    });
}

/** Reload on change; validate first, keep the old zone on error. Returns a stop function. */
async function watchManifests(
  paths: readonly string[],
  store: import('../cluster/store.js').ClusterStore,
): Promise<() => void> {
  const { watch } = await import('node:fs');
  const { loadManifests } = await import('../cluster/load.js');
  const { syncStore } = await import('../dns/reload.js');
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const reload = () => {
    running = running.then(async () => {
      try {
        const loaded = await loadManifests(paths);
        const r = await syncStore(store, loaded.objects);
        process.stderr.write(`reloaded: ${r.upserted} changed, ${r.deleted} deleted\n`);
      } catch (err) {
        process.stderr.write(
          `reload failed, keeping the previous zone:\n${err instanceof Error ? err.message : String(err)}\n`,
        );
      }
    });
  };
  const { statSync } = await import('node:fs');
  const { basename, dirname } = await import('node:path');
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(reload, 200);
  };
  // A file is watched through its directory, so editors that save by renaming a new file into
  // place are seen too; a directory is watched with everything below it.
  const watchers = paths
    .filter((p) => p !== '-')
    .map((p) => {
      if (statSync(p).isDirectory()) return watch(p, { recursive: true }, schedule);
      const name = basename(p);
      return watch(dirname(p), (_event, file) => {
        if (file === null || file === name) schedule();
      });
    });
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
