// IPVS mode as the kernel runs it: the companion iptables rules (with typed ipsets) walked in hook
// order, and the virtual-server table consulted where ip_vs hooks in (LOCAL_IN for packets to a
// local address, LOCAL_OUT for the node's own), scheduling with the emulated kernel schedulers.
// Traced connections are short: each ends as it is traced and lingers as an inactive connection
// for TCP's TIME_WAIT (what lc/wlc count), and persistence templates expire on the emulated clock.
import { type Address, hostPort, parseAddress } from '../address.js';
import type { Clock } from '../clock.js';
import { EmulatedClock } from '../clock.js';
import type { Dataplane, LoadOptions } from '../dataplane.js';
import { IptablesDataplane, type IpvsDecision, type IpvsHook } from '../iptables/evaluate.js';
import { parseIptables } from '../iptables/parse.js';
import type { Chooser, Packet, Trace } from '../packet.js';
import { splitIpvsDump } from './dump.js';
import { IpvsEmulator } from './emulate.js';
import { parseIpsetSave } from './ipset.js';
import { parseIpvsadmSave, type VirtualServerTable, type VirtualService } from './table.js';

/** ip_vs's TCP TIME_WAIT timeout: how long a closed connection still counts as inactive. */
const LINGER_SECONDS = 120;
const PROTO: Record<string, string> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };
/**
 * The long-run share over many short connections from one client: equal for rr and lc (lc through
 * the lingering inactive counts), by weight for wrr and wlc (and sh hashing the source port too).
 * sed and nq read only active counts, which short connections leave at 0: one server takes all.
 */
const EQUAL = new Set(['rr', 'lc']);
const BY_WEIGHT = new Set(['wrr', 'wlc']);

export class IpvsDataplane implements Dataplane {
  private readonly inner: IptablesDataplane;
  private emulator: IpvsEmulator;
  private readonly clock: Clock;
  /** "tcp 10.96.0.1 443" -> the virtual service (addresses in canonical text). */
  private readonly byKey = new Map<string, VirtualService>();
  readonly notes: readonly string[];

  private readonly table: VirtualServerTable;

  constructor(text: string, options: LoadOptions) {
    const parts = splitIpvsDump(text);
    const table = parseIpvsadmSave(parts.ipvs);
    this.table = table;
    const sets = parseIpsetSave(parts.ipset);
    const notes: string[] = [];
    for (const vs of table.values()) {
      const a = parseAddress(vs.address);
      if (a) this.byKey.set(`${PROTO[vs.protocol]} ${a.text} ${vs.port}`, vs);
    }
    // kube-ipvs0 holds every service address; without that part, KUBE-IPVS-IPS says the same.
    let bound: readonly string[] = parts.addresses;
    if (!parts.hasAddressPart) {
      const ips = sets.get('KUBE-IPVS-IPS') ?? sets.get('KUBE-6-IPVS-IPS');
      bound = ips?.members ?? [];
      if (table.size > 0)
        notes.push('no kube-ipvs0 addresses given: the KUBE-IPVS-IPS members stand in as local addresses');
    }
    this.notes = notes;
    this.clock = options.clock ?? new EmulatedClock();
    this.emulator = new IpvsEmulator(table, { lingerSeconds: LINGER_SECONDS });
    const hook: IpvsHook = { lookup: (p, commit) => this.decide(p, commit) };
    this.inner = new IptablesDataplane(parseIptables(parts.iptables), {
      localAddresses: [...options.localAddresses, ...bound],
      clock: this.clock,
      sets,
      ipvs: hook,
      jumps: 'ipvs',
    });
  }

  private lookup(proto: string, dst: string, dport: number): VirtualService | undefined {
    const a: Address | undefined = parseAddress(dst);
    return a ? this.byKey.get(`${proto} ${a.text} ${dport}`) : undefined;
  }

  private decide(
    p: { proto: string; src: string; sport: number; dst: string; dport: number },
    commit: boolean,
  ): IpvsDecision | undefined {
    const vs = this.lookup(p.proto, p.dst, p.dport);
    if (!vs) return undefined;
    const now = this.clock.now();
    const server = this.emulator.connect(
      { service: vs.id, client: { address: p.src, port: p.sport }, start: now, end: now },
      !commit,
    );
    const dest = server === null ? undefined : vs.destinations.find((d) => d.server === server);
    const persist = vs.persistenceTimeout === null ? '' : ` -p ${vs.persistenceTimeout}`;
    const head = `virtual service ${vs.id} -s ${vs.scheduler}${persist}`;
    return {
      server: dest ? { host: parseAddress(dest.address)?.text ?? dest.address, port: dest.port } : null,
      vaddr: vs.address,
      vproto: PROTO[vs.protocol]!,
      vport: vs.port,
      line: vs.line,
      text: dest
        ? `${head}: scheduled to ${dest.server} (weight ${dest.weight})`
        : `${head}: no destination available, ICMP port unreachable (ip_vs_leave)`,
    };
  }

  trace(packet: Packet, chooser: Chooser, commit = true, record = true): Trace {
    const t = this.inner.trace(packet, chooser, commit, record);
    return this.notes.length ? { ...t, notes: [...t.notes, ...this.notes] } : t;
  }

  /** Forgets conntrack entries and the IPVS connection table (templates and counts too). */
  flushConntrack(): void {
    this.inner.flushConntrack();
    this.emulator = new IpvsEmulator(this.table, { lingerSeconds: LINGER_SECONDS });
  }

  /**
   * Where many new connections like `packet` (one client, new source ports) go: by weight for the
   * weighted round-robin and least-connection families; all to one server where the choice hangs
   * on the client address (sh, dh, a persistence template) or on the table's memory (lc's first
   * idle server, lblc, lblcr): that is the server the next connection gets.
   */
  expectedSplit(packet: Packet): Map<string, number> {
    const first = this.inner.trace(packet, { chance: () => false, pick: () => 0 }, false, false);
    const key = first.endpoint ?? first.verdict;
    const vs = this.lookup(packet.proto, packet.dst, packet.dport);
    if (!first.endpoint || !vs || vs.persistenceTimeout !== null) return new Map([[key, 1]]);
    const equal = EQUAL.has(vs.scheduler);
    const weighted = BY_WEIGHT.has(vs.scheduler) || (vs.scheduler === 'sh' && vs.flags.includes('sh-port'));
    const live = vs.destinations.filter((d) => d.weight > 0);
    if (!(equal || weighted) || live.length === 0) return new Map([[key, 1]]);
    const share = (w: number) => (equal ? 1 : w);
    const total = live.reduce((n, d) => n + share(d.weight), 0);
    const out = new Map<string, number>();
    for (const d of live) {
      const k = hostPort(parseAddress(d.address)?.text ?? d.address, d.port);
      out.set(k, (out.get(k) ?? 0) + share(d.weight) / total);
    }
    return out;
  }
}
