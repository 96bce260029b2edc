// Rule text of one mode into a Dataplane, choosing the parser by mode (and, for nftables, by form).
import type { Dataplane, LoadOptions } from './dataplane.js';
import { IptablesDataplane } from './iptables/evaluate.js';
import { parseIptables } from './iptables/parse.js';

export type DataplaneMode = 'iptables' | 'nftables' | 'ipvs';

export type { LoadOptions } from './dataplane.js';

export async function loadDataplane(mode: DataplaneMode, text: string, options: LoadOptions): Promise<Dataplane> {
  if (mode === 'iptables') return new IptablesDataplane(parseIptables(text), options);
  if (mode === 'ipvs') {
    const { IpvsDataplane } = await import('./ipvs/dataplane.js');
    return new IpvsDataplane(text, options);
  }
  const { nftablesDataplane } = await import('./nftables/load.js');
  return nftablesDataplane(text, options);
}
