// LoadBalancer against the cases of kube-proxy's pkg/proxy/userspace/roundrobin_test.go that assert
// concrete picks (in the shuffled order the balancer reports, as upstream reads `services[...].endpoints`),
// plus the affinity timeout on an injected clock and the random strategy.
import { describe, expect, test } from 'vitest';
import { DEFAULT_AFFINITY_SECONDS, LoadBalancer } from '../../../src/proxy/userspace/balancer.js';
import { seededRandom } from '../../../src/proxy/userspace/random.js';

const P = 'testnamespace/foo:p/TCP';
const Q = 'testnamespace/foo:q/TCP';
const STICKY = { type: 'ClientIP', timeoutSeconds: DEFAULT_AFFINITY_SECONDS } as const;
const c = (n: number) => `127.0.0.${n}`;

function rr(seed = 1) {
  return new LoadBalancer({ strategy: 'round-robin', random: seededRandom(seed) });
}

function picks(lb: LoadBalancer, key: string, n: number, client = '', now = 0): string[] {
  return Array.from({ length: n }, () => lb.next(key, client, now)!);
}

describe('round-robin (roundrobin_test.go)', () => {
  test('fails with no endpoints, and for an unknown port', () => {
    const lb = rr();
    expect(lb.next('testnamespace/foo:does-not-exist/TCP', '', 0)).toBeUndefined();
    lb.setEndpoints(P, []);
    expect(lb.next(P, '', 0)).toBeUndefined();
  });

  test('works with a single endpoint', () => {
    const lb = rr();
    lb.setEndpoints(P, ['endpoint1:40']);
    expect(picks(lb, P, 4)).toEqual(Array(4).fill('endpoint1:40'));
  });

  test('works with multiple endpoints, in the shuffled order, wrapping', () => {
    const lb = rr();
    lb.setEndpoints(P, ['endpoint:1', 'endpoint:2', 'endpoint:3']);
    const order = lb.order(P);
    expect([...order].sort()).toEqual(['endpoint:1', 'endpoint:2', 'endpoint:3']);
    expect(picks(lb, P, 4)).toEqual([order[0], order[1], order[2], order[0]]);
  });

  test('multiple ports keep separate rotations', () => {
    const lb = rr();
    lb.setEndpoints(P, ['endpoint1:1', 'endpoint2:1', 'endpoint3:3']);
    lb.setEndpoints(Q, ['endpoint1:2', 'endpoint2:2', 'endpoint3:4']);
    const p = lb.order(P);
    const q = lb.order(Q);
    expect(picks(lb, P, 4)).toEqual([p[0], p[1], p[2], p[0]]);
    expect(picks(lb, Q, 4)).toEqual([q[0], q[1], q[2], q[0]]);
  });

  test('an update with fewer endpoints starts from the beginning again; clearing fails', () => {
    const lb = rr();
    lb.setEndpoints(P, ['endpoint1:1', 'endpoint2:2', 'endpoint3:3']);
    picks(lb, P, 4);
    lb.setEndpoints(P, ['endpoint4:4', 'endpoint5:5']);
    const p = lb.order(P);
    expect([...p].sort()).toEqual(['endpoint4:4', 'endpoint5:5']);
    expect(picks(lb, P, 4)).toEqual([p[0], p[1], p[0], p[1]]);
    lb.setEndpoints(P, []);
    expect(lb.next(P, '', 0)).toBeUndefined();
  });

  test('removing one service leaves the other rotating from where it left off', () => {
    const lb = rr();
    const bar = 'testnamespace/bar:p/TCP';
    lb.setEndpoints(P, ['endpoint1:123', 'endpoint2:123', 'endpoint3:123']);
    lb.setEndpoints(bar, ['endpoint4:456', 'endpoint5:456', 'endpoint6:456']);
    const b = lb.order(bar);
    picks(lb, P, 5);
    expect(picks(lb, bar, 5)).toEqual([b[0], b[1], b[2], b[0], b[1]]);
    lb.setEndpoints(P, []);
    expect(lb.next(P, '', 0)).toBeUndefined();
    expect(picks(lb, bar, 4)).toEqual([b[2], b[0], b[1], b[2]]);
  });

  test('the same set in another order keeps the rotation (slicesEquiv)', () => {
    const lb = rr();
    lb.setEndpoints(P, ['a:1', 'b:1', 'c:1']);
    const o = lb.order(P);
    expect(lb.next(P, '', 0)).toBe(o[0]);
    lb.setEndpoints(P, ['c:1', 'a:1', 'b:1']);
    expect(lb.order(P)).toEqual(o);
    expect(lb.next(P, '', 0)).toBe(o[1]);
  });

  test('without shuffling, the order is the order given', () => {
    const lb = new LoadBalancer({ strategy: 'round-robin', random: seededRandom(1), shuffle: false });
    lb.setEndpoints(P, ['a:1', 'b:1', 'c:1']);
    expect(picks(lb, P, 6)).toEqual(['a:1', 'b:1', 'c:1', 'a:1', 'b:1', 'c:1']);
  });
});

describe('ClientIP affinity (roundrobin_test.go sticky cases)', () => {
  test.each([
    { name: 'policy set before the endpoints', policyFirst: true },
    { name: 'policy set after the endpoints', policyFirst: false },
  ])('each client keeps its endpoint: $name', ({ policyFirst }) => {
    const lb = rr();
    if (policyFirst) lb.setPolicy(P, STICKY);
    lb.setEndpoints(P, ['endpoint1:1', 'endpoint2:2', 'endpoint3:3']);
    if (!policyFirst) lb.setPolicy(P, STICKY);
    const ep = [1, 2, 3].map((n) => lb.next(P, c(n), 0));
    expect(new Set(ep).size).toBe(3);
    for (let round = 0; round < 3; round++) for (const n of [1, 2, 3]) expect(lb.next(P, c(n), 0)).toBe(ep[n - 1]);
  });

  test('removing one endpoint re-pins only its client, to the first of the new order', () => {
    const lb = rr();
    lb.setPolicy(P, STICKY);
    lb.setEndpoints(P, ['endpoint:1', 'endpoint:2', 'endpoint:3']);
    const o = lb.order(P);
    expect(lb.next(P, c(1), 0)).toBe(o[0]);
    expect(lb.next(P, c(1), 0)).toBe(o[0]);
    expect(lb.next(P, c(2), 0)).toBe(o[1]);
    expect(lb.next(P, c(2), 0)).toBe(o[1]);
    expect(lb.next(P, c(3), 0)).toBe(o[2]);
    const pinned = [o[0], o[1], o[2]];
    lb.setEndpoints(P, ['endpoint:1', 'endpoint:2']);
    const o2 = lb.order(P);
    const lost = pinned.indexOf('endpoint:3');
    pinned[lost] = o2[0];
    // Clients are asked in order 1, 2, 3: only the lost one takes a round-robin pick, and it is the first.
    for (const n of [1, 2, 3]) expect(lb.next(P, c(n), 0)).toBe(pinned[n - 1]);
    lb.setEndpoints(P, ['endpoint:1', 'endpoint:2', 'endpoint:4']);
    const o3 = lb.order(P);
    for (const n of [1, 2, 3]) expect(lb.next(P, c(n), 0)).toBe(pinned[n - 1]);
    expect([4, 5, 6].map((n) => lb.next(P, c(n), 0))).toEqual([o3[0], o3[1], o3[2]]);
  });

  test('an update to a disjoint set starts over; clearing fails', () => {
    const lb = rr();
    lb.setPolicy(P, STICKY);
    lb.setEndpoints(P, ['endpoint:1', 'endpoint:2', 'endpoint:3']);
    const o = lb.order(P);
    expect([1, 1, 2, 2, 3, 1, 2].map((n) => lb.next(P, c(n), 0))).toEqual([o[0], o[0], o[1], o[1], o[2], o[0], o[1]]);
    lb.setEndpoints(P, ['endpoint:4', 'endpoint:5']);
    const o2 = lb.order(P);
    expect([1, 2, 1, 1, 2, 2].map((n) => lb.next(P, c(n), 0))).toEqual([o2[0], o2[1], o2[0], o2[0], o2[1], o2[1]]);
    lb.setEndpoints(P, []);
    expect(lb.next(P, c(1), 0)).toBeUndefined();
  });

  test('a failed connect (affinity reset) moves the client on round-robin (TestStickyLoadBalanceWorksWithEndpointFails)', () => {
    const lb = rr();
    lb.setPolicy(P, STICKY);
    lb.setEndpoints(P, ['endpoint1:1', 'endpoint2:2', 'endpoint3:3']);
    const [ep1, ep2, ep3] = [1, 2, 3].map((n) => lb.next(P, c(n), 0));
    const reset = (n: number) => lb.next(P, c(n), 0, true);
    expect([reset(1), reset(1), reset(1)]).toEqual([ep1, ep2, ep3]);
    expect(lb.next(P, c(2), 0)).toBe(ep2);
    expect([reset(2), reset(3), reset(1), reset(2)]).toEqual([ep1, ep2, ep3, ep1]);
    // The reset re-pinned each client to its last pick.
    expect([lb.next(P, c(1), 0), lb.next(P, c(2), 0), lb.next(P, c(3), 0)]).toEqual([ep3, ep1, ep2]);
  });

  test('an affinity lasts timeoutSeconds after last use, then the client takes the next pick', () => {
    const lb = rr();
    lb.setPolicy(P, { type: 'ClientIP', timeoutSeconds: 10 });
    lb.setEndpoints(P, ['a:1', 'b:1', 'c:1']);
    const o = lb.order(P);
    expect(lb.next(P, c(1), 0)).toBe(o[0]);
    expect(lb.next(P, c(1), 9_999)).toBe(o[0]); // refreshed: lasts until 19 999
    expect(lb.next(P, c(1), 19_998)).toBe(o[0]);
    expect(lb.next(P, c(1), 29_998)).toBe(o[1]); // 10 s idle: expired
    expect(lb.expireAffinities(39_997)).toBe(0);
    expect(lb.expireAffinities(39_998)).toBe(1);
  });

  test('timeout 0 means the 3-hour default', () => {
    const lb = rr();
    lb.setPolicy(P, { type: 'ClientIP', timeoutSeconds: 0 });
    lb.setEndpoints(P, ['a:1', 'b:1']);
    const first = lb.next(P, c(1), 0);
    expect(lb.next(P, c(1), DEFAULT_AFFINITY_SECONDS * 1000 - 1)).toBe(first);
    expect(lb.next(P, c(1), 2 * DEFAULT_AFFINITY_SECONDS * 1000)).not.toBe(first);
  });

  test('turning affinity off forgets the pins', () => {
    const lb = rr();
    lb.setPolicy(P, STICKY);
    lb.setEndpoints(P, ['a:1', 'b:1']);
    const o = lb.order(P);
    expect([lb.next(P, c(1), 0), lb.next(P, c(1), 0)]).toEqual([o[0], o[0]]);
    lb.setPolicy(P, { type: 'None', timeoutSeconds: 0 });
    expect([lb.next(P, c(1), 0), lb.next(P, c(1), 0)]).toEqual([o[1], o[0]]);
  });
});

describe('random strategy', () => {
  test('a seed gives the same picks, spread over every endpoint', () => {
    const make = () => {
      const lb = new LoadBalancer({ strategy: 'random', random: seededRandom(42) });
      lb.setEndpoints(P, ['a:1', 'b:1', 'c:1']);
      return picks(lb, P, 300);
    };
    const a = make();
    expect(make()).toEqual(a);
    const counts = new Map<string, number>();
    for (const e of a) counts.set(e, (counts.get(e) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(['a:1', 'b:1', 'c:1']);
    for (const n of counts.values()) expect(n).toBeGreaterThan(50);
  });

  test('affinity applies on top of random picks', () => {
    const lb = new LoadBalancer({ strategy: 'random', random: seededRandom(7) });
    lb.setPolicy(P, STICKY);
    lb.setEndpoints(P, ['a:1', 'b:1', 'c:1']);
    const first = lb.next(P, c(1), 0);
    expect(picks(lb, P, 20, c(1))).toEqual(Array(20).fill(first));
  });
});
