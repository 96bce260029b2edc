// What the IPVS payloads depend on besides the cluster: the scheduler, and the iptables options
// (mark, local-traffic detector, --random-fully) its companion rules share with iptables mode.
import type { IPFamily } from '../../cluster/types.js';
import { UsageError } from '../../errors.js';
import type { ProxyConfig } from '../config.js';
import type { Profile } from '../mode.js';
import { iptablesNodePortIPs, localTrafficDetector, masqueradeMark } from '../node-config.js';

/** The schedulers the kernel ships (ip_vs_*.c) that kube-proxy accepts. */
export const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'sh', 'dh', 'sed', 'nq', 'mh'] as const;
export type Scheduler = (typeof SCHEDULERS)[number];

export interface IpvsOptions {
  readonly family: IPFamily;
  readonly scheduler: Scheduler;
  readonly mark: string;
  readonly randomFully: boolean;
  readonly ifNotLocal: string | undefined;
  readonly masqueradeAll: boolean;
  /** The node's primary IP (LB source ranges containing it allow access from the node). */
  readonly nodeIP: string | undefined;
  /** Addresses that get a NodePort virtual server (node IPs, loopback excluded). */
  readonly nodePortIPs: readonly string[];
}

export function checkScheduler(name: string, source: string): Scheduler {
  if ((SCHEDULERS as readonly string[]).includes(name)) return name as Scheduler;
  const err = new UsageError(
    `${source}: ${JSON.stringify(name)} is not an IPVS scheduler (one of ${SCHEDULERS.join(', ')})`,
  );
  throw source === 'scheduler' ? err.about('scheduler') : err;
}

export function ipvsOptions(
  config: ProxyConfig,
  family: IPFamily,
  profile: Profile,
  scheduler: string | undefined,
): IpvsOptions {
  const sched =
    scheduler !== undefined
      ? checkScheduler(scheduler, 'scheduler')
      : checkScheduler(config.ipvsScheduler || 'rr', 'ipvs.scheduler');
  const loopback = family === 'IPv4' ? '127.0.0.1' : '::1';
  // Match-all nodePortAddresses: every local address but kube-ipvs0's, i.e. the node's addresses.
  const accepting = iptablesNodePortIPs(config, family);
  const nodePortIPs = (accepting === 'all' ? config.nodeIPs[family] : accepting).filter((ip) => ip !== loopback);
  const d = localTrafficDetector(config, family);
  const ifNotLocal =
    d === undefined
      ? undefined
      : d.kind === 'cidr'
        ? `! -s ${d.cidr}`
        : `! -i ${d.kind === 'interface' ? d.name : `${d.prefix}+`}`;
  return {
    family,
    scheduler: sched,
    mark: masqueradeMark(config.iptablesMasqueradeBit, profile),
    // As the iptables mode: Debian 12's iptables supports --random-fully, upstream's test fake does not.
    randomFully: profile !== 'kube-proxy-test',
    ifNotLocal,
    masqueradeAll: config.masqueradeAll,
    nodeIP: config.nodeIPs[family][0],
    nodePortIPs,
  };
}
