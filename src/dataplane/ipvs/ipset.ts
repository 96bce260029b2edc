// `ipset save` text into typed sets, and the lookup `-m set --match-set NAME DIRS` does on them:
// each member element is read from the packet field its direction names (an address, a
// proto:port, or a net containing the address), as the kernel's hash:ip,port,net and friends do.

import { type Address, type Cidr, cidrHas, parseAddress, parseCidr } from '../address.js';
import type { SetFields, SetMatcher } from '../iptables/evaluate.js';
import { ruleParseError } from '../source.js';

export type IpsetType = 'hash:ip' | 'hash:ip,port' | 'hash:ip,port,ip' | 'hash:ip,port,net' | 'bitmap:port';

const TYPES = new Set<string>(['hash:ip', 'hash:ip,port', 'hash:ip,port,ip', 'hash:ip,port,net', 'bitmap:port']);

export interface Ipset extends SetMatcher {
  readonly name: string;
  readonly type: IpsetType;
  readonly family: 'inet' | 'inet6';
  /** Members as `ipset save` prints them, in file order. */
  readonly members: readonly string[];
}

class TypedSet implements Ipset {
  readonly members: string[] = [];
  /** Exact keys ("10.0.0.1", "10.0.0.1,tcp:80", "10.0.0.1,tcp:80,10.0.0.2", "30080"). */
  private readonly keys = new Set<string>();
  /** hash:ip,port,net: "ip,proto:port" -> the nets. */
  private readonly nets = new Map<string, Cidr[]>();

  constructor(
    readonly name: string,
    readonly type: IpsetType,
    readonly family: 'inet' | 'inet6',
  ) {}

  /** Adds a member in `ipset save` spelling; false when it does not fit the set's type. */
  add(member: string): boolean {
    const parts = member.split(',');
    const arity = this.type === 'bitmap:port' ? 1 : this.type.split(',').length;
    if (parts.length !== arity) return false;
    if (this.type === 'bitmap:port') {
      if (!/^\d{1,5}$/.test(member) || Number(member) > 65535) return false;
      this.keys.add(String(Number(member)));
    } else {
      const ip = parseAddress(parts[0]!);
      if (!ip || ip.v6 !== (this.family === 'inet6')) return false;
      let key = ip.text;
      if (arity >= 2) {
        const pp = /^(tcp|udp|sctp):(\d{1,5})$/.exec(parts[1]!);
        if (!pp || Number(pp[2]) > 65535) return false;
        key += `,${pp[1]}:${Number(pp[2])}`;
      }
      if (this.type === 'hash:ip,port,net') {
        const net = parseCidr(parts[2]!);
        if (!net || net.v6 !== ip.v6) return false;
        const list = this.nets.get(key) ?? [];
        list.push(net);
        this.nets.set(key, list);
      } else if (arity === 3) {
        const ip2 = parseAddress(parts[2]!);
        if (!ip2 || ip2.v6 !== ip.v6) return false;
        key += `,${ip2.text}`;
      }
      if (this.type !== 'hash:ip,port,net') this.keys.add(key);
    }
    this.members.push(member);
    return true;
  }

  has(dirs: readonly ('src' | 'dst')[], f: SetFields): boolean {
    const addr = (i: number): Address => (dirs[i] === 'src' ? f.src : f.dst);
    const port = (i: number): number => (dirs[i] === 'src' ? f.sport : f.dport);
    if (this.type === 'bitmap:port') return this.keys.has(String(port(0)));
    const a = addr(0);
    if (a.v6 !== (this.family === 'inet6')) return false;
    if (this.type === 'hash:ip') return this.keys.has(a.text);
    // With fewer directions than elements the set is matched on the first ones only; kube-proxy
    // always names them all.
    const pp = `${a.text},${f.proto}:${port(1)}`;
    if (this.type === 'hash:ip,port') return this.keys.has(pp);
    if (this.type === 'hash:ip,port,ip') return this.keys.has(`${pp},${addr(2).text}`);
    return (this.nets.get(pp) ?? []).some((n) => cidrHas(n, addr(2)));
  }
}

/** Parses `ipset save` output (create / add lines). Anything else is an error naming its line. */
export function parseIpsetSave(text: string): Map<string, Ipset> {
  const lines = text.split('\n');
  const sets = new Map<string, TypedSet>();
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const w = line.split(/\s+/);
    const fail = (problem: string): never => {
      throw ruleParseError(lines, i + 1, raw.indexOf(line) + 1, problem);
    };
    if (w[0] === 'create') {
      const [, name, type] = w;
      if (!name || !type) fail('create needs a set name and a type');
      if (!TYPES.has(type!)) fail(`ipset type ${type} is not supported`);
      const fam = w.indexOf('family');
      const family = fam >= 0 ? w[fam + 1] : 'inet';
      if (family !== 'inet' && family !== 'inet6') fail(`family ${family} is not inet or inet6`);
      sets.set(name!, new TypedSet(name!, type as IpsetType, family as 'inet' | 'inet6'));
    } else if (w[0] === 'add') {
      const set = sets.get(w[1] ?? '');
      if (!set) fail(`add to set ${w[1] ?? '(none)'}, which no create line before it made`);
      if (!w[2] || !set!.add(w[2])) fail(`${w[2] ?? '(no member)'} is not a member of a ${set!.type} set`);
    } else fail(`expected an ipset save line (create or add), got ${w[0]}`);
  });
  return sets;
}
