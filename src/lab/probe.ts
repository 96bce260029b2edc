// The lab client: N bounded connections (TCP) or request/response datagrams (UDP) from the client
// namespace to one destination, each on a fresh socket (a new conntrack entry), reporting which
// endpoint answered, or that the connection was refused or timed out. One process per probe.
import type { IPFamily } from '../cluster/types.js';
import { inNetns } from './netns.js';

export interface ProbeRequest {
  target: string;
  port: number;
  protocol: 'TCP' | 'UDP';
  /** How many connections (bounded: at most 500). */
  count: number;
  /** Per-connection timeout in ms (default 1000). */
  timeoutMs?: number;
  /** Source address to bind (one of the client's addresses). */
  source?: string;
}

export type ProbeOutcome = string; // "ip:port" of the answering endpoint, "REFUSED", "TIMEOUT", or "ERROR:<code>"

export interface ProbeResult {
  outcomes: ProbeOutcome[];
  /** Per attempt, the source address the endpoint saw ("" when nothing answered). */
  peers: string[];
  /** Wall time of each attempt, ms. */
  ms: number[];
}

export const PROBE_SOURCE = `
import net from 'node:net';
import dgram from 'node:dgram';
const req = JSON.parse(process.argv[1]);
const timeout = req.timeoutMs ?? 1000;
function tcp() {
  return new Promise((resolve) => {
    let data = '';
    let done = false;
    const finish = (v) => { if (!done) { done = true; clearTimeout(t); sock.destroy(); resolve(v); } };
    const sock = net.connect({ host: req.target, port: req.port, ...(req.source ? { localAddress: req.source } : {}) });
    const t = setTimeout(() => finish('TIMEOUT'), timeout);
    sock.on('data', (d) => { data += d; });
    sock.on('end', () => finish(data.trim() || 'EMPTY'));
    sock.on('error', (e) => finish(e.code === 'ECONNREFUSED' ? 'REFUSED' : 'ERROR:' + e.code));
  });
}
function udp() {
  return new Promise((resolve) => {
    const sock = dgram.createSocket(req.target.includes(':') ? 'udp6' : 'udp4');
    let done = false;
    const finish = (v) => { if (!done) { done = true; clearTimeout(t); try { sock.close(); } catch {} resolve(v); } };
    const t = setTimeout(() => finish('TIMEOUT'), timeout);
    sock.on('message', (m) => finish(String(m).trim()));
    sock.on('error', (e) => finish(e.code === 'ECONNREFUSED' ? 'REFUSED' : 'ERROR:' + e.code));
    sock.bind({ port: 0, ...(req.source ? { address: req.source } : {}) }, () => {
      sock.connect(req.port, req.target, (err) => {
        if (err) return finish('ERROR:' + err.code);
        sock.send('probe');
      });
    });
  });
}
const outcomes = [];
const ms = [];
for (let i = 0; i < Math.min(req.count, 500); i++) {
  const t0 = performance.now();
  outcomes.push(await (req.protocol === 'UDP' ? udp() : tcp()));
  ms.push(Math.round(performance.now() - t0));
}
const peers = outcomes.map((o) => (o.includes(' from ') ? o.slice(o.indexOf(' from ') + 6) : ''));
process.stdout.write(JSON.stringify({ outcomes: outcomes.map((o) => o.split(' from ')[0]), peers, ms }));
`;

export async function probe(clientNetns: string, req: ProbeRequest): Promise<ProbeResult> {
  const count = Math.min(Math.max(1, Math.floor(req.count)), 500);
  const timeoutMs = req.timeoutMs ?? 1000;
  const r = await inNetns(
    clientNetns,
    process.execPath,
    ['--input-type=module', '-e', PROBE_SOURCE, JSON.stringify({ ...req, count, timeoutMs })],
    { timeout: count * (timeoutMs + 500) + 5000, hint: 'the probe client failed inside the client namespace' },
  );
  return JSON.parse(r.stdout) as ProbeResult;
}

/** The distinct endpoints that answered. */
export function reached(result: ProbeResult): Set<string> {
  return new Set(
    result.outcomes.filter((o) => o !== 'REFUSED' && o !== 'TIMEOUT' && !o.startsWith('ERROR:') && o !== 'EMPTY'),
  );
}

export type { IPFamily };
