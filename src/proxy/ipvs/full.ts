// A full sync: every Service's contribution, the memo they make, and the four full dumps.
import type { ProxyState } from '../state.js';
import { contributionOf } from './contribution.js';
import { SET_INFO, setName } from './ipsets.js';
import { renderIptables } from './iptables.js';
import type { IpvsMemo } from './memo.js';
import { addressKey as addrRefKey, memberKey, vsRefKey } from './memo.js';
import type { Contribution, RealServer, VirtualServer } from './model.js';
import { vsKey } from './model.js';
import type { IpvsOptions } from './options.js';
import { PMap } from './pmap.js';
import { addressKey, compareMembers, compareRS, createLine, hostPort, PROTO_ORDER, vsId, vsLine } from './text.js';

export interface FullModel {
  readonly virtualServers: VirtualServer[];
  /** family-neutral set name -> sorted members */
  readonly sets: Map<string, string[]>;
  readonly addresses: string[];
  readonly noNodeAccess: string[];
}

/** Services in a stable order (by first port name). */
export function servicesOf(state: ProxyState): string[] {
  const seen = new Set<string>();
  for (const p of state.ports) seen.add(p.service);
  return [...seen];
}

export function nodeAddressSet(state: ProxyState): Set<string> {
  return new Set(state.config.nodeIPs[state.family]);
}

export function fullSync(state: ProxyState, opts: IpvsOptions): { model: FullModel; memo: IpvsMemo } {
  const nodeAddrs = nodeAddressSet(state);
  const contributions = new Map<string, Contribution>();
  const refs = new Map<string, number>();
  const vsByKey = new Map<string, VirtualServer>();
  const sets = new Map<string, Set<string>>(SET_INFO.map((s) => [s.name, new Set<string>()]));
  const addresses = new Set<string>();
  const noNodeAccess: string[] = [];
  const bump = (k: string) => refs.set(k, (refs.get(k) ?? 0) + 1);
  for (const svc of servicesOf(state)) {
    const c = contributionOf(state, state.portsOfService(svc), opts, nodeAddrs);
    contributions.set(svc, c);
    for (const vs of c.virtualServers) {
      const k = vsKey(vs);
      vsByKey.set(k, vs);
      bump(vsRefKey(k));
    }
    for (const [set, m] of c.members) {
      sets.get(set)!.add(m);
      bump(memberKey(set, m));
    }
    for (const a of c.addresses) {
      addresses.add(a);
      bump(addrRefKey(a));
    }
    noNodeAccess.push(...c.noNodeAccess);
  }
  sets.set('KUBE-IPVS-IPS', addresses);
  const setSizes: Record<string, number> = {};
  const sorted = new Map<string, string[]>();
  for (const [name, members] of sets) {
    setSizes[name] = members.size;
    sorted.set(name, [...members].sort(compareMembers));
  }
  noNodeAccess.sort();
  const memo: IpvsMemo = {
    synced: true,
    contributions: PMap.of(contributions),
    refs: PMap.of(refs),
    setSizes,
    noNodeAccess,
  };
  const model: FullModel = {
    virtualServers: sortVirtualServers([...vsByKey.values()]),
    sets: sorted,
    addresses: [...addresses].sort((a, b) => (addressKey(a) < addressKey(b) ? -1 : 1)),
    noNodeAccess,
  };
  return { model, memo };
}

function sortVirtualServers(list: VirtualServer[]): VirtualServer[] {
  const keyed = list.map((vs) => ({ vs, k: addressKey(vs.address) }));
  keyed.sort(
    (a, b) =>
      PROTO_ORDER[a.vs.protocol]! - PROTO_ORDER[b.vs.protocol]! ||
      (a.k < b.k ? -1 : a.k > b.k ? 1 : 0) ||
      a.vs.port - b.vs.port,
  );
  return keyed.map((x) => ({ ...x.vs, realServers: sortRealServers(x.vs.realServers) }));
}

/** IPv4 destinations sort on a number (address * 2^16 + port): 100k of them at 10k services. */
function sortRealServers(list: readonly RealServer[]): RealServer[] {
  if (list.length < 2) return [...list];
  if (list.some((r) => r.address.includes(':'))) return [...list].sort(compareRS);
  const keyed = list.map((r) => ({ r, k: ipv4Number(r.address) * 65536 + r.port }));
  keyed.sort((a, b) => a.k - b.k);
  return keyed.map((x) => x.r);
}

function ipv4Number(a: string): number {
  let n = 0;
  let part = 0;
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i);
    if (c === 46) {
      n = n * 256 + part;
      part = 0;
    } else part = part * 10 + (c - 48);
  }
  return n * 256 + part;
}

export function ipvsText(model: FullModel): string {
  const out: string[] = [];
  for (const vs of model.virtualServers) {
    out.push(vsLine('-A', vs));
    // One id per service: 100k destination lines at 10k services.
    const head = `-a ${vsId(vs)} -r `;
    for (const rs of vs.realServers) out.push(`${head}${hostPort(rs.address, rs.port)} -m -w ${rs.weight}`);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

export function ipsetText(model: FullModel, opts: IpvsOptions): string {
  const out: string[] = [];
  for (const info of SET_INFO) {
    out.push(createLine(info, opts.family));
    const name = setName(info.name, opts.family);
    for (const m of model.sets.get(info.name) ?? []) out.push(`add ${name} ${m}`);
  }
  return `${out.join('\n')}\n`;
}

export function iptablesText(model: FullModel, opts: IpvsOptions): string {
  return renderIptables(opts, (s) => (model.sets.get(s)?.length ?? 0) > 0, model.noNodeAccess);
}

export function prefixOf(family: string): string {
  return family === 'IPv4' ? '/32' : '/128';
}
