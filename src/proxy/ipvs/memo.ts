// The memo of the IPVS syncer: what the previous sync left in the kernel, per Service, with
// reference counts for what Services may share (an externalIP, a loop-back member).
import type { Contribution } from './model.js';
import { PMap } from './pmap.js';

export interface IpvsMemo {
  readonly synced: boolean;
  readonly contributions: PMap<Contribution>;
  /** memberKey / addressKey / vsRefKey -> how many contributions hold it. */
  readonly refs: PMap<number>;
  /** family-neutral set name -> member count (the iptables payload depends on emptiness). */
  readonly setSizes: Readonly<Record<string, number>>;
  /** The KUBE-IPVS-OUT-FILTER rules, sorted. */
  readonly noNodeAccess: readonly string[];
}

export const INITIAL_MEMO: IpvsMemo = {
  synced: false,
  contributions: PMap.of(new Map()),
  refs: PMap.of(new Map()),
  setSizes: {},
  noNodeAccess: [],
};

export const memberKey = (set: string, member: string) => `m\t${set}\t${member}`;
export const addressKey = (address: string) => `a\t${address}`;
export const vsRefKey = (key: string) => `v\t${key}`;
