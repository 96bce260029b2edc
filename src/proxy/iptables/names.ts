// kube-proxy's iptables chain names: "KUBE-SVC-" + base32(sha256(input))[0:16]. Names are worked out
// once per service port and endpoint and cached on those objects (kube-proxy keeps them on its
// servicePortInfo / endpointInfo), so a render never hashes a name it has hashed before. Each name
// is kept as ASCII bytes too, for the byte writer (byte-writer.ts).
import { createHash } from 'node:crypto';
import type { Endpoint, ServicePortInfo } from '../types.js';
import { asciiBytes } from './byte-writer.js';
import { flat } from './flatten.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (standard alphabet) of the first 10 bytes: exactly 16 characters. */
function base32First16(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < 10; i += 5) {
    // 5 bytes -> 8 characters; 40 bits fit in a double exactly.
    const n =
      bytes[i]! * 2 ** 32 +
      ((bytes[i + 1]! << 24) >>> 0) +
      (bytes[i + 2]! << 16) +
      (bytes[i + 3]! << 8) +
      bytes[i + 4]!;
    for (let k = 7; k >= 0; k--) out += ALPHABET[Math.floor(n / 2 ** (5 * k)) % 32];
  }
  return out;
}

/** base32(sha256(s))[0:16], the hash part of every kube-proxy iptables chain name. */
export function hash16(s: string): string {
  return base32First16(createHash('sha256').update(s).digest());
}

/** A chain is ours (and may be deleted when stale) iff it has one of these prefixes. */
export const SERVICE_CHAIN_PREFIXES = ['KUBE-SVC-', 'KUBE-SVL-', 'KUBE-SEP-', 'KUBE-FW-', 'KUBE-EXT-'] as const;

export function isServiceChainName(name: string): boolean {
  return SERVICE_CHAIN_PREFIXES.some((p) => name.startsWith(p));
}

/** A chain name, and the same name as ASCII bytes. */
export interface ChainName {
  readonly name: string;
  readonly bytes: Uint8Array;
}

function chainName(name: string): ChainName {
  return { name: flat(name), bytes: asciiBytes(name) };
}

export interface PortChainNames {
  /** Cluster-policy chain. */
  readonly svc: ChainName;
  /** Local-policy chain. */
  readonly svl: ChainName;
  readonly ext: ChainName;
  readonly fw: ChainName;
  /** KUBE-SEP chain per endpoint ("ip:port"), filled as endpoints are seen. */
  readonly sep: Map<string, ChainName>;
  /** The last endpoint list asked for by endpointChainsOf, and its chains. */
  list?: readonly Endpoint[];
  listChains?: readonly ChainName[];
}

const portNames = new WeakMap<ServicePortInfo, PortChainNames>();

/** The SVC/SVL/EXT/FW chain names of a service port (input: "ns/svc:port" + lower-case protocol). */
export function chainNamesOf(port: ServicePortInfo): PortChainNames {
  let n = portNames.get(port);
  if (!n) {
    const h = hash16(port.name + port.protocol.toLowerCase());
    n = {
      svc: chainName(`KUBE-SVC-${h}`),
      svl: chainName(`KUBE-SVL-${h}`),
      ext: chainName(`KUBE-EXT-${h}`),
      fw: chainName(`KUBE-FW-${h}`),
      sep: new Map(),
    };
    portNames.set(port, n);
  }
  return n;
}

/**
 * The KUBE-SEP chain of one endpoint of one service port ("ns/svc:port" + protocol + "ip:port");
 * `names` is the port's chainNamesOf.
 */
export function endpointChainOf(names: PortChainNames, port: ServicePortInfo, ep: Endpoint): ChainName {
  let name = names.sep.get(ep.endpoint);
  if (name === undefined) {
    name = chainName(`KUBE-SEP-${hash16(port.name + port.protocol.toLowerCase() + ep.endpoint)}`);
    names.sep.set(ep.endpoint, name);
  }
  return name;
}

/**
 * The KUBE-SEP chains of a list of the port's endpoints. The chains of the last list are kept: the
 * proxy state hands out the same (unchanging) array on every sync while the port's endpoints stay.
 */
export function endpointChainsOf(
  names: PortChainNames,
  port: ServicePortInfo,
  list: readonly Endpoint[],
): readonly ChainName[] {
  if (names.list === list) return names.listChains!;
  const chains = list.map((ep) => endpointChainOf(names, port, ep));
  names.list = list;
  names.listChains = chains;
  return chains;
}
