// What a per-service chain belongs to, as a person reads it: "ns/name:port" for a service port's
// chains, "ns/name:port -> ip:port" for an endpoint's. From the chain's own comments when the dump
// kept them, from its readable name in nftables, else from kube-proxy's chain-name hash computed
// over the cluster's service ports and endpoints.
import { hash16 } from '../proxy/iptables/names.js';
import type { Endpoint, ServicePortInfo } from '../proxy/types.js';
import type { DeclaredChain } from './ruleset.js';

const COMMENT = /--comment (?:"([^"]*)"|(\S+))/g;
const SERVICE_WORD = /^[a-z0-9][a-z0-9.-]*\/[a-z0-9][a-z0-9.-]*(?::[^\s]*)?$/;
const TO = /--to-destination (\S+)/;

/** Every chain name kube-proxy (any version) would give the cluster's service ports and endpoints. */
export function hashLabels(
  ports: readonly ServicePortInfo[],
  endpointsOf: (port: ServicePortInfo) => readonly Endpoint[],
): Map<string, string> {
  const out = new Map<string, string>();
  for (const port of ports) {
    const proto = port.protocol.toLowerCase();
    const h = hash16(port.name + proto);
    for (const prefix of ['SVC', 'SVL', 'EXT', 'FW', 'XLB']) out.set(`KUBE-${prefix}-${h}`, port.name);
    for (const ep of endpointsOf(port))
      out.set(`KUBE-SEP-${hash16(port.name + proto + ep.endpoint)}`, `${port.name} -> ${ep.endpoint}`);
  }
  return out;
}

/** The service port named by a chain's comments, and the endpoint of its DNAT rule if any. */
function fromComments(chain: DeclaredChain): string | undefined {
  let name: string | undefined;
  let to: string | undefined;
  for (const r of chain.rules) {
    if (name === undefined)
      for (const m of r.text.matchAll(COMMENT)) {
        const words = (m[1] ?? m[2] ?? '').split(/\s+/);
        name = words.find((w) => SERVICE_WORD.test(w));
        if (name) break;
      }
    to ??= TO.exec(r.text)?.[1];
  }
  if (name === undefined) return undefined;
  return chain.chain.startsWith('KUBE-SEP-') && to ? `${name} -> ${to}` : name;
}

/** nftables names are readable: "endpoint-HASH8-ns/name/tcp/port__10.0.0.1/80". */
function fromNftName(chain: string): string | undefined {
  const m =
    /^(?:service|local|external|endpoint|firewall)-[A-Z2-7]{8}-([^/]+)\/([^/]+)\/[a-z]+\/([^_]*)(?:__(.+)\/(\d+))?$/.exec(
      chain,
    );
  if (!m) return undefined;
  const name = m[3] ? `${m[1]}/${m[2]}:${m[3]}` : `${m[1]}/${m[2]}`;
  if (m[4] === undefined) return name;
  const ip = m[4].includes('.') && m[4].split('.').length > 4 ? m[4].replaceAll('.', ':') : m[4];
  return `${name} -> ${ip.includes(':') ? `[${ip}]` : ip}:${m[5]}`;
}

export type LabelSource = 'comment' | 'name' | 'hash';

export function labelOf(
  chain: DeclaredChain,
  hashes: ReadonlyMap<string, string> | undefined,
): { label: string; source: LabelSource } | undefined {
  const named = fromNftName(chain.chain);
  if (named) return { label: named, source: 'name' };
  const commented = fromComments(chain);
  if (commented) return { label: commented, source: 'comment' };
  const hashed = hashes?.get(chain.chain);
  return hashed ? { label: hashed, source: 'hash' } : undefined;
}

/** "ns/name:port" of a label ("ns/name:port -> ip:port" for endpoints). */
export function servicePortOfLabel(label: string): string {
  const at = label.indexOf(' -> ');
  return at < 0 ? label : label.slice(0, at);
}
