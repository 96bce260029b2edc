// The proxy modes the CLI can render, each loaded only when used (start-up stays lean).
import type { ClusterObject, IPFamily } from '../cluster/types.js';
import { ModeUnavailableError } from '../errors.js';
import type { ProxyConfig } from './config.js';
import type { ProxyState } from './state.js';
import type { ChangeSet } from './types.js';

export const MODE_NAMES = ['iptables', 'nftables', 'ipvs', 'userspace'] as const;
export type ModeName = (typeof MODE_NAMES)[number];

export interface RulesRequest {
  objects: readonly ClusterObject[];
  config: ProxyConfig;
  family: IPFamily;
  format: 'text' | 'json';
  /** 'default' renders as a real kube-proxy on Debian 12; 'kube-proxy-test' as upstream's unit tests. */
  profile: string;
  /** Also emit the jump rules from built-in chains that kube-proxy installs outside its payload. */
  withJumps: boolean;
}

export interface RulesResult {
  text: string;
  stats: Record<string, number>;
}

export interface DiffRequest extends Omit<RulesRequest, 'objects'> {
  from: readonly ClusterObject[];
  to: readonly ClusterObject[];
}

export interface DiffResult {
  /** The payload kube-proxy would send for the change. */
  text: string;
  /** Human summary lines (chains added, rewritten, deleted). */
  summary: string[];
  stats: Record<string, number>;
}

/** A renderer that keeps its memo between syncs, as a running kube-proxy does (used by bench/serve). */
export interface SyncRenderer {
  /** Render one sync; `changes.full` rewrites everything, else only the changed services. */
  sync(state: ProxyState, changes: ChangeSet): { payload: string; rules: number };
}

export interface SyncRendererOptions {
  config: ProxyConfig;
  family: IPFamily;
  profile: string;
  format: 'text' | 'json';
}

export interface ProxyMode {
  renderRules(req: RulesRequest): RulesResult;
  renderDiff?(req: DiffRequest): DiffResult;
  createSyncRenderer?(options: SyncRendererOptions): SyncRenderer;
  /**
   * Load a full payload into a fresh network namespace with the kernel's own tool and return the
   * wall time in ms, or null where that cannot run (no root, tool missing).
   */
  measureKernelApply?(payload: string): Promise<number | null>;
}

function unavailable(mode: string): () => Promise<ProxyMode> {
  return async () => {
    throw new ModeUnavailableError(`proxy mode ${mode} is not built yet`);
  };
}

/** Loaders per mode. A mode lands by replacing its `unavailable` entry with a dynamic import. */
export const MODE_LOADERS: Record<ModeName, () => Promise<ProxyMode>> = {
  iptables: () => import('./iptables/mode.js').then((m) => m.iptablesMode),
  nftables: () => import('./nftables/mode.js').then((m) => m.nftablesMode),
  ipvs: unavailable('ipvs'),
  userspace: unavailable('userspace'),
};

export async function loadMode(name: string): Promise<ProxyMode> {
  const loader = (MODE_LOADERS as Record<string, (() => Promise<ProxyMode>) | undefined>)[name];
  if (!loader)
    throw new ModeUnavailableError(`unknown proxy mode ${JSON.stringify(name)}: use one of ${MODE_NAMES.join(', ')}`);
  return loader();
}
