// Rule text of one mode into a Dataplane, choosing the parser by mode (and, for nftables, by form).
import type { Clock } from './clock.js';
import type { Dataplane } from './dataplane.js';
import { IptablesDataplane } from './iptables/evaluate.js';
import { parseIptables } from './iptables/parse.js';

export type DataplaneMode = 'iptables' | 'nftables';

export interface LoadOptions {
  localAddresses: readonly string[];
  clock?: Clock;
}

export async function loadDataplane(mode: DataplaneMode, text: string, options: LoadOptions): Promise<Dataplane> {
  if (mode === 'iptables') return new IptablesDataplane(parseIptables(text), options);
  const { nftablesDataplane } = await import('./nftables/load.js');
  return nftablesDataplane(text, options);
}
