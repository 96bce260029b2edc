// nftables object names for one service port, as kube-proxy's nftables proxier derives them:
// hash8 = first 8 characters of base32(sha256(s)); base = hash8 + "-" + s, cut to 240 characters
// (knftables' 256-character name limit minus 16 for the longest prefix) with a "..." tail.
import { hash } from 'node:crypto';
import type { Endpoint, ServicePortInfo } from '../types.js';

const BASE32_CODES = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'].map((ch) => ch.charCodeAt(0));
/** knftables.NameLengthMax (256) minus the longest prefix we put in front ("external-" + slack = 16). */
export const CHAIN_NAME_BASE_MAX = 256 - 16;

/** The first 8 characters of RFC 4648 base32 of sha256(s): 40 bits = the first 5 bytes. */
export function hash8(s: string): string {
  // The first 10 hex digits are the first 40 bits (exact in a double); 8 groups of 5 bits.
  const v = Number.parseInt(hash('sha256', s, 'hex').slice(0, 10), 16);
  const c = (shift: number) => BASE32_CODES[Math.floor(v / 2 ** shift) % 32]!;
  return String.fromCharCode(c(35), c(30), c(25), c(20), c(15), c(10), c(5), c(0));
}

/**
 * A template literal yields a rope (a tree of string pieces); names and rule texts are kept until
 * the payload is written, and a rope costs several times the bytes of its text. Reading one
 * character makes V8 flatten it, so what is retained is one flat string.
 */
export function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

export function hashAndTruncate(name: string): string {
  const full = `${hash8(name)}-${name}`;
  return full.length > CHAIN_NAME_BASE_MAX ? `${full.slice(0, CHAIN_NAME_BASE_MAX - 3)}...` : full;
}

/** "ns/svc/proto/portName" with its hash: e.g. "ULMVA6XW-ns1/svc1/tcp/p80". */
export function servicePortChainNameBase(
  port: Pick<ServicePortInfo, 'namespace' | 'serviceName' | 'protocol' | 'portName'>,
): string {
  return hashAndTruncate(`${port.namespace}/${port.serviceName}/${port.protocol.toLowerCase()}/${port.portName}`);
}

/** "ns/svc/proto/portName__ip/port" with its hash; an IPv6 address has its colons turned into dots. */
export function endpointChainNameBase(
  port: Pick<ServicePortInfo, 'namespace' | 'serviceName' | 'protocol' | 'portName'>,
  ep: Pick<Endpoint, 'ip' | 'port'>,
): string {
  const ip = ep.ip.includes(':') ? ep.ip.replaceAll(':', '.') : ep.ip;
  return hashAndTruncate(
    `${port.namespace}/${port.serviceName}/${port.protocol.toLowerCase()}/${port.portName}__${ip}/${ep.port}`,
  );
}

/** The chain names of one service port; all but the cluster-policy chain are built on demand. */
export class ServicePortNames {
  readonly cluster: string;
  constructor(private readonly base: string) {
    this.cluster = flat(`service-${base}`);
  }
  get local(): string {
    return flat(`local-${this.base}`);
  }
  get external(): string {
    return flat(`external-${this.base}`);
  }
  get firewall(): string {
    return flat(`firewall-${this.base}`);
  }
}

export function servicePortNames(port: ServicePortInfo): ServicePortNames {
  return new ServicePortNames(servicePortChainNameBase(port));
}

export class EndpointNames {
  readonly chain: string;
  constructor(private readonly base: string) {
    this.chain = flat(`endpoint-${base}`);
  }
  /** The ClientIP affinity set (built on demand: most services have no affinity). */
  get affinitySet(): string {
    return flat(`affinity-${this.base}`);
  }
}

export function endpointNames(port: ServicePortInfo, ep: Endpoint): EndpointNames {
  return new EndpointNames(endpointChainNameBase(port, ep));
}

/** Per-service chains are the only ones whose names contain "/" (stale-chain candidates). */
export function isServiceChainName(name: string): boolean {
  return name.includes('/');
}

/** A port's names and its endpoints' names, hashed on first use. */
export interface CachedNames {
  readonly port: ServicePortNames;
  endpoint(ep: Endpoint): EndpointNames;
}

const cache = new WeakMap<ServicePortInfo, CachedNames>();

/**
 * Names cached on the service port object, as kube-proxy keeps them on its servicePortInfo and
 * endpointInfo: the tracker replaces a port object whenever its Service changes, so a cached name
 * can never be stale, and a render hashes only ports it has not seen before.
 */
export function cachedNamesOf(port: ServicePortInfo): CachedNames {
  let c = cache.get(port);
  if (!c) {
    const portNames = servicePortNames(port);
    const eps = new Map<string, EndpointNames>();
    c = {
      port: portNames,
      endpoint(ep) {
        let n = eps.get(ep.endpoint);
        if (!n) eps.set(ep.endpoint, (n = endpointNames(port, ep)));
        return n;
      },
    };
    cache.set(port, c);
  }
  return c;
}
