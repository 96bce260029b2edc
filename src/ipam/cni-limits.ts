// Bounds on what a CNI call may hand the plugin (issue 18). libcni's skel reads stdin whole and
// host-local loops over whatever the config lists; a runtime never sends more than a few KiB, so
// these sit far beyond real configs and only cap what a hostile or broken caller can cost. Past
// them the call fails with the CNI error JSON (6 when the config cannot be decoded, 7 when it
// decodes but lists too much), never a crash or an unbounded loop.
import { CNI_CODES, CniError } from './cni-errors.js';

/** Network config on stdin (a conflist's prevResult included); real ones are a few KiB. */
export const MAX_STDIN_BYTES = 1024 * 1024;
/** Nesting of the config's objects and arrays (host-local's own config is 4 levels deep). */
export const MAX_CONFIG_DEPTH = 64;
/** Range sets (one address each), ranges in one set, routes and requested IPs. */
export const MAX_RANGE_SETS = 256;
export const MAX_RANGES_PER_SET = 256;
export const MAX_ROUTES = 1024;
export const MAX_REQUESTED_IPS = 1024;
/** How much of a hostile value an error message echoes. */
export const MAX_SHOWN = 200;

export function stdinTooLarge(bytes: number | string): CniError {
  return new CniError(
    CNI_CODES.decode,
    `error unmarshall network config: more than ${MAX_STDIN_BYTES} bytes on stdin`,
    `${bytes} bytes`,
  );
}

/** Throws CniError 6 when the config text is over the size bound. */
export function checkConfigSize(text: string): void {
  // Cheap first: UTF-8 is at least one byte a UTF-16 unit and at most three.
  if (text.length * 3 <= MAX_STDIN_BYTES) return;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_STDIN_BYTES) throw stdinTooLarge(bytes);
}

/**
 * Throws CniError 6 when the decoded config nests deeper than MAX_CONFIG_DEPTH. JSON.parse accepts
 * any depth, but JSON.stringify (error details, the Redis store, results) overflows the stack a few
 * thousand levels down. Iterative; JSON values share nothing, so each container is visited once.
 */
export function checkConfigDepth(root: unknown): void {
  if (typeof root !== 'object' || root === null) return;
  const stack: object[] = [root];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const v = stack.pop() as object;
    const d = depths.pop() as number;
    if (d > MAX_CONFIG_DEPTH)
      throw new CniError(
        CNI_CODES.decode,
        `error unmarshall network config: nested deeper than ${MAX_CONFIG_DEPTH} levels`,
      );
    for (const c of Array.isArray(v) ? v : Object.values(v))
      if (typeof c === 'object' && c !== null) {
        stack.push(c);
        depths.push(d + 1);
      }
  }
}

/** Throws CniError 7 naming `field` when a list is longer than `max`. */
export function checkListLength(list: readonly unknown[], max: number, field: string): void {
  if (list.length > max)
    throw new CniError(CNI_CODES.invalidConfig, `${field}: ${list.length} items; at most ${max}`, field);
}

/** A hostile value as an error message may show it: JSON, at most MAX_SHOWN characters. */
export function shown(v: unknown): string {
  let text: string;
  try {
    text = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  } catch {
    text = String(v);
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text;
}
