// What every socket listener of the proxier offers (TCP, UDP, HTTP), and what it needs to pick an
// endpoint. Sockets live in tcp-listener.ts, udp-listener.ts and http-listener.ts; this is the seam.
import type { LoadBalancer } from './balancer.js';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export interface PickContext {
  readonly balancer: LoadBalancer;
  /** The target key the balancer knows this listener's port by. */
  readonly key: string;
  readonly now: () => number;
  /** A problem worth a line on stderr (the library never prints). */
  readonly onEvent?: ((message: string) => void) | undefined;
}

export interface Listener {
  readonly address: ListenAddress;
  /** Connections (TCP, HTTP) or sessions (UDP) open now. */
  readonly active: number;
  /** Stop accepting; open connections go on (as a removed port in the old proxier). */
  stop(): Promise<void>;
  /** Close every open connection or session now. */
  destroyAll(): void;
}

/** "::ffff:127.0.0.1" -> "127.0.0.1": affinity is per client IP, whichever socket family saw it. */
export function clientIP(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** Split an endpoint "ip:port" / "[ip]:port". */
export function endpointAddress(endpoint: string): { host: string; port: number } {
  const i = endpoint.lastIndexOf(':');
  const host = endpoint.slice(0, i).replace(/^\[|\]$/g, '');
  return { host, port: Number(endpoint.slice(i + 1)) };
}
