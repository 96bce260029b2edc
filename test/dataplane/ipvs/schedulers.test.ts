// Exact picks of the emulated IPVS schedulers on small hand-worked cases (see the kernel's
// ip_vs_rr.c, ip_vs_wrr.c, ip_vs_lc.c, ip_vs_wlc.c, ip_vs_sed.c, ip_vs_nq.c, ip_vs_sh.c).
import { describe, expect, test } from 'vitest';
import { type Connection, IpvsEmulator, schedule } from '../../../src/dataplane/ipvs/emulate.js';
import { parseIpvsadmSave } from '../../../src/dataplane/ipvs/table.js';

const A = '10.1.0.1:80';
const B = '10.1.0.2:80';
const C = '10.1.0.3:80';

function table(sched: string, weights: number[], persist = '') {
  const servers = [A, B, C].slice(0, weights.length);
  return parseIpvsadmSave(
    [
      `-A -t 10.96.0.1:80 -s ${sched}${persist}`,
      ...servers.map((s, i) => `-a -t 10.96.0.1:80 -r ${s} -m -w ${weights[i]}`),
    ].join('\n'),
  );
}

/** Connections from `client` at the given [start, end] times. */
const conns = (times: [number, number, string?][]): Connection[] =>
  times.map(([start, end, client]) => ({
    service: '-t 10.96.0.1:80',
    client: { address: client ?? '192.0.2.1', port: 40000 + start },
    start,
    end,
  }));
const longLived = (n: number) => conns(Array.from({ length: n }, (_, i) => [i, 1000] as [number, number]));

describe('IPVS scheduler emulation', () => {
  test('parses ipvsadm-save -n text', () => {
    const t = parseIpvsadmSave(
      '-A -t [fd00::1]:80 -s rr -p 600\n-a -t [fd00::1]:80 -r [fd00::a]:8080 -m -w 2\n-A -u 10.0.0.10:53 -s wrr\n',
    );
    expect([...t.keys()]).toEqual(['-t [fd00::1]:80', '-u 10.0.0.10:53']);
    expect(t.get('-t [fd00::1]:80')).toMatchObject({
      protocol: 'TCP',
      address: 'fd00::1',
      port: 80,
      persistenceTimeout: 600,
    });
    expect(t.get('-t [fd00::1]:80')!.destinations).toEqual([
      { server: '[fd00::a]:8080', address: 'fd00::a', port: 8080, weight: 2 },
    ]);
    expect(() => parseIpvsadmSave('-a -t 10.0.0.1:80 -r 10.0.0.2:80 -m -w 1')).toThrow(/unknown service/);
  });

  test('rr walks the list; a weight-0 server gets no new connections', () => {
    expect(schedule(table('rr', [1, 1, 1]), longLived(6))).toEqual([A, B, C, A, B, C]);
    expect(schedule(table('rr', [1, 0, 1]), longLived(4))).toEqual([A, C, A, C]);
  });

  test('wrr 3:1 steps the current weight down by the gcd from the max', () => {
    expect(schedule(table('wrr', [3, 1]), longLived(8))).toEqual([A, A, A, B, A, A, A, B]);
    // gcd 2: weights 4:2 behave as 2:1.
    expect(schedule(table('wrr', [4, 2]), longLived(6))).toEqual([A, A, B, A, A, B]);
  });

  test('lc follows live connection counts under uneven connection lengths', () => {
    // A holds a long connection; B's short ones end, so B keeps winning until the counts tie.
    const picks = schedule(
      table('lc', [1, 1]),
      conns([
        [0, 100],
        [1, 2],
        [3, 10],
        [4, 50],
        [5, 50],
      ]),
    );
    expect(picks).toEqual([A, B, B, A, B]);
  });

  test('lc skips a weight-0 (draining) server even when it is idle', () => {
    expect(schedule(table('lc', [0, 1, 1]), longLived(3))).toEqual([B, C, B]);
  });

  test('wlc, sed and nq with weights 2:1', () => {
    expect(schedule(table('wlc', [2, 1]), longLived(5))).toEqual([A, B, A, A, B]);
    expect(schedule(table('sed', [2, 1]), longLived(4))).toEqual([A, A, B, A]);
    expect(schedule(table('nq', [2, 1]), longLived(3))).toEqual([A, B, A]);
  });

  test('sh hashes the client address (hash_32 into 256 buckets), stable per client', () => {
    // hash_32(0x0a000001) = 0x27c88647 >> 24 = 39 (odd: B); 10.0.0.5 -> 174 (even: A).
    const t = table('sh', [1, 1]);
    const c = conns([
      [0, 1, '10.0.0.1'],
      [1, 2, '10.0.0.5'],
      [2, 3, '10.0.0.1'],
      [3, 4, '10.0.0.5'],
      [4, 5, '10.0.0.1'],
    ]);
    expect(schedule(t, c)).toEqual([B, A, B, A, B]);
  });

  test('ClientIP persistence: a template per client, expiring on the emulated clock', () => {
    const t = table('rr', [1, 1, 1], ' -p 10');
    const c = conns([
      [0, 1, 'X'],
      [5, 6, 'X'], // template (until 15)
      [6, 7, 'Z'], // rr continues: B
      [14, 15, 'X'], // still A; the template now runs to 24
      [25, 26, 'X'], // expired: rr picks C
    ]);
    expect(schedule(t, c)).toEqual([A, A, B, A, C]);
  });

  test('a template is re-armed while a connection it controls stays open', () => {
    const t = table('rr', [1, 1], ' -p 10');
    // X's first connection lasts until 35: the template lives to 40.
    const picks = schedule(
      t,
      conns([
        [0, 35, 'X'],
        [1, 2, 'Y'],
        [38, 39, 'X'],
        [41, 42, 'Z'],
        [52, 53, 'X'],
      ]),
    );
    expect(picks).toEqual([A, B, A, A, B]);
  });

  test('lblcr: the set grows by the least loaded server only when its best member is overloaded', () => {
    // Weights 1:1:1. A takes the first and, not over its weight, the second; at 2 active (over
    // weight 1, with B idle) B joins the set and takes the third; the set's least loaded member B
    // (1 active) takes the fourth; then A and B are both overloaded and C joins.
    const picks = schedule(table('lblcr', [1, 1, 1]), longLived(5));
    expect(picks).toEqual([A, A, B, B, C]);
  });

  test('a dry pick answers without moving rr on', () => {
    const e = new IpvsEmulator(table('rr', [1, 1, 1]));
    const c = conns([
      [0, 1],
      [1, 2],
    ]);
    expect(e.connect(c[0]!, true)).toBe(A);
    expect(e.connect(c[0]!, true)).toBe(A);
    expect(e.connect(c[0]!)).toBe(A);
    expect(e.connect(c[1]!)).toBe(B);
  });

  test('ended connections linger as inactive: lc spreads short connections', () => {
    const short = conns([
      [0, 0],
      [1, 1],
      [2, 2],
      [200, 200],
    ]);
    // Without linger every short connection finds both idle and takes the first.
    expect(schedule(table('lc', [1, 1]), short)).toEqual([A, A, A, A]);
    const e = new IpvsEmulator(table('lc', [1, 1]), { lingerSeconds: 120 });
    // With TIME_WAIT linger, A's inactive count sends the next to B; after 120 s both are clean.
    expect(short.map((c) => e.connect(c))).toEqual([A, B, A, A]);
  });

  test('connections out of start order are refused', () => {
    expect(() =>
      schedule(
        table('rr', [1]),
        conns([
          [5, 6],
          [4, 5],
        ]),
      ),
    ).toThrow(RangeError);
  });
});
