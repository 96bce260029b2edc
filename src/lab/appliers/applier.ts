// How a mode's payloads reach a real kernel: one applier per mode, at the edge (lab), never
// imported by the proxy core. `kubeplane apply`, the bench's kernel figures and the agent's
// `--netns` all go through this.
import type { IPFamily } from '../../cluster/types.js';
import type { Payload } from '../../proxy/mode.js';

export interface ApplyOptions {
  /** The payloads are a full sync (the first into this namespace, or a periodic one). */
  readonly full: boolean;
  /** The family the payloads were rendered for (iptables-restore vs ip6tables-restore). */
  readonly family: IPFamily;
  /**
   * Load iptables payloads with a plain `iptables-restore` (replacing the tables) instead of
   * `--noflush` as kube-proxy does (the bench measures both). Default false.
   */
  readonly flush?: boolean;
  /** Kill a tool that runs longer than this (ms); default 600 s. */
  readonly timeoutMs?: number;
}

export interface ApplyResult {
  /** Wall time of the kernel tools, ms. */
  readonly ms: number;
  /** The commands that ran, as a user would type them ("nft -j -f -"). */
  readonly via: readonly string[];
}

export interface Applier {
  /** The tools it runs (for "missing X" reasons before anything starts). */
  readonly tools: readonly string[];
  /** Program `netns` with one sync's payloads, in order; throws LabError with the tool's message. */
  apply(netns: string, payloads: readonly Payload[], options: ApplyOptions): Promise<ApplyResult>;
}
