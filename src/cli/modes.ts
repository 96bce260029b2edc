// The registry of proxy modes and their kernel appliers. It lives at the edge: the proxy core never
// imports a mode, and each mode (and applier) is loaded only when a command uses it.

import { ModeUnavailableError } from '../errors.js';
import type { Applier } from '../lab/appliers/applier.js';
import type { ProxyMode } from '../proxy/mode.js';

export const MODE_NAMES = ['iptables', 'nftables', 'ipvs', 'userspace'] as const;
export type ModeName = (typeof MODE_NAMES)[number];

type Loader<T> = () => Promise<T>;

const MODES: Record<ModeName, Loader<ProxyMode>> = {
  iptables: () => import('../proxy/iptables/mode.js').then((m) => m.iptablesMode as ProxyMode),
  nftables: () => import('../proxy/nftables/mode.js').then((m) => m.nftablesMode as ProxyMode),
  ipvs: () => import('../proxy/ipvs/mode.js').then((m) => m.ipvsMode as ProxyMode),
  userspace: () => import('../proxy/userspace/mode.js').then((m) => m.userspaceMode as ProxyMode),
};

const APPLIERS: Partial<Record<ModeName, Loader<Applier>>> = {
  iptables: () => import('../lab/appliers/iptables.js').then((m) => m.iptablesApplier),
  nftables: () => import('../lab/appliers/nftables.js').then((m) => m.nftablesApplier),
  ipvs: () => import('../lab/appliers/ipvs.js').then((m) => m.ipvsApplier),
  // The portal rules are an iptables-restore payload (with their jumps), loaded the same way.
  userspace: () => import('../lab/appliers/iptables.js').then((m) => m.iptablesApplier),
};

export async function loadMode(name: string): Promise<ProxyMode> {
  const loader = (MODES as Record<string, Loader<ProxyMode> | undefined>)[name];
  if (!loader)
    throw new ModeUnavailableError(`unknown proxy mode ${JSON.stringify(name)}: use one of ${MODE_NAMES.join(', ')}`);
  return loader();
}

/** The applier of a mode, or undefined when that mode cannot be programmed into a kernel here. */
export async function loadApplier(name: string): Promise<Applier | undefined> {
  const loader = (APPLIERS as Record<string, Loader<Applier> | undefined>)[name];
  return loader ? loader() : undefined;
}
