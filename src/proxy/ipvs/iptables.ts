// The companion iptables-restore payload the IPVS proxier writes every sync (writeIptablesRules in
// pkg/proxy/ipvs/proxier.go): nat then filter, rules driven by which ipsets are non-empty, so its
// size does not grow with the number of services.
import { SET_INFO, setName } from './ipsets.js';
import type { IpvsOptions } from './options.js';

const NAT_CHAINS = ['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-NODE-PORT', 'KUBE-LOAD-BALANCER', 'KUBE-MARK-MASQ'];
const FILTER_CHAINS = [
  'KUBE-FORWARD',
  'KUBE-NODE-PORT',
  'KUBE-PROXY-FIREWALL',
  'KUBE-SOURCE-RANGES-FIREWALL',
  'KUBE-IPVS-FILTER',
  'KUBE-IPVS-OUT-FILTER',
];

/** ipsetWithIptablesChain: [set, table, from, to, match type, protocol]. */
const SET_JUMPS: readonly (readonly [string, 'nat' | 'filter', string, string, string, string])[] = [
  ['KUBE-LOOP-BACK', 'nat', 'KUBE-POSTROUTING', 'MASQUERADE', 'dst,dst,src', ''],
  ['KUBE-LOAD-BALANCER', 'nat', 'KUBE-SERVICES', 'KUBE-LOAD-BALANCER', 'dst,dst', ''],
  ['KUBE-LOAD-BALANCER-LOCAL', 'nat', 'KUBE-LOAD-BALANCER', 'RETURN', 'dst,dst', ''],
  ['KUBE-NODE-PORT-LOCAL-TCP', 'nat', 'KUBE-NODE-PORT', 'RETURN', 'dst', 'tcp'],
  ['KUBE-NODE-PORT-TCP', 'nat', 'KUBE-NODE-PORT', 'KUBE-MARK-MASQ', 'dst', 'tcp'],
  ['KUBE-NODE-PORT-LOCAL-UDP', 'nat', 'KUBE-NODE-PORT', 'RETURN', 'dst', 'udp'],
  ['KUBE-NODE-PORT-UDP', 'nat', 'KUBE-NODE-PORT', 'KUBE-MARK-MASQ', 'dst', 'udp'],
  ['KUBE-NODE-PORT-LOCAL-SCTP-HASH', 'nat', 'KUBE-NODE-PORT', 'RETURN', 'dst,dst', 'sctp'],
  ['KUBE-NODE-PORT-SCTP-HASH', 'nat', 'KUBE-NODE-PORT', 'KUBE-MARK-MASQ', 'dst,dst', 'sctp'],
  ['KUBE-LOAD-BALANCER-FW', 'filter', 'KUBE-PROXY-FIREWALL', 'KUBE-SOURCE-RANGES-FIREWALL', 'dst,dst', ''],
  ['KUBE-LOAD-BALANCER-SOURCE-CIDR', 'filter', 'KUBE-SOURCE-RANGES-FIREWALL', 'RETURN', 'dst,dst,src', ''],
  ['KUBE-LOAD-BALANCER-SOURCE-IP', 'filter', 'KUBE-SOURCE-RANGES-FIREWALL', 'RETURN', 'dst,dst,src', ''],
];

const COMMENTS = new Map(SET_INFO.map((s) => [s.name, `"${s.comment}"`]));

/**
 * @param nonEmpty which sets (family-neutral names) have members
 * @param noNodeAccess the KUBE-IPVS-OUT-FILTER DROP rules, in order
 */
export function renderIptables(
  opts: IpvsOptions,
  nonEmpty: (set: string) => boolean,
  noNodeAccess: readonly string[],
): string {
  const n = (s: string) => setName(s, opts.family);
  const c = (s: string) => COMMENTS.get(s)!;
  const nat: string[] = ['*nat', ...NAT_CHAINS.map((ch) => `:${ch} - [0:0]`)];
  const filter: string[] = ['*filter', ...FILTER_CHAINS.map((ch) => `:${ch} - [0:0]`)];
  nat.push(`-A KUBE-SERVICES -s ${opts.family === 'IPv4' ? '127.0.0.0/8' : '::1/128'} -j RETURN`);
  for (const [set, table, from, to, match, proto] of SET_JUMPS) {
    if (!nonEmpty(set)) continue;
    const p = proto ? ` -p ${proto}` : '';
    (table === 'nat' ? nat : filter).push(
      `-A ${from}${p} -m comment --comment ${c(set)} -m set --match-set ${n(set)} ${match} -j ${to}`,
    );
  }
  if (nonEmpty('KUBE-CLUSTER-IP')) {
    const head = `-A KUBE-SERVICES -m comment --comment ${c('KUBE-CLUSTER-IP')} -m set --match-set ${n('KUBE-CLUSTER-IP')}`;
    if (opts.masqueradeAll) nat.push(`${head} dst,dst -j KUBE-MARK-MASQ`);
    else if (opts.ifNotLocal) nat.push(`${head} dst,dst ${opts.ifNotLocal} -j KUBE-MARK-MASQ`);
    else nat.push(`${head} src,dst -j KUBE-MARK-MASQ`);
  }
  for (const set of ['KUBE-EXTERNAL-IP', 'KUBE-EXTERNAL-IP-LOCAL']) {
    if (!nonEmpty(set)) continue;
    const head = `-A KUBE-SERVICES -m comment --comment ${c(set)} -m set --match-set ${n(set)} dst,dst`;
    if (set === 'KUBE-EXTERNAL-IP') nat.push(`${head} -j KUBE-MARK-MASQ`);
    nat.push(`${head} -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j ACCEPT`);
    nat.push(`${head} -m addrtype --dst-type LOCAL -j ACCEPT`);
  }
  nat.push('-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT');
  nat.push('-A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ');
  filter.push('-A KUBE-SOURCE-RANGES-FIREWALL -j DROP');
  filter.push(...noNodeAccess);
  // acceptIPVSTraffic: these must end KUBE-SERVICES.
  for (const set of ['KUBE-CLUSTER-IP', 'KUBE-LOAD-BALANCER'])
    if (nonEmpty(set)) nat.push(`-A KUBE-SERVICES -m set --match-set ${n(set)} dst,dst -j ACCEPT`);
  const mark = `${opts.mark}/${opts.mark}`;
  filter.push(`-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${mark} -j ACCEPT`);
  filter.push(
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  );
  const hc = 'KUBE-HEALTH-CHECK-NODE-PORT';
  filter.push(`-A KUBE-NODE-PORT -m comment --comment ${c(hc)} -m set --match-set ${n(hc)} dst -j ACCEPT`);
  for (const set of ['KUBE-LOAD-BALANCER', 'KUBE-CLUSTER-IP', 'KUBE-EXTERNAL-IP', 'KUBE-EXTERNAL-IP-LOCAL'])
    filter.push(`-A KUBE-IPVS-FILTER -m set --match-set ${n(set)} dst,dst -j RETURN`);
  filter.push(`-A KUBE-IPVS-FILTER -m set --match-set ${n(hc)} dst -j RETURN`);
  filter.push(`-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set ${n('KUBE-IPVS-IPS')} dst -j REJECT`);
  nat.push(`-A KUBE-POSTROUTING -m mark ! --mark ${mark} -j RETURN`);
  nat.push(`-A KUBE-POSTROUTING -j MARK --xor-mark ${opts.mark}`);
  nat.push(
    `-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE${opts.randomFully ? ' --random-fully' : ''}`,
  );
  nat.push(`-A KUBE-MARK-MASQ -j MARK --or-mark ${opts.mark}`);
  nat.push('COMMIT');
  filter.push('COMMIT');
  return `${nat.join('\n')}\n${filter.join('\n')}\n`;
}
