// Query parameters of the console API, checked: a bad one is a ConsoleRequestError (HTTP 400) that
// names the parameter and says what it must be.
import { ConsoleRequestError } from '../errors.js';
import { parseIP } from '../net/index.js';

export type Params = URLSearchParams;

export function required(q: Params, name: string): string {
  const v = q.get(name);
  if (v === null || v.trim() === '') throw new ConsoleRequestError(name, 'is required');
  return v.trim();
}

export function oneOf<T extends string>(q: Params, name: string, allowed: readonly T[], fallback?: T): T {
  const v = q.get(name);
  if ((v === null || v === '') && fallback !== undefined) return fallback;
  if (v === null || !(allowed as readonly string[]).includes(v))
    throw new ConsoleRequestError(name, `${JSON.stringify(v ?? '')} must be one of ${allowed.join(', ')}`);
  return v as T;
}

export function wholeNumber(q: Params, name: string, min: number, max: number, fallback?: number): number {
  const v = q.get(name);
  if ((v === null || v === '') && fallback !== undefined) return fallback;
  if (v === null || !/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
    throw new ConsoleRequestError(name, `${JSON.stringify(v ?? '')} must be a whole number from ${min} to ${max}`);
  return Number(v);
}

/** "IP", "IP:PORT" or "[v6]:PORT". */
export function hostPort(
  q: Params,
  name: string,
  needPort: boolean,
): { host: string; port: number | undefined; v6: boolean } {
  const text = required(q, name);
  let host = text;
  let port: string | undefined;
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    host = end > 0 ? text.slice(1, end) : '';
    port = end > 0 && text[end + 1] === ':' ? text.slice(end + 2) : undefined;
  } else if (text.split(':').length === 2) [host, port] = text.split(':') as [string, string];
  const ip = parseIP(host);
  const portOk = port === undefined ? !needPort : /^\d{1,5}$/.test(port) && Number(port) <= 65535;
  if (!ip || !portOk)
    throw new ConsoleRequestError(
      name,
      `${JSON.stringify(text)} must be ${needPort ? 'IP:PORT' : 'IP[:PORT]'} ([v6]:port for IPv6)`,
    );
  return { host, port: port === undefined ? undefined : Number(port), v6: host.includes(':') };
}

/** "ns/name" (namespace "default" when left out). */
export function serviceRef(q: Params, name = 'service'): { namespace: string; name: string; key: string } {
  const text = required(q, name);
  const m = /^(?:([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/)?([a-z0-9]([-a-z0-9]*[a-z0-9])?)$/.exec(text);
  if (!m) throw new ConsoleRequestError(name, `${JSON.stringify(text)} must be NAMESPACE/NAME`);
  const namespace = m[1] ?? 'default';
  return { namespace, name: m[3]!, key: `${namespace}/${m[3]}` };
}
