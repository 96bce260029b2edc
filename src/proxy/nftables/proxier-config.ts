// What the nftables proxier takes from the node and the KubeProxyConfiguration: the masquerade mark
// as written, the local-traffic detector, the addresses accepting NodePorts, the service CIDRs.
import { parseCIDRSloppy } from '../../cluster/sloppy-ip.js';
import type { ClusterObject, IPFamily, ServiceCIDR } from '../../cluster/types.js';
import type { ProxyConfig } from '../config.js';
import type { Profile } from '../mode.js';
import { localTrafficDetector, masqueradeMark, nftablesNodePortIPs } from '../node-config.js';
import { detectorPieces, type RuleContext } from './rules.js';

export type NftProfile = Profile;

export function ruleContext(config: ProxyConfig, family: IPFamily, profile: Profile, json: boolean): RuleContext {
  const ipX = family === 'IPv4' ? 'ip' : 'ip6';
  const base = { ipX, json, mark: masqueradeMark(config.nftablesMasqueradeBit, profile) } as const;
  const d = localTrafficDetector(config, family);
  if (!d) return base;
  const detector =
    d.kind === 'cidr'
      ? detectorPieces(base, 'cidr', d.cidr)
      : detectorPieces(base, 'iifname', d.kind === 'interface' ? d.name : `${d.prefix}*`);
  return { ...base, detector };
}

/** The addresses accepting NodePorts in nftables mode (see node-config.ts). */
export const nodePortIPs = nftablesNodePortIPs;

/** The CIDRs of every ServiceCIDR object (by name), of this family, canonical. */
export function serviceCIDRsOf(objects: readonly ClusterObject[], family: IPFamily): string[] {
  const out: string[] = [];
  const list = objects
    .filter((o): o is ServiceCIDR => o.kind === 'ServiceCIDR')
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  for (const sc of list)
    for (const s of sc.spec?.cidrs ?? []) {
      const c = parseCIDRSloppy(s);
      if (c && c.family === family && !out.includes(c.text)) out.push(c.text);
    }
  return out;
}
