import { describe, expect, test } from 'vitest';
import { computeProbability } from '../../../src/proxy/iptables/probability.js';

describe('computeProbability', () => {
  // Upstream's TestComputeProbability table, plus ties that JS toFixed rounds the other way.
  test.each([
    { n: 1, want: '1.0000000000' },
    { n: 2, want: '0.5000000000' },
    { n: 3, want: '0.3333333333' },
    { n: 6, want: '0.1666666667' },
    { n: 7, want: '0.1428571429' },
    { n: 10, want: '0.1000000000' },
    { n: 100, want: '0.0100000000' },
    { n: 1000, want: '0.0010000000' },
    { n: 2048, want: '0.0004882812' },
    { n: 10000, want: '0.0001000000' },
    { n: 100000, want: '0.0000100000' },
    { n: 100001, want: '0.0000099999' },
  ])('1/$n is $want', ({ n, want }) => {
    expect(computeProbability(n)).toBe(want);
  });

  test('probabilities strictly decrease with n, as upstream checks', () => {
    let prev = 2;
    for (let n = 1; n <= 20_000; n++) {
      const p = Number(computeProbability(n));
      expect(p < prev).toBe(true);
      prev = p;
    }
  });
});
