// The one seam every proxy mode implements. A mode is a factory of syncers; a syncer turns one
// family's ProxyState and the ChangeSet of a sync into the payloads kube-proxy would hand the kernel,
// pure: the memo it returns is new (the one passed in stays valid, so a failed apply is retried from
// it), and the clock comes in as `now`. The registry of modes lives at the edge (src/cli), so the
// proxy core never imports a mode.
import type { IPFamily } from '../cluster/types.js';
import type { ProxyState } from './state.js';
import type { ChangeSet } from './types.js';

/** What tool a payload is for. */
export type PayloadKind = 'iptables' | 'nft' | 'ipset' | 'ipvs' | 'addresses';

export interface Payload {
  readonly kind: PayloadKind;
  /** The name `rules --part` selects it by ("iptables", "ipset", "ipvs", "addresses", "nft"). */
  readonly part: string;
  /** The header line printed above it when a sync has several payloads ("# ipset save"). */
  readonly header: string;
  /** The payload in the syncer's encoding (`SyncerOptions.format`). */
  readonly text: string;
}

export interface SyncResult<M> {
  /** In the order they are applied. */
  readonly payloads: readonly Payload[];
  /** The whole sync as one JSON document, when the syncer was made with format "json". */
  readonly json?: string;
  /** Figures of this sync (rules, chains, elements, kube-proxy's metrics ...). */
  readonly stats: Readonly<Record<string, number>>;
  /** A few human lines on what the sync changed (diff prints them). */
  readonly summary: readonly string[];
  /** What the next sync starts from. Commit it only once the payloads were applied. */
  readonly memo: M;
}

export type Profile = 'default' | 'kube-proxy-test';
export const PROFILES: readonly Profile[] = ['default', 'kube-proxy-test'];

export interface SyncerOptions {
  readonly family: IPFamily;
  /** "default" renders as kube-proxy on a stock Debian 12 node; "kube-proxy-test" as upstream's unit tests. */
  readonly profile: Profile;
  readonly format: 'text' | 'json';
  /** iptables: also write the jump rules from built-in chains kube-proxy installs outside its payload. */
  readonly withJumps?: boolean;
  /** ipvs: the scheduler, overriding KubeProxyConfiguration ipvs.scheduler. */
  readonly scheduler?: string;
}

export interface Syncer<M> {
  /** The memo of a node that has never synced. */
  readonly initialMemo: M;
  /** Render one sync. `changes.full` rewrites everything, else only the changed Services. */
  sync(state: ProxyState, changes: ChangeSet, memo: M, now: number): SyncResult<M>;
}

export interface ProxyMode<M = unknown> {
  readonly name: string;
  /** Payload parts `rules --part` accepts, in print order. */
  readonly parts: readonly string[];
  /**
   * A sync may leave work for the next one (nftables deletes the chains it flushed one sync later),
   * so `diff` renders one more, empty, sync to show the state the change ends in.
   */
  readonly deferredCleanup: boolean;
  /** Check options (e.g. a scheduler name) before anything runs; throws a UsageError. */
  createSyncer(options: SyncerOptions): Syncer<M>;
  /**
   * One payload of a sync followed by the same part of a later sync, as one loadable payload
   * (diff's "later transaction"). Default: the texts one after the other.
   */
  joinLater?(now: Payload, later: Payload, format: 'text' | 'json'): Payload;
}
