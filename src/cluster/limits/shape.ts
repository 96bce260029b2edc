// Bounds on a parsed JSON value: nesting depth, string length and array length. JSON.parse itself
// accepts any depth, but JSON.stringify and structuredClone overflow the stack a few thousand
// levels down, so a deep value would crash whatever serialises the object later. The walk is
// iterative and visits each container once (JSON values share nothing).
import { ManifestLimitError } from '../../errors.js';
import { MAX_ARRAY_LENGTH, MAX_DEPTH, MAX_STRING_LENGTH } from './index.js';

type Problem = { path: string; problem: string };

/** Throws ManifestLimitError naming the file, document and field of the first value out of bounds. */
export function checkJsonShape(file: string, document: number, root: unknown): void {
  if (!exceeds(root)) return;
  const found = locate(root);
  if (found) throw new ManifestLimitError({ file, document, field: found.path || '(document)' }, found.problem);
}

/** The fast pass: is any bound broken? No paths are built. */
function exceeds(root: unknown): boolean {
  if (typeof root === 'string') return root.length > MAX_STRING_LENGTH;
  if (typeof root !== 'object' || root === null) return false;
  const stack: object[] = [root];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const v = stack.pop() as object;
    const d = depths.pop() as number;
    if (d > MAX_DEPTH) return true;
    if (Array.isArray(v)) {
      if (v.length > MAX_ARRAY_LENGTH) return true;
      for (let i = 0; i < v.length; i++) {
        const c: unknown = v[i];
        if (typeof c === 'object' && c !== null) {
          stack.push(c);
          depths.push(d + 1);
        } else if (typeof c === 'string' && c.length > MAX_STRING_LENGTH) return true;
      }
    } else {
      for (const k in v) {
        const c: unknown = (v as Record<string, unknown>)[k];
        if (typeof c === 'object' && c !== null) {
          stack.push(c);
          depths.push(d + 1);
        } else if ((typeof c === 'string' && c.length > MAX_STRING_LENGTH) || k.length > MAX_STRING_LENGTH) return true;
      }
    }
  }
  return false;
}

const SHOWN_SEGMENTS = 8;

function pathOf(segments: readonly string[]): string {
  const shown = segments.length > SHOWN_SEGMENTS ? [...segments.slice(0, SHOWN_SEGMENTS), '...'] : segments;
  return shown.join('').replace(/^\./, '');
}

function segment(key: string | number): string {
  return typeof key === 'number' ? `[${key}]` : `.${key.length > 60 ? `${key.slice(0, 57)}...` : key}`;
}

/** The slow pass, only after the fast one found something: the first offending path. */
function locate(root: unknown): Problem | undefined {
  const stack: { v: unknown; path: string[] }[] = [{ v: root, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop() as { v: unknown; path: string[] };
    if (typeof v === 'string') {
      if (v.length > MAX_STRING_LENGTH)
        return { path: pathOf(path), problem: `a string of ${v.length} characters; at most ${MAX_STRING_LENGTH}` };
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (path.length + 1 > MAX_DEPTH) return { path: pathOf(path), problem: `nested deeper than ${MAX_DEPTH} levels` };
    if (Array.isArray(v)) {
      if (v.length > MAX_ARRAY_LENGTH)
        return { path: pathOf(path), problem: `a list of ${v.length} items; at most ${MAX_ARRAY_LENGTH}` };
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, segment(i)] });
    } else {
      for (const k in v) {
        if (k.length > MAX_STRING_LENGTH)
          return { path: pathOf(path), problem: `a key of ${k.length} characters; at most ${MAX_STRING_LENGTH}` };
        stack.push({ v: (v as Record<string, unknown>)[k], path: [...path, segment(k)] });
      }
    }
  }
  return undefined;
}
