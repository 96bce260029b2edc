// Rule text of one mode into a Dataplane, choosing the parser by mode (and, for nftables, by form).
import { RuleParseError } from '../errors.js';
import type { Dataplane, LoadOptions } from './dataplane.js';
import { IptablesDataplane } from './iptables/evaluate.js';
import { parseIptables } from './iptables/parse.js';

export type DataplaneMode = 'iptables' | 'nftables' | 'ipvs';

export type { LoadOptions } from './dataplane.js';

/**
 * The largest dump read (`trace --rules`): iptables-save of a 10k-Service node is tens of MB; past
 * this a file is refused before it is parsed (the parsers hold every line and rule in memory).
 */
export const MAX_DUMP_BYTES = 256 * 2 ** 20;

export async function loadDataplane(mode: DataplaneMode, text: string, options: LoadOptions): Promise<Dataplane> {
  if (text.length > MAX_DUMP_BYTES)
    throw new RuleParseError(1, 1, `a dump of ${text.length} characters; at most ${MAX_DUMP_BYTES} are read`, '');
  if (mode === 'iptables') return new IptablesDataplane(parseIptables(text), options);
  if (mode === 'ipvs') {
    const { IpvsDataplane } = await import('./ipvs/dataplane.js');
    return new IpvsDataplane(text, options);
  }
  const { nftablesDataplane } = await import('./nftables/load.js');
  return nftablesDataplane(text, options);
}
