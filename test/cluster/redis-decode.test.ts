// Objects read back from Redis (written by someone else): bounded like manifests, refused with a
// StoreError naming the key, never a stack overflow later (issue 18). Pure: no redis-server needed.
import { describe, expect, test } from 'vitest';
import { decodeObject, MAX_OBJECT_BYTES } from '../../src/cluster/redis-decode.js';
import { StoreError } from '../../src/errors.js';

const service = (extra: string) =>
  `{"apiVersion":"v1","kind":"Service","metadata":{"name":"a","namespace":"default"},"spec":{"ports":[{"port":80}]${extra}}}`;

describe('decodeObject on hostile store data', () => {
  test.each([
    {
      name: 'a value nested 1,000,000 deep',
      text: service(`,"x":${'['.repeat(1e6)}${']'.repeat(1e6)}`),
      want: /spec\.x\[0\].*: nested deeper than 100 levels/,
    },
    {
      name: 'an object over the size bound',
      text: service(`,"x":"${'y'.repeat(MAX_OBJECT_BYTES)}"`),
      want: /exceeds 3145728/,
    },
    { name: 'text that is not JSON', text: '{"kind":', want: /not JSON/ },
    {
      name: 'a Service in the Node hash',
      text: service(''),
      kind: 'Node' as const,
      want: /a Service in the Node hash/,
    },
  ])('$name is a StoreError naming the key', ({ text, kind, want }) => {
    const err = (() => {
      try {
        return decodeObject('kp:Service default/a', kind ?? 'Service', text);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toMatch(/^kp:Service default\/a: /);
    expect((err as Error).message).toMatch(want);
  });

  test('a sound object decodes', () => {
    expect(decodeObject('k', 'Service', service('')).metadata?.name).toBe('a');
  });
});
