// The userspace proxier's load balancer (kube-proxy's LoadBalancerRR, pkg/proxy/userspace/roundrobin.go),
// pure: no sockets, no timers; the time of every call comes in as `now` (ms), randomness as a source.
//
// As upstream: a new endpoint set is shuffled once and the round-robin index reset to 0; an update
// whose set is the same (in any order) keeps the order, the index and the affinities; ClientIP
// affinity maps a client IP to the endpoint it was last given, for `timeoutSeconds` after last use,
// and survives updates while its endpoint does. Unlike upstream, a Service's affinity change also
// updates its timeout (NewService kept the first ttl), and a change of affinity type drops the map.
import { type RandomSource, randomIndex, shuffled } from './random.js';

export type BalanceStrategy = 'round-robin' | 'random';
export const BALANCE_STRATEGIES: readonly BalanceStrategy[] = ['round-robin', 'random'];

/** v1.DefaultClientIPServiceAffinitySeconds: used when a ClientIP Service says 0. */
export const DEFAULT_AFFINITY_SECONDS = 10800;

/**
 * Dial timeouts of the successive connect attempts of one client connection (proxysocket.go's
 * endpointDialTimeout): a refused or timed-out connect moves to the next endpoint, at most this often.
 */
export const CONNECT_ATTEMPT_TIMEOUTS_MS: readonly number[] = [250, 500, 1000, 2000];

export interface AffinityPolicy {
  readonly type: 'None' | 'ClientIP';
  /** Seconds after last use an affinity lasts; 0 means the default (3 h). */
  readonly timeoutSeconds: number;
}

interface Affinity {
  endpoint: string;
  lastUsed: number;
}

interface PortState {
  endpoints: string[];
  index: number;
  policy: AffinityPolicy;
  affinity: Map<string, Affinity>;
}

export interface BalancerOptions {
  readonly strategy: BalanceStrategy;
  readonly random: RandomSource;
  /** Shuffle new endpoint lists as upstream does (default true; tests turn it off to assert order). */
  readonly shuffle?: boolean;
}

const NO_AFFINITY: AffinityPolicy = { type: 'None', timeoutSeconds: 0 };

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}

export class LoadBalancer {
  private readonly ports = new Map<string, PortState>();

  constructor(private readonly options: BalancerOptions) {}

  private stateOf(key: string): PortState {
    let s = this.ports.get(key);
    if (!s) this.ports.set(key, (s = { endpoints: [], index: 0, policy: NO_AFFINITY, affinity: new Map() }));
    return s;
  }

  /** A service port's affinity (NewService). Creates the port when it is new. */
  setPolicy(key: string, policy: AffinityPolicy): void {
    const s = this.stateOf(key);
    if (s.policy.type !== policy.type) s.affinity.clear();
    s.policy = policy;
  }

  /**
   * Replace a service port's endpoints ("ip:port" strings), as OnEndpointsUpdate: the same set keeps
   * everything; a different one drops the affinities of endpoints that left, shuffles, resets the
   * index; an empty one also forgets every affinity (resetService).
   */
  setEndpoints(key: string, endpoints: readonly string[]): void {
    const s = this.stateOf(key);
    if (sameSet(s.endpoints, endpoints)) return;
    if (endpoints.length === 0) {
      s.endpoints = [];
      s.index = 0;
      s.affinity.clear();
      return;
    }
    const kept = new Set(endpoints);
    for (const [ip, a] of s.affinity) if (!kept.has(a.endpoint)) s.affinity.delete(ip);
    s.endpoints = this.options.shuffle === false ? [...endpoints] : shuffled(endpoints, this.options.random);
    s.index = 0;
  }

  deletePort(key: string): void {
    this.ports.delete(key);
  }

  /** The endpoint order round-robin walks (for tests and diagnostics). */
  order(key: string): readonly string[] {
    return this.ports.get(key)?.endpoints ?? [];
  }

  hasEndpoints(key: string): boolean {
    return (this.ports.get(key)?.endpoints.length ?? 0) > 0;
  }

  /**
   * The endpoint for a new connection from `clientIP` (NextEndpoint), or undefined when the port has
   * none. `resetAffinity` (after a failed connect) skips the client's affinity and re-pins it.
   */
  next(key: string, clientIP: string, now: number, resetAffinity = false): string | undefined {
    const s = this.ports.get(key);
    if (!s || s.endpoints.length === 0) return undefined;
    const sticky = s.policy.type === 'ClientIP';
    if (sticky && !resetAffinity) {
      const a = s.affinity.get(clientIP);
      if (a && now - a.lastUsed < ttlMs(s.policy)) {
        a.lastUsed = now;
        return a.endpoint;
      }
    }
    let endpoint: string;
    if (this.options.strategy === 'random') {
      endpoint = s.endpoints[randomIndex(this.options.random, s.endpoints.length)]!;
    } else {
      endpoint = s.endpoints[s.index]!;
      s.index = (s.index + 1) % s.endpoints.length;
    }
    if (sticky) s.affinity.set(clientIP, { endpoint, lastUsed: now });
    return endpoint;
  }

  /** Forget affinities idle for their timeout (CleanupStaleStickySessions); returns how many. */
  expireAffinities(now: number): number {
    let n = 0;
    for (const s of this.ports.values()) {
      const ttl = ttlMs(s.policy);
      for (const [ip, a] of s.affinity)
        if (now - a.lastUsed >= ttl) {
          s.affinity.delete(ip);
          n++;
        }
    }
    return n;
  }
}

function ttlMs(p: AffinityPolicy): number {
  return (p.timeoutSeconds > 0 ? p.timeoutSeconds : DEFAULT_AFFINITY_SECONDS) * 1000;
}
