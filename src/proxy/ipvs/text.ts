// Text encodings: `ipvsadm-save -n` lines, `ipset save` lines, and the change lines of a partial sync.
import type { IPFamily } from '../../cluster/types.js';
import { type SetInfo, setName } from './ipsets.js';
import type { RealServer, VirtualServer } from './model.js';

const PROTO_FLAG: Record<string, string> = { TCP: '-t', UDP: '-u', SCTP: '--sctp-service' };
export const PROTO_ORDER: Record<string, number> = { TCP: 6, UDP: 17, SCTP: 132 };

export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export function vsId(vs: VirtualServer): string {
  return `${PROTO_FLAG[vs.protocol]} ${hostPort(vs.address, vs.port)}`;
}

export function vsLine(op: '-A' | '-E', vs: VirtualServer): string {
  let s = `${op} ${vsId(vs)} -s ${vs.scheduler}`;
  // "mh" gets IP_VS_SVC_F_SCHED_MH_PORT (upstream's FlagSourceHash, 0x10).
  if (vs.scheduler === 'mh') s += ' -b mh-port';
  if (vs.persistenceTimeout !== null) s += ` -p ${vs.persistenceTimeout}`;
  return s;
}

export function rsLine(op: '-a' | '-e', vs: VirtualServer, rs: RealServer): string {
  return `${op} ${vsId(vs)} -r ${hostPort(rs.address, rs.port)} -m -w ${rs.weight}`;
}

const keyCache = new Map<string, string>();

/** A sortable key of an address: IPv4 as 8 hex digits, IPv6 fully expanded (cached: addresses repeat). */
export function addressKey(address: string): string {
  let k = keyCache.get(address);
  if (k === undefined) {
    if (keyCache.size > 1_000_000) keyCache.clear();
    k = computeAddressKey(address);
    keyCache.set(address, k);
  }
  return k;
}

function computeAddressKey(address: string): string {
  if (!address.includes(':')) {
    const p = address.split('.');
    return p.map((x) => Number(x).toString(16).padStart(2, '0')).join('');
  }
  const [head, tail] = address.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return `~${groups.map((g) => g.padStart(4, '0')).join('')}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** ipvsadm's order: protocol, address, port. */
export function compareVS(a: VirtualServer, b: VirtualServer): number {
  return (
    PROTO_ORDER[a.protocol]! - PROTO_ORDER[b.protocol]! ||
    cmp(addressKey(a.address), addressKey(b.address)) ||
    a.port - b.port
  );
}

export function compareRS(a: RealServer, b: RealServer): number {
  return cmp(addressKey(a.address), addressKey(b.address)) || a.port - b.port;
}

export function renderIpvsadmSave(virtualServers: readonly VirtualServer[]): string {
  const out: string[] = [];
  for (const vs of [...virtualServers].sort(compareVS)) {
    out.push(vsLine('-A', vs));
    for (const rs of [...vs.realServers].sort(compareRS)) out.push(rsLine('-a', vs, rs));
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

export function createLine(info: SetInfo, family: IPFamily): string {
  const name = setName(info.name, family);
  if (info.type === 'bitmap:port') return `create ${name} bitmap:port range 0-65535`;
  return `create ${name} ${info.type} family ${family === 'IPv4' ? 'inet' : 'inet6'} hashsize 1024 maxelem 65536`;
}

/** ipset's member order for printing: ports numerically, others by address then text. */
export function compareMembers(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  const ia = a.indexOf(',');
  const ib = b.indexOf(',');
  const ka = addressKey(ia < 0 ? a : a.slice(0, ia));
  const kb = addressKey(ib < 0 ? b : b.slice(0, ib));
  return cmp(ka, kb) || cmp(a, b);
}
