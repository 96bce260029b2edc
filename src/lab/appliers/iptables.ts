// iptables mode into a namespace: iptables-restore (ip6tables-restore for IPv6) with --noflush,
// as kube-proxy loads every sync, so the built-in chains and their jump rules stay (or plain, with
// options.flush, as the bench also measures).
import { applyIptables } from '../apply-iptables.js';
import type { Applier } from './applier.js';

export const iptablesApplier: Applier = {
  tools: ['ip', 'iptables-restore'],
  async apply(netns, payloads, options) {
    let ms = 0;
    const tool = options.family === 'IPv6' ? 'ip6tables-restore' : 'iptables-restore';
    const via: string[] = [];
    for (const p of payloads) {
      if (p.kind !== 'iptables') continue;
      const noflush = options.flush !== true;
      ms += await applyIptables(netns, p.text, {
        noflush,
        family: options.family,
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      });
      via.push(noflush ? `${tool} --noflush` : tool);
    }
    return { ms, via };
  },
};
