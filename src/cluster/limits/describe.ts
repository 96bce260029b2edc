// A short, bounded rendering of any parsed value for error messages. Unlike JSON.stringify it
// stops after `max` characters, never recurses, and survives shared and cyclic values, so a
// message about a hostile value costs as little as one about a small one.

export function describeValue(v: unknown, max = 60): string {
  if (v === undefined) return 'nothing';
  let out = '';
  // A stack of pending tokens: a value to render, or a literal string to emit.
  const stack: unknown[] = [v];
  const onPath = new Set<object>();
  while (stack.length > 0 && out.length <= max) {
    const item = stack.pop();
    if (item instanceof Literal) {
      if (item.closes) onPath.delete(item.closes);
      out += item.text;
      continue;
    }
    if (item === null || typeof item !== 'object') {
      out += scalar(item, max - out.length);
      continue;
    }
    if (onPath.has(item)) {
      out += '(cycle)';
      continue;
    }
    onPath.add(item);
    if (Array.isArray(item)) {
      out += '[';
      stack.push(new Literal(']', item));
      // Only as many elements as could still be shown.
      const n = Math.min(item.length, max);
      for (let i = n - 1; i >= 0; i--) {
        stack.push(item[i]);
        if (i > 0) stack.push(new Literal(','));
      }
    } else {
      out += '{';
      stack.push(new Literal('}', item));
      const keys: string[] = [];
      for (const k in item) {
        if (keys.length >= max) break;
        keys.push(k);
      }
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i] as string;
        stack.push((item as Record<string, unknown>)[k]);
        stack.push(new Literal(`${JSON.stringify(k.length > max ? k.slice(0, max) : k)}:`));
        if (i > 0) stack.push(new Literal(','));
      }
    }
  }
  return out.length > max || stack.length > 0 ? `${out.slice(0, max - 3)}...` : out;
}

class Literal {
  constructor(
    readonly text: string,
    readonly closes?: object,
  ) {}
}

function scalar(v: unknown, room: number): string {
  if (typeof v === 'string') return JSON.stringify(v.length > room + 1 ? v.slice(0, room + 1) : v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'bigint') return String(v);
  if (v === null || typeof v === 'boolean') return String(v);
  return 'null';
}
