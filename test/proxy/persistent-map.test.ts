import { describe, expect, test } from 'vitest';
import { PersistentMap } from '../../src/proxy/persistent-map.js';

describe('PersistentMap', () => {
  test('an edit makes a new version and leaves the old one as it was', () => {
    const v0 = PersistentMap.of(
      new Map([
        ['a', 1],
        ['b', 2],
      ]),
    );
    const e = v0.edit();
    e.set('a', 10);
    e.delete('b');
    e.set('c', 3);
    const v1 = e.done();
    expect([...v0.entries()]).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(v1.get('a')).toBe(10);
    expect(v1.has('b')).toBe(false);
    expect(v1.size).toBe(2);
    expect(new Map(v1.entries())).toEqual(
      new Map([
        ['a', 10],
        ['c', 3],
      ]),
    );
  });

  test('two versions made from one source do not see each other', () => {
    const v0 = PersistentMap.of(new Map([['k', 'base']]));
    const a = v0.edit();
    a.set('k', 'a');
    const b = v0.edit();
    b.delete('k');
    const va = a.done();
    const vb = b.done();
    expect(va.get('k')).toBe('a');
    expect(vb.get('k')).toBeUndefined();
    expect(v0.get('k')).toBe('base');
  });

  test('a long chain of versions reads the same as a Map replaying the edits (folded into new bases)', () => {
    const model = new Map<number, number>();
    const versions: [PersistentMap<number, number>, Map<number, number>][] = [];
    let v = PersistentMap.empty<number, number>();
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let step = 0; step < 300; step++) {
      const e = v.edit();
      for (let i = 0; i < 5; i++) {
        const k = next() % 40;
        if (next() % 3 === 0) {
          e.delete(k);
          model.delete(k);
        } else {
          e.set(k, step);
          model.set(k, step);
        }
      }
      v = e.done();
      versions.push([v, new Map(model)]);
    }
    for (const [version, expected] of versions) {
      expect(version.size).toBe(expected.size);
      expect(new Map(version.entries())).toEqual(expected);
      for (let k = 0; k < 40; k++) expect(version.get(k)).toBe(expected.get(k));
    }
  });
});
