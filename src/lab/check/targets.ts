// What `lab check` sends traffic to: every way a client outside the node reaches each TCP/UDP
// service port (cluster IP, node port on each node IP, external IPs, load-balancer IPs). SCTP is
// left out: the lab's echo servers and probe speak TCP and UDP only.
import type { ProxyState } from '../../proxy/state.js';

export type TargetKind = 'clusterIP' | 'nodePort' | 'externalIP' | 'loadBalancer';

export interface CheckTarget {
  /** The service port ("ns/svc:port"). */
  readonly servicePort: string;
  readonly protocol: 'TCP' | 'UDP';
  readonly kind: TargetKind;
  readonly ip: string;
  readonly port: number;
}

export function checkTargets(state: ProxyState): CheckTarget[] {
  const out: CheckTarget[] = [];
  const seen = new Set<string>();
  const add = (t: CheckTarget) => {
    const k = `${t.protocol} ${t.ip} ${t.port}`;
    if (seen.has(k)) return; // two services sharing an external IP: the first one's rules decide
    seen.add(k);
    out.push(t);
  };
  for (const p of state.ports) {
    if (p.protocol !== 'TCP' && p.protocol !== 'UDP') continue;
    const base = { servicePort: p.name, protocol: p.protocol };
    if (p.clusterIP && p.clusterIP !== 'None') add({ ...base, kind: 'clusterIP', ip: p.clusterIP, port: p.port });
    if (p.nodePort > 0)
      for (const ip of state.config.nodeIPs[state.family]) add({ ...base, kind: 'nodePort', ip, port: p.nodePort });
    for (const ip of p.externalIPs) add({ ...base, kind: 'externalIP', ip, port: p.port });
    for (const ip of p.loadBalancerVIPs) add({ ...base, kind: 'loadBalancer', ip, port: p.port });
  }
  return out;
}
