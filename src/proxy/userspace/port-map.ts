// The port map: which local address serves which service port. Written by `kubeplane proxy`, read by
// `kubeplane rules --mode userspace --port-map` and by tools that want to reach a Service (pure).
import { UsageError } from '../../errors.js';
import type { Protocol } from '../types.js';

export interface PortMapEntry {
  /** "NS/NAME" */
  readonly service: string;
  readonly portName: string;
  readonly protocol: Protocol;
  readonly clusterIP: string;
  readonly port: number;
  /** "host:port" the proxy listens on ("[::1]:port" for IPv6). */
  readonly listen: string;
}

export interface PortMap {
  readonly ports: readonly PortMapEntry[];
}

export function portMapText(map: PortMap): string {
  return `${JSON.stringify({ ports: map.ports.map((p) => ({ ...p })) })}\n`;
}

/** host and port of an entry's listen address. */
export function splitListen(listen: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(listen);
  if (!m) throw new UsageError(`port map: listen ${JSON.stringify(listen)} is not host:port`);
  return { host: m[1]!, port: Number(m[2]) };
}

export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Parse a port map file's text; `source` names the file in errors. */
export function parsePortMap(text: string, source: string): PortMap {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${source}: not JSON (${(err as Error).message})`);
  }
  const ports = (doc as { ports?: unknown })?.ports;
  if (!Array.isArray(ports)) throw new UsageError(`${source}: expected {"ports":[...]}`);
  return {
    ports: ports.map((p: Record<string, unknown>, i) => {
      const at = `${source}: ports[${i}]`;
      for (const f of ['service', 'portName', 'protocol', 'clusterIP', 'listen'] as const)
        if (typeof p[f] !== 'string') throw new UsageError(`${at}.${f}: expected a string`);
      if (typeof p.port !== 'number') throw new UsageError(`${at}.port: expected a number`);
      const entry = p as unknown as PortMapEntry;
      splitListen(entry.listen);
      return entry;
    }),
  };
}
