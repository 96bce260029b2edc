// IPVS mode into a namespace: `ipset restore -exist` of the sets, then `iptables-restore --noflush`
// of the companion payload, then the kube-ipvs0 addresses on a dummy link. The virtual-server table
// is not programmed: these kernels have no ip_vs module (the scheduler is emulated instead).
import { inNetns } from '../netns.js';
import type { Applier } from './applier.js';

/** A full sync states each set's whole content: flush what an earlier sync left after each create. */
function ipsetScript(text: string, full: boolean): string {
  if (!full) return text;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    out.push(line);
    if (line.startsWith('create ')) out.push(`flush ${line.split(' ')[1]}`);
  }
  return `${out.join('\n')}\n`;
}

function addressScript(text: string, full: boolean): string {
  const out: string[] = full ? ['address flush dev kube-ipvs0'] : [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    if (full) out.push(`address add ${line} dev kube-ipvs0`);
    else out.push(`address ${line.startsWith('del ') ? 'del' : 'add'} ${line.slice(4)} dev kube-ipvs0`);
  }
  return `${out.join('\n')}\n`;
}

/** The payload without the rules that need the ipvs match. */
export function withoutIpvsMatch(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.includes(' -m ipvs '))
    .join('\n');
}

export const ipvsApplier: Applier = {
  tools: ['ip', 'ipset', 'iptables-restore'],
  async apply(netns, payloads, options) {
    let ms = 0;
    const via: string[] = [];
    for (const p of payloads) {
      if (p.kind === 'ipset' && p.text) {
        ms += (await inNetns(netns, 'ipset', ['restore', '-exist'], { input: ipsetScript(p.text, options.full) }))
          .durationMs;
        via.push('ipset restore -exist');
      } else if (p.kind === 'iptables' && p.text) {
        const tool = options.family === 'IPv6' ? 'ip6tables-restore' : 'iptables-restore';
        const flags = options.flush === true ? [] : ['--noflush'];
        const load = (text: string) =>
          inNetns(netns, tool, flags, { input: text, timeout: options.timeoutMs ?? 600_000 });
        const shown = [tool, ...flags].join(' ');
        try {
          ms += (await load(p.text)).durationMs;
          via.push(shown);
        } catch (err) {
          // `-m ipvs` (KUBE-IPVS-OUT-FILTER) needs xt_ipvs, which needs ip_vs: without it, load the
          // rest and say so.
          if (!String((err as Error).message).includes('Extension ipvs')) throw err;
          ms += (await load(withoutIpvsMatch(p.text))).durationMs;
          via.push(`${shown} (without the -m ipvs rules: no xt_ipvs in this kernel)`);
        }
      } else if (p.kind === 'addresses') {
        const link = await inNetns(netns, 'ip', ['link', 'show', 'kube-ipvs0']).catch(() => undefined);
        if (!link) {
          const made = await inNetns(netns, 'ip', ['link', 'add', 'kube-ipvs0', 'type', 'dummy']).catch(
            () => undefined,
          );
          if (!made) {
            via.push('kube-ipvs0 left out: this kernel has no dummy links');
            continue;
          }
        }
        const script = addressScript(p.text, options.full);
        ms += (await inNetns(netns, 'ip', ['-batch', '-'], { input: script })).durationMs;
        via.push('ip -batch - (kube-ipvs0)');
      }
    }
    return { ms, via };
  },
};
