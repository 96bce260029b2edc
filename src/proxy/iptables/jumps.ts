// The jump rules from the built-in chains into kube-proxy's chains. kube-proxy installs them with
// single `iptables -C`/`-I <chain> 1` calls on full syncs, outside its restore payload; here they
// are written as `-I <chain> 1` lines, in kube-proxy's order, so each lands on top as it does there
// and the lines load with iptables-restore together with the payload (fresh namespace, or
// --noflush where they are not installed yet: restore cannot check for an existing rule).
import type { IptablesOptions } from './options.js';

export interface JumpRules {
  filter: string[];
  nat: string[];
}

export function jumpRules(opt: IptablesOptions): JumpRules {
  const externalServices =
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES';
  const services = '-m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES';
  const firewall =
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL';
  const filter = [
    `-I INPUT 1 ${externalServices}`,
    `-I FORWARD 1 ${externalServices}`,
    '-I INPUT 1 -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
    `-I FORWARD 1 ${services}`,
    `-I OUTPUT 1 ${services}`,
    '-I FORWARD 1 -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
    `-I INPUT 1 ${firewall}`,
    `-I OUTPUT 1 ${firewall}`,
    `-I FORWARD 1 ${firewall}`,
  ];
  // kubelet's KUBE-FIREWALL, which kube-proxy duplicates for localhost NodePorts (IPv4 only).
  if (opt.family === 'IPv4' && opt.localhostNodePorts)
    filter.push('-I INPUT 1 -j KUBE-FIREWALL', '-I OUTPUT 1 -j KUBE-FIREWALL');
  const nat = [
    '-I OUTPUT 1 -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-I PREROUTING 1 -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-I POSTROUTING 1 -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
  ];
  return { filter, nat };
}

export const JUMPS_MARKER = '# jump rules from built-in chains (installed by kube-proxy outside its restore payload)';
