// The golden listing of a fixture: every name and type the zone serves, each with its answer in
// zone-file text. Pure; `test/golden/dns.test.ts` writes it to dns/<fixture>.answers.

import { hostLabel } from './endpoints.js';
import type { ZoneIndex } from './index.js';
import { dashedIP, ipToReverse } from './reverse.js';
import { answerText } from './text.js';
import type { Question } from './types.js';
import { TYPE, typeName } from './types.js';
import { lookup, type ZoneOptions } from './zone.js';

function q(name: string, type: number): Question {
  return { name, type, class: 1 };
}

/** The questions that cover everything a fixture serves, in a stable order. */
export function servedQuestions(index: ZoneIndex, options: ZoneOptions): Question[] {
  const zone = options.zones[0] ?? 'cluster.local';
  const out: Question[] = [q(zone, TYPE.SOA), q(zone, TYPE.NS), q(`dns-version.${zone}`, TYPE.TXT)];
  const namespaces = new Set<string>();
  const ptrs = new Set<string>();
  for (const svc of index.allServices()) {
    namespaces.add(svc.namespace);
    const base = `${svc.name}.${svc.namespace}.svc.${zone}`;
    if (svc.kind === 'external' || svc.kind === 'external-ip') {
      out.push(q(base, TYPE.CNAME), q(base, TYPE.A));
      continue;
    }
    out.push(q(base, TYPE.A), q(base, TYPE.AAAA), q(base, TYPE.SRV));
    for (const ip of svc.clusterIPs) ptrs.add(ip);
    const ports = new Map<string, true>();
    for (const p of svc.ports) if (p.name) ports.set(`_${p.name}._${p.protocol.toLowerCase()}`, true);
    const hosts = new Map<string, string[]>();
    for (const slice of index.slicesOf(svc)) {
      for (const p of slice.ports)
        if (p.name && svc.kind === 'headless') ports.set(`_${p.name}._${p.protocol.toLowerCase()}`, true);
      for (const ep of slice.endpoints) {
        if ((!ep.ready && !svc.publishNotReady) || options.noEndpoints) continue;
        for (const ip of ep.addresses) {
          const host = hostLabel(options, ep, ip);
          hosts.set(host, [...(hosts.get(host) ?? []), ip]);
          ptrs.add(ip);
        }
      }
    }
    for (const port of [...ports.keys()].sort()) out.push(q(`${port}.${base}`, TYPE.SRV));
    for (const [host, ips] of [...hosts].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (ips.some((ip) => !ip.includes(':'))) out.push(q(`${host}.${base}`, TYPE.A));
      if (ips.some((ip) => ip.includes(':'))) out.push(q(`${host}.${base}`, TYPE.AAAA));
    }
  }
  for (const ns of [...namespaces].sort()) out.push(q(`${ns}.svc.${zone}`, TYPE.A));
  if (options.pods !== 'disabled') {
    for (const { namespace, ip } of index.allPodIPs()) {
      out.push(q(`${dashedIP(ip)}.${namespace}.pod.${zone}`, ip.includes(':') ? TYPE.AAAA : TYPE.A));
    }
  }
  for (const ip of [...ptrs].sort()) out.push(q(ipToReverse(ip), TYPE.PTR));
  return out;
}

/** The whole listing as text: one block per question. */
export function answersText(index: ZoneIndex, options: ZoneOptions, title: string): string {
  const blocks = [
    `; ${title}: every name and type served, answered as \`kubeplane dns serve\` answers it`,
    `; zones ${options.zones.join(', ')}; ttl ${options.ttl}; pods ${options.pods}; SOA serial pinned to ${options.serial ?? index.serial}`,
    '; ExternalName A answers show the CNAME; the server appends the upstream records for the target',
  ];
  for (const question of servedQuestions(index, options)) {
    const a = lookup(index, question, options);
    blocks.push(['', `${question.name}. ${typeName(question.type)}`, ...answerText(a).map((l) => `  ${l}`)].join('\n'));
  }
  return `${blocks.join('\n')}\n`;
}
