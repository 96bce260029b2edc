// Which lines of a mode's payload belong to one Service, so the console can highlight them in the
// full text. A line is owned when it names the Service (iptables comments "ns/name:port", nftables
// chain names "…-ns/name/proto/port", its cluster IP in the cluster-ips set), or names one of the Service's own chains (KUBE-SVC-…
// declarations), or, for IPVS, one of its virtual servers or ipset entries.
import type { ServicePortInfo } from '../proxy/types.js';

export type RulesMode = 'iptables' | 'nftables' | 'ipvs';

/** Chain names that are one service port's own (never shared by two Services). */
const IPTABLES_SERVICE_CHAIN = /\bKUBE-(?:SVC|SVL|EXT|FW|SEP)-[A-Z0-9]+\b/g;

function iptablesOwned(lines: readonly string[], service: string): Set<number> {
  const owned = new Set<number>();
  const chains = new Set<string>();
  // "ns/name:port" or "ns/name " (unnamed port) inside a comment.
  const mention = new RegExp(`(?:^|[\\s"])${escapeRegExp(service)}(?::|[\\s"]|$)`);
  lines.forEach((line, i) => {
    if (!mention.test(line)) return;
    owned.add(i);
    for (const m of line.matchAll(IPTABLES_SERVICE_CHAIN)) chains.add(m[0]);
  });
  if (chains.size > 0)
    lines.forEach((line, i) => {
      for (const m of line.matchAll(IPTABLES_SERVICE_CHAIN)) if (chains.has(m[0])) owned.add(i);
    });
  return owned;
}

function nftablesOwned(lines: readonly string[], service: string, ports: readonly ServicePortInfo[]): Set<number> {
  // Chain names carry "-ns/name/proto/port"; map elements point at those chains. The cluster-ips
  // set names no chain, only the address ("{ 10.96.10.10 }").
  const token = `-${service}/`;
  const ips = new Set(ports.map((p) => `{ ${p.clusterIP} }`));
  const owned = new Set<number>();
  lines.forEach((line, i) => {
    if (line.includes(token)) owned.add(i);
    else if (line.includes(' cluster-ips { ') && [...ips].some((t) => line.endsWith(t))) owned.add(i);
  });
  return owned;
}

function ipvsOwned(lines: readonly string[], ports: readonly ServicePortInfo[]): Set<number> {
  const tokens: RegExp[] = [];
  for (const p of ports) {
    const proto = p.protocol.toLowerCase();
    for (const ip of [p.clusterIP, ...p.externalIPs, ...p.loadBalancerVIPs]) {
      const host = ip.includes(':') ? `\\[${escapeRegExp(ip)}\\]` : escapeRegExp(ip);
      tokens.push(new RegExp(`(?:^|\\s)${host}:${p.port}(?:\\s|$)`)); // ipvsadm virtual server
      tokens.push(new RegExp(`(?:^|\\s)${escapeRegExp(ip)},${proto}:${p.port}(?:,|\\s|$)`)); // ipset entry
    }
    if (p.nodePort > 0) {
      tokens.push(new RegExp(`:${p.nodePort}(?:\\s|$)`));
      tokens.push(new RegExp(`(?:^|\\s)${proto}:${p.nodePort}(?:\\s|$)`));
    }
  }
  const owned = new Set<number>();
  lines.forEach((line, i) => {
    if (!line.startsWith('#') && tokens.some((t) => t.test(line))) owned.add(i);
  });
  return owned;
}

/** 1-based numbers of the lines of `text` that belong to Service `service` ("ns/name"). */
export function ownedLines(
  mode: RulesMode,
  text: string,
  service: string,
  ports: readonly ServicePortInfo[],
): number[] {
  const lines = text.split('\n');
  const owned =
    mode === 'iptables'
      ? iptablesOwned(lines, service)
      : mode === 'nftables'
        ? nftablesOwned(lines, service, ports)
        : ipvsOwned(lines, ports);
  return [...owned].sort((a, b) => a - b).map((i) => i + 1);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
