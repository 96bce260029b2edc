// A partial sync: only the changed Services are re-derived and compared with what the memo says
// they left, giving the ipvsadm / ipset / address calls kube-proxy would make, in that order.
import type { ProxyState } from '../state.js';
import type { ChangeSet } from '../types.js';
import { contributionOf } from './contribution.js';
import { nodeAddressSet } from './full.js';
import { setName } from './ipsets.js';
import { renderIptables } from './iptables.js';
import type { IpvsMemo } from './memo.js';
import { addressKey, memberKey, vsRefKey } from './memo.js';
import type { Contribution, RealServer, VirtualServer } from './model.js';
import { EMPTY_CONTRIBUTION, vsKey } from './model.js';
import type { IpvsOptions } from './options.js';
import { hostPort, rsLine, vsId, vsLine } from './text.js';

export interface PartialResult {
  readonly ipvs: string[];
  readonly ipset: string[];
  readonly addresses: string[];
  readonly iptables: string;
  readonly memo: IpvsMemo;
  readonly counts: Record<string, number>;
}

const rsKey = (rs: RealServer) => `${rs.address}/${rs.port}`;

function diffRealServers(old: VirtualServer, neu: VirtualServer, out: string[], counts: Record<string, number>): void {
  const before = new Map(old.realServers.map((r) => [rsKey(r), r]));
  const after = new Map(neu.realServers.map((r) => [rsKey(r), r]));
  for (const [k, r] of after) {
    const b = before.get(k);
    if (!b) {
      out.push(rsLine('-a', neu, r));
      counts.realServersAdded!++;
    } else if (b.weight !== r.weight) out.push(rsLine('-e', neu, r));
  }
  for (const [k, r] of before) {
    if (after.has(k)) continue;
    // GracefulDeleteRS: weight 0 first; TCP destinations linger while they have connections. A
    // rendered sync sees none, so the delete follows at once (UDP/SCTP: deleted immediately).
    if (old.protocol === 'TCP') out.push(rsLine('-e', old, { ...r, weight: 0 }));
    out.push(`-d ${vsId(old)} -r ${hostPort(r.address, r.port)}`);
    counts.realServersDeleted!++;
  }
}

export function partialSync(state: ProxyState, changes: ChangeSet, memo: IpvsMemo, opts: IpvsOptions): PartialResult {
  const counts: Record<string, number> = {
    servicesChanged: changes.services.size,
    virtualServersAdded: 0,
    virtualServersUpdated: 0,
    virtualServersDeleted: 0,
    realServersAdded: 0,
    realServersDeleted: 0,
    membersAdded: 0,
    membersDeleted: 0,
    addressesAdded: 0,
    addressesDeleted: 0,
  };
  const nodeAddrs = nodeAddressSet(state);
  const contribChanges = new Map<string, Contribution | undefined>();
  const refDelta = new Map<string, number>();
  const bump = (k: string, d: number) => refDelta.set(k, (refDelta.get(k) ?? 0) + d);
  const oldVS = new Map<string, VirtualServer>();
  const newVS = new Map<string, VirtualServer>();
  const removedNoNode: string[] = [];
  const addedNoNode: string[] = [];
  for (const svc of [...changes.services].sort()) {
    const old = memo.contributions.get(svc) ?? EMPTY_CONTRIBUTION;
    const ports = state.portsOfService(svc);
    const neu = ports.length ? contributionOf(state, ports, opts, nodeAddrs) : EMPTY_CONTRIBUTION;
    contribChanges.set(svc, ports.length ? neu : undefined);
    for (const vs of old.virtualServers) {
      oldVS.set(vsKey(vs), vs);
      bump(vsRefKey(vsKey(vs)), -1);
    }
    for (const vs of neu.virtualServers) {
      newVS.set(vsKey(vs), vs);
      bump(vsRefKey(vsKey(vs)), 1);
    }
    for (const [s, m] of old.members) bump(memberKey(s, m), -1);
    for (const [s, m] of neu.members) bump(memberKey(s, m), 1);
    for (const a of old.addresses) bump(addressKey(a), -1);
    for (const a of neu.addresses) bump(addressKey(a), 1);
    removedNoNode.push(...old.noNodeAccess);
    addedNoNode.push(...neu.noNodeAccess);
  }
  const ipvs: string[] = [];
  const ipset: string[] = [];
  const addresses: string[] = [];
  const refChanges = new Map<string, number | undefined>();
  const setSizes: Record<string, number> = { ...memo.setSizes };
  const deletedVS: string[] = [];
  const pfx = opts.family === 'IPv4' ? '/32' : '/128';
  for (const [k, d] of refDelta) {
    const before = memo.refs.get(k) ?? 0;
    const after = before + d;
    if (d !== 0) refChanges.set(k, after > 0 ? after : undefined);
    const [kind, a, b] = k.split('\t') as [string, string, string | undefined];
    if (kind === 'v') {
      const old = oldVS.get(a);
      const neu = newVS.get(a);
      if (before > 0 && after === 0 && old) {
        deletedVS.push(`-D ${vsId(old)}`);
        counts.virtualServersDeleted!++;
      } else if (before === 0 && after > 0 && neu) {
        ipvs.push(vsLine('-A', neu));
        counts.virtualServersAdded!++;
        for (const r of neu.realServers) {
          ipvs.push(rsLine('-a', neu, r));
          counts.realServersAdded!++;
        }
      } else if (old && neu) {
        if (old.scheduler !== neu.scheduler || old.persistenceTimeout !== neu.persistenceTimeout) {
          ipvs.push(vsLine('-E', neu));
          counts.virtualServersUpdated!++;
        }
        diffRealServers(old, neu, ipvs, counts);
      }
      continue;
    }
    const set = kind === 'm' ? a : 'KUBE-IPVS-IPS';
    const member = kind === 'm' ? b! : a;
    if (before === 0 && after > 0) {
      ipset.push(`add ${setName(set, opts.family)} ${member}`);
      setSizes[set] = (setSizes[set] ?? 0) + 1;
      if (kind === 'a') {
        addresses.push(`add ${member}${pfx}`);
        counts.addressesAdded!++;
      } else counts.membersAdded!++;
    } else if (before > 0 && after === 0) {
      ipset.push(`del ${setName(set, opts.family)} ${member}`);
      setSizes[set] = (setSizes[set] ?? 1) - 1;
      if (kind === 'a') {
        addresses.push(`del ${member}${pfx}`);
        counts.addressesDeleted!++;
      } else counts.membersDeleted!++;
    }
  }
  // cleanLegacyService runs after the restore: virtual servers go last.
  ipvs.push(...deletedVS);
  let noNodeAccess = memo.noNodeAccess;
  if (removedNoNode.length + addedNoNode.length > 0) {
    const list = [...memo.noNodeAccess];
    for (const r of removedNoNode) {
      const i = list.indexOf(r);
      if (i >= 0) list.splice(i, 1);
    }
    noNodeAccess = [...list, ...addedNoNode].sort();
  }
  const iptables = renderIptables(opts, (s) => (setSizes[s] ?? 0) > 0, noNodeAccess);
  const next: IpvsMemo = {
    synced: true,
    contributions: memo.contributions.with(contribChanges),
    refs: memo.refs.with(refChanges),
    setSizes,
    noNodeAccess,
  };
  return { ipvs, ipset, addresses, iptables, memo: next, counts };
}
