// Seeded randomness for allocation and generated names: the same input and seed give the same
// cluster (the API server uses math/rand; we never use Math.random).
import { seededRandom } from '../cluster/generate.js';
import type { Random } from './allocation-map.js';

export { seededRandom };

/** utilrand.String's alphabet: no vowels (no words), no 0/1/3 (no look-alikes). */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A generateName suffix as the API server writes it (5 characters). */
export function randomSuffix(rand: Random, n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
  return s;
}
