// nftables mode into a namespace: `nft -f -` (or `nft -j -f -` for JSON payloads), one transaction.
import { applyNft, formatOf } from '../nft-apply.js';
import type { Applier } from './applier.js';

export const nftablesApplier: Applier = {
  tools: ['ip', 'nft'],
  async apply(netns, payloads, options) {
    let ms = 0;
    const via: string[] = [];
    for (const p of payloads) {
      if (p.kind !== 'nft') continue;
      const format = formatOf(p.text);
      const t0 = performance.now();
      await applyNft(netns, p.text, format, options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {});
      ms += performance.now() - t0;
      via.push(`nft${format === 'json' ? ' -j' : ''} -f -`);
    }
    return { ms, via };
  },
};
