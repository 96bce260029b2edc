// The old userspace mode's portal rules (proxier.go iptablesInit / openOnePortal), rendered as an
// iptables-restore payload (pure): KUBE-PORTALS-CONTAINER (from PREROUTING) and KUBE-PORTALS-HOST
// (from OUTPUT) send each cluster IP:port to the proxy's listener. Bound to 0.0.0.0, container
// traffic is REDIRECTed and host traffic DNATed to the host IP; bound to one IP, both DNAT to it.
import type { ProxyState } from '../state.js';
import type { PortMap } from './port-map.js';
import { splitListen } from './port-map.js';

/** Proxy ports when no port map is given: in state.ports order from here (said in the payload). */
export const PLACEHOLDER_PORT_BASE = 36000;

export interface PortalOptions {
  /** The running proxy's map; without it, ports are numbered from PLACEHOLDER_PORT_BASE on listenHost. */
  readonly portMap?: PortMap | undefined;
  readonly listenHost: string;
  /** DNAT target of host traffic when the proxy listens on 0.0.0.0 (proxier.hostIP). */
  readonly hostIP?: string;
}

export function renderPortalRules(state: ProxyState, options: PortalOptions): string {
  const lines = ['*nat', ':KUBE-PORTALS-CONTAINER - [0:0]', ':KUBE-PORTALS-HOST - [0:0]'];
  const handle = '-m comment --comment "handle ClusterIPs; NOTE: this must be before the NodePort rules"';
  lines.push(`-A PREROUTING ${handle} -j KUBE-PORTALS-CONTAINER`, `-A OUTPUT ${handle} -j KUBE-PORTALS-HOST`);
  if (!options.portMap)
    lines.unshift(`# no port map: proxy ports numbered from ${PLACEHOLDER_PORT_BASE} in service port order`);
  let next = PLACEHOLDER_PORT_BASE;
  for (const p of state.ports) {
    if (p.protocol === 'SCTP') continue;
    let host = options.listenHost;
    let port: number;
    if (options.portMap) {
      const e = options.portMap.ports.find(
        (m) => m.service === p.service && m.portName === p.portName && m.protocol === p.protocol,
      );
      if (!e) continue;
      ({ host, port } = splitListen(e.listen));
    } else port = next++;
    const proto = p.protocol.toLowerCase();
    const common = `-m comment --comment "${p.name}" -p ${proto} -m ${proto} --dport ${p.port} -d ${p.clusterIP}/32`;
    const any = host === '0.0.0.0';
    lines.push(
      `-A KUBE-PORTALS-CONTAINER ${common} -j ${any ? `REDIRECT --to-ports ${port}` : `DNAT --to-destination ${host}:${port}`}`,
      `-A KUBE-PORTALS-HOST ${common} -j DNAT --to-destination ${any ? (options.hostIP ?? host) : host}:${port}`,
    );
  }
  lines.push('COMMIT');
  return `${lines.join('\n')}\n`;
}
