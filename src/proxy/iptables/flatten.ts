// V8 keeps a string built with + or a template literal as a tree of pieces ("cons string"), and a
// join walks that tree every time it meets the string. Strings that are reused thousands of times
// (chain names, rule heads) are flattened once, in place: converting to a number does that.

// Module state the conversion feeds, so the optimiser cannot drop it as unused.
let _sink = 0;

export function flat(s: string): string {
  _sink ^= Number(s) | 0;
  return s;
}
