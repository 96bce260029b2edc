// Generators for the big hostile inputs of issue 18 (made in the test rather than committed).

/** One Service with `n` ports as JSON (200,000 ports is ~13 MB). */
export function manyPortsService(n: number): string {
  const ports = Array.from({ length: n }, (_, i) => ({ name: `p${i}`, port: 1 + (i % 65535), protocol: 'TCP' }));
  return JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'many' }, spec: { ports } });
}

/** A document whose spec.x nests `depth` arrays. */
export function deepJson(depth: number, kind = 'Service'): string {
  return `{"apiVersion":"v1","kind":"${kind}","metadata":{"name":"deep"},"spec":{"x":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
}

/** The same nesting as YAML flow sequences. */
export function deepYaml(depth: number): string {
  return `apiVersion: v1\nkind: Service\nmetadata: {name: deep}\nspec:\n  x: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
}
