// V8 keeps a string built with + or a template literal as a tree of pieces ("cons string"), and a
// join walks that tree every time it meets the string. Strings that are reused thousands of times
// (chain names, rule heads) are flattened once, in place: converting to a number does that.

let flattened = 0;

export function flat(s: string): string {
  flattened ^= Number(s) | 0;
  return s;
}

/** How many flattened strings happened to read as numbers (keeps the conversion observable). */
export function flattenedCount(): number {
  return flattened;
}
