// iptables mode into a namespace: iptables-restore (ip6tables-restore for IPv6) with --noflush,
// as kube-proxy loads every sync, so the built-in chains and their jump rules stay.
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
      ms += await applyIptables(netns, p.text, { noflush: true, family: options.family });
      via.push(`${tool} --noflush`);
    }
    return { ms, via };
  },
};
