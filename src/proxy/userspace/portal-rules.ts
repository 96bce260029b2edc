// The old userspace mode's portal rules (proxier.go iptablesInit / openOnePortal / openNodePort),
// rendered as an iptables-restore payload (pure): KUBE-PORTALS-CONTAINER (from PREROUTING) and
// KUBE-PORTALS-HOST (from OUTPUT) send each cluster IP:port to the proxy's listener; for a NodePort,
// KUBE-NODEPORT-CONTAINER / -HOST (jumped to for local destinations, after the portals) send the
// node port there too, and the filter table's KUBE-NODEPORT-NON-LOCAL accepts new connections to
// the proxy port. Bound to 0.0.0.0, container traffic is REDIRECTed and host traffic DNATed to the
// host IP; bound to one IP, both DNAT to it.
import type { ProxyState } from '../state.js';
import type { PortMap } from './port-map.js';
import { joinHostPort, splitListen } from './port-map.js';

/** Proxy ports when no port map is given: in state.ports order from here (said in the payload). */
export const PLACEHOLDER_PORT_BASE = 36000;

export const PORTAL_CHAINS = {
  containerPortals: 'KUBE-PORTALS-CONTAINER',
  hostPortals: 'KUBE-PORTALS-HOST',
  containerNodePorts: 'KUBE-NODEPORT-CONTAINER',
  hostNodePorts: 'KUBE-NODEPORT-HOST',
  nonLocalNodePorts: 'KUBE-NODEPORT-NON-LOCAL',
} as const;

const C = PORTAL_CHAINS;

/** The jumps iptablesInit ensures from the built-in chains, by table (portals first, node ports last). */
export const PORTAL_JUMPS = {
  nat: [
    `-A PREROUTING -m comment --comment "handle ClusterIPs; NOTE: this must be before the NodePort rules" -j ${C.containerPortals}`,
    `-A OUTPUT -m comment --comment "handle ClusterIPs; NOTE: this must be before the NodePort rules" -j ${C.hostPortals}`,
    `-A PREROUTING -m addrtype --dst-type LOCAL -m comment --comment "handle service NodePorts; NOTE: this must be the last rule in the chain" -j ${C.containerNodePorts}`,
    `-A OUTPUT -m addrtype --dst-type LOCAL -m comment --comment "handle service NodePorts; NOTE: this must be the last rule in the chain" -j ${C.hostNodePorts}`,
  ],
  filter: [`-A INPUT -m comment --comment "Ensure that non-local NodePort traffic can flow" -j ${C.nonLocalNodePorts}`],
} as const;

export interface PortalOptions {
  /** The running proxy's map; without it, ports are numbered from PLACEHOLDER_PORT_BASE on listenHost. */
  readonly portMap?: PortMap | undefined;
  readonly listenHost: string;
  /** DNAT target of host traffic when the proxy listens on 0.0.0.0 (proxier.hostIP). */
  readonly hostIP?: string | undefined;
  /**
   * Emit the jumps from PREROUTING, OUTPUT and INPUT (default true). A proxy re-applying its rules
   * with --noflush leaves them out after the first load, so they are not appended twice.
   */
  readonly jumps?: boolean;
}

export function renderPortalRules(state: ProxyState, options: PortalOptions): string {
  const nat = [
    '*nat',
    `:${C.containerPortals} - [0:0]`,
    `:${C.hostPortals} - [0:0]`,
    `:${C.containerNodePorts} - [0:0]`,
    `:${C.hostNodePorts} - [0:0]`,
  ];
  const filter = ['*filter', `:${C.nonLocalNodePorts} - [0:0]`];
  if (options.jumps !== false) {
    nat.push(...PORTAL_JUMPS.nat);
    filter.push(...PORTAL_JUMPS.filter);
  }
  const header = options.portMap
    ? []
    : [`# no port map: proxy ports numbered from ${PLACEHOLDER_PORT_BASE} in service port order`];
  let next = PLACEHOLDER_PORT_BASE;
  // Indexed once: a map of 10k ports searched per port would be quadratic.
  const listenOf = new Map(options.portMap?.ports.map((m) => [`${m.service}:${m.portName}/${m.protocol}`, m.listen]));
  for (const p of state.ports) {
    if (p.protocol === 'SCTP') continue;
    let host = options.listenHost;
    let port: number;
    if (options.portMap) {
      const listen = listenOf.get(`${p.service}:${p.portName}/${p.protocol}`);
      if (listen === undefined) continue;
      ({ host, port } = splitListen(listen));
    } else port = next++;
    const proto = p.protocol.toLowerCase();
    const match = (dport: number, dest?: string) =>
      `-m comment --comment "${p.name}" -p ${proto} -m ${proto} --dport ${dport}${dest ? ` -d ${dest}/32` : ''}`;
    const any = host === '0.0.0.0';
    const container = any ? `REDIRECT --to-ports ${port}` : `DNAT --to-destination ${joinHostPort(host, port)}`;
    const fromHost = `DNAT --to-destination ${joinHostPort(any ? (options.hostIP ?? host) : host, port)}`;
    nat.push(
      `-A ${C.containerPortals} ${match(p.port, p.clusterIP)} -j ${container}`,
      `-A ${C.hostPortals} ${match(p.port, p.clusterIP)} -j ${fromHost}`,
    );
    if (p.nodePort > 0) {
      nat.push(
        `-A ${C.containerNodePorts} ${match(p.nodePort)} -j ${container}`,
        `-A ${C.hostNodePorts} ${match(p.nodePort)} -j ${fromHost}`,
      );
      filter.push(`-A ${C.nonLocalNodePorts} ${match(port)} -m state --state NEW -j ACCEPT`);
    }
  }
  return `${[...header, ...nat, 'COMMIT', ...filter, 'COMMIT'].join('\n')}\n`;
}

/**
 * The payload that takes the portal rules out again (iptables-restore --noflush): the jumps
 * deleted, the chains flushed and removed. Only for a namespace whose jumps this proxy installed.
 */
export function renderPortalCleanup(): string {
  const del = (lines: readonly string[]) => lines.map((l) => l.replace(/^-A /, '-D '));
  const natChains = [C.containerPortals, C.hostPortals, C.containerNodePorts, C.hostNodePorts];
  return `${[
    '*nat',
    ...natChains.map((c) => `:${c} - [0:0]`),
    ...del(PORTAL_JUMPS.nat),
    ...natChains.map((c) => `-X ${c}`),
    'COMMIT',
    '*filter',
    `:${C.nonLocalNodePorts} - [0:0]`,
    ...del(PORTAL_JUMPS.filter),
    `-X ${C.nonLocalNodePorts}`,
    'COMMIT',
  ].join('\n')}\n`;
}
