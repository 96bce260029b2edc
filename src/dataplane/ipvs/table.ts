// The virtual-server table as data (what `ipvsadm-save -n` shows), independent of the renderer,
// and a parser of `ipvsadm-save -n` text so dumps can be read too.
import { ruleParseError } from '../source.js';

export interface Destination {
  /** "ip:port" ("[ip]:port" for IPv6). */
  readonly server: string;
  readonly address: string;
  readonly port: number;
  readonly weight: number;
}

export interface VirtualService {
  /** "-t 10.0.0.1:80" style: protocol flag and address. */
  readonly id: string;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  readonly address: string;
  readonly port: number;
  readonly scheduler: string;
  readonly persistenceTimeout: number | null;
  /** Scheduler flags (-b), e.g. "sh-port", "mh-port". */
  readonly flags: readonly string[];
  /** Its -A line in the text (1-based). */
  readonly line: number;
  /** In table order: the kernel's list order, which rr/wrr/sh walk. */
  readonly destinations: readonly Destination[];
}

export type VirtualServerTable = ReadonlyMap<string, VirtualService>;

const PROTOCOLS: Record<string, VirtualService['protocol']> = { '-t': 'TCP', '-u': 'UDP', '--sctp-service': 'SCTP' };

function splitHostPort(s: string, fail: (problem: string) => never): { address: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s);
  if (!m || Number(m[2]) > 65535) fail(`${JSON.stringify(s)} is not ADDR:PORT`);
  return { address: m![1]!, port: Number(m![2]) };
}

/** Parse `ipvsadm-save -n` text (-A service lines, each followed by its -a destination lines). */
export function parseIpvsadmSave(text: string): VirtualServerTable {
  const table = new Map<string, VirtualService & { destinations: Destination[] }>();
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fail = (problem: string): never => {
      throw ruleParseError(lines, i + 1, raw.indexOf(line) + 1, `ipvsadm-save: ${problem}`);
    };
    const w = line.split(/\s+/);
    const protocol = PROTOCOLS[w[1] ?? ''];
    if (!protocol || !w[2]) return fail('expected -A|-a -t|-u|--sctp-service ADDR:PORT');
    const id = `${w[1]} ${w[2]}`;
    const opt = (flag: string) => {
      const k = w.indexOf(flag);
      return k >= 0 ? w[k + 1] : undefined;
    };
    if (w[0] === '-A') {
      const { address, port } = splitHostPort(w[2]!, fail);
      const p = opt('-p');
      table.set(id, {
        id,
        line: i + 1,
        protocol,
        address,
        port,
        scheduler: opt('-s') ?? 'wlc',
        persistenceTimeout: p === undefined ? (w.includes('-p') ? 300 : null) : Number(p),
        flags: (opt('-b') ?? '').split(',').filter(Boolean),
        destinations: [],
      });
    } else if (w[0] === '-a') {
      const vs = table.get(id);
      const server = opt('-r');
      if (!vs || !server) return fail(`a destination of an unknown service ${id}`);
      const { address, port } = splitHostPort(server, fail);
      const weight = Number(opt('-w') ?? 1);
      if (!Number.isInteger(weight) || weight < 0) fail(`weight ${opt('-w')} is not a whole number`);
      vs.destinations.push({ server, address, port, weight });
    } else fail(`unknown command ${w[0]}`);
  });
  return table;
}
