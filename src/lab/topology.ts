// The lab: three kinds of network namespace joined by veth pairs, none with a link to the host.
//
//   client (100.64.0.2, + extra source addresses) --veth-- node (holds the rules, forwards)
//   node --veth-- pods (every endpoint address, echo servers)
//
// The node namespace holds the node's IPs on lo and routes each endpoint address to the pods
// namespace; the client sends everything to the node. Endpoints that are node IPs (host-network
// pods, the API server) are served from the node namespace itself. Nothing here knows about
// iptables or nftables: load rules with apply-iptables.ts (or the nftables apply) into `node`.
// The node's default route leads into a dead-end veth that discards what it gets.
import { type ChildProcess, spawn } from 'node:child_process';
import { LabError } from '../errors.js';
import { ECHO_SERVER_SOURCE, type EchoListen } from './echo-server.js';
import { createNetns, deleteNetns, inNetns, nextNetnsName, sysctl } from './netns.js';

export interface LabSpec {
  /** Addresses the node holds (its InternalIPs, ...), IPv4 or IPv6. */
  nodeIPs: readonly string[];
  /** Endpoint addresses to serve. */
  endpoints: readonly EchoListen[];
  /** Extra client source addresses (e.g. inside a loadBalancerSourceRanges CIDR). */
  clientIPs?: readonly string[];
}

export interface Lab {
  readonly client: string;
  readonly node: string;
  readonly pods: string;
  /** The client's main addresses. */
  readonly clientIPv4: string;
  readonly clientIPv6: string;
  close(): Promise<void>;
}

const isV6 = (ip: string) => ip.includes(':');
const host = (ip: string) => (isV6(ip) ? `${ip}/128` : `${ip}/32`);

const LINK = {
  clientV4: '100.64.0.2',
  nodeClientV4: '100.64.0.1',
  podsV4: '100.64.1.2',
  nodePodsV4: '100.64.1.1',
  clientV6: 'fd64::2',
  nodeClientV6: 'fd64::1',
  podsV6: 'fd64:1::2',
  nodePodsV6: 'fd64:1::1',
};

async function startEcho(netns: string, listens: readonly EchoListen[]): Promise<ChildProcess | undefined> {
  if (listens.length === 0) return undefined;
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      netns,
      process.execPath,
      '--input-type=module',
      '-e',
      ECHO_SERVER_SOURCE,
      JSON.stringify(listens),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new LabError(
          'echo server',
          undefined,
          'not ready after 30 s',
          'the machine may be overloaded, or an address is missing',
        ),
      );
    }, 30_000);
    child.stdout!.on('data', (d) => {
      if (String(d).includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(
        new LabError(
          `echo server in ${netns}`,
          code ?? undefined,
          stderr,
          'an endpoint address:port could not be bound',
        ),
      );
    });
  });
  return child;
}

function dedupe(listens: readonly EchoListen[]): EchoListen[] {
  const seen = new Map<string, EchoListen>();
  for (const l of listens) seen.set(`${l.ip}|${l.port}|${l.protocol}`, l);
  return [...seen.values()];
}

/** Build the namespaces, addresses, routes and echo servers; `close()` removes everything. */
export async function createLab(spec: LabSpec): Promise<Lab> {
  const client = nextNetnsName('c');
  const node = nextNetnsName('n');
  const pods = nextNetnsName('p');
  const created: string[] = [];
  const children: ChildProcess[] = [];
  const close = async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    for (const ns of created) await deleteNetns(ns);
  };
  try {
    for (const ns of [client, node, pods]) {
      await createNetns(ns);
      created.push(ns);
    }
    const ipn = (ns: string, ...args: string[]) => inNetns(ns, 'ip', args);
    // Before any link exists: an interface takes its IPv6 settings from `default` when it is
    // created (or moved in), and DAD runs on the larger of `all` and its own value. With DAD on,
    // the veths' link-local addresses stay tentative for a second or two after "up", neighbour
    // discovery waits on them, and the first IPv6 connection of a test times out.
    for (const ns of [client, node, pods]) {
      await sysctl(ns, 'net.ipv4.conf.all.rp_filter', '0');
      await sysctl(ns, 'net.ipv4.conf.default.rp_filter', '0');
      await sysctl(ns, 'net.ipv6.conf.all.accept_dad', '0');
      await sysctl(ns, 'net.ipv6.conf.default.accept_dad', '0');
    }
    // veth pairs: created in the node namespace, one end moved out.
    await ipn(node, 'link', 'add', 'toclient', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', client);
    await ipn(node, 'link', 'add', 'topods', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pods);
    await sysctl(node, 'net.ipv4.ip_forward', '1');
    await sysctl(node, 'net.ipv6.conf.all.forwarding', '1');
    // REJECT answers with ICMP; unlimited, so "refused at once" holds for every probe.
    await sysctl(node, 'net.ipv4.icmp_ratelimit', '0');
    await sysctl(node, 'net.ipv6.icmp.ratelimit', '0');
    await ipn(client, 'addr', 'add', `${LINK.clientV4}/30`, 'dev', 'eth0');
    await ipn(client, 'addr', 'add', `${LINK.clientV6}/64`, 'dev', 'eth0', 'nodad');
    await ipn(node, 'addr', 'add', `${LINK.nodeClientV4}/30`, 'dev', 'toclient');
    await ipn(node, 'addr', 'add', `${LINK.nodeClientV6}/64`, 'dev', 'toclient', 'nodad');
    await ipn(node, 'addr', 'add', `${LINK.nodePodsV4}/30`, 'dev', 'topods');
    await ipn(node, 'addr', 'add', `${LINK.nodePodsV6}/64`, 'dev', 'topods', 'nodad');
    await ipn(pods, 'addr', 'add', `${LINK.podsV4}/30`, 'dev', 'eth0');
    await ipn(pods, 'addr', 'add', `${LINK.podsV6}/64`, 'dev', 'eth0', 'nodad');
    for (const [ns, dev] of [
      [client, 'eth0'],
      [node, 'toclient'],
      [node, 'topods'],
      [pods, 'eth0'],
    ] as const) {
      await sysctl(ns, `net.ipv6.conf.${dev}.accept_dad`, '0');
      await ipn(ns, 'link', 'set', dev, 'up');
    }
    // A real node has a default route: without one, traffic to an address nothing routes (a
    // cluster IP without endpoints) fails in routing before the filter rules see it. Here the
    // default route leads into a veth whose peer stays down (no carrier): it discards
    // everything, so there is still no way out. (The dummy driver is not in every kernel.)
    await ipn(node, 'link', 'add', 'void', 'type', 'veth', 'peer', 'name', 'voidpeer');
    await ipn(node, 'link', 'set', 'void', 'up');
    await ipn(node, 'route', 'add', 'default', 'dev', 'void');
    await ipn(node, '-6', 'route', 'add', 'default', 'dev', 'void');
    // Everything the client sends goes to the node; the lab has no other way out.
    await ipn(client, 'route', 'add', 'default', 'via', LINK.nodeClientV4);
    await ipn(client, '-6', 'route', 'add', 'default', 'via', LINK.nodeClientV6);
    await ipn(pods, 'route', 'add', 'default', 'via', LINK.nodePodsV4);
    await ipn(pods, '-6', 'route', 'add', 'default', 'via', LINK.nodePodsV6);
    for (const ip of spec.clientIPs ?? []) {
      await ipn(client, 'addr', 'add', host(ip), 'dev', 'eth0', ...(isV6(ip) ? ['nodad'] : []));
      await ipn(node, 'route', 'add', host(ip), 'via', isV6(ip) ? LINK.clientV6 : LINK.clientV4);
    }
    const nodeIPs = new Set(spec.nodeIPs);
    for (const ip of nodeIPs) await ipn(node, 'addr', 'add', host(ip), 'dev', 'lo', ...(isV6(ip) ? ['nodad'] : []));
    const listens = dedupe(spec.endpoints);
    const podListens = listens.filter((l) => !nodeIPs.has(l.ip));
    const nodeListens = listens.filter((l) => nodeIPs.has(l.ip));
    for (const ip of new Set(podListens.map((l) => l.ip))) {
      await ipn(pods, 'addr', 'add', host(ip), 'dev', 'eth0', ...(isV6(ip) ? ['nodad'] : []));
      await ipn(node, 'route', 'add', host(ip), 'via', isV6(ip) ? LINK.podsV6 : LINK.podsV4);
    }
    for (const [ns, l] of [
      [pods, podListens],
      [node, nodeListens],
    ] as const) {
      const child = await startEcho(ns, l);
      if (child) children.push(child);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { client, node, pods, clientIPv4: LINK.clientV4, clientIPv6: LINK.clientV6, close };
}
