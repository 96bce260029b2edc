// `lab check`: build the lab for one node's state, program the same rule text the emulator reads
// into the node namespace, and compare per target what the emulator predicts with what real
// connections from the client namespace do. Bounded: at most `connections` connections per target
// (500 at most), a short pilot first so a target that drops everything costs seconds, not minutes,
// and a time budget for the whole run.
import type { Dataplane } from '../../dataplane/dataplane.js';
import type { Packet } from '../../dataplane/packet.js';
import { LabError } from '../../errors.js';
import type { ProxyState } from '../../proxy/state.js';
import { applyIptables } from '../apply-iptables.js';
import { isRoot } from '../exec.js';
import { flushConntrack } from '../netns.js';
import { applyNft, findExecutable } from '../nft-apply.js';
import { probe } from '../probe.js';
import { labSpecFromState } from '../spec.js';
import { createLab, type Lab } from '../topology.js';
import { type Comparison, compare, isAnswer, type Observation, type Prediction } from './compare.js';
import { predict } from './predict.js';
import { type CheckTarget, checkTargets } from './targets.js';

export type CheckMode = 'iptables' | 'nftables';

export interface LabCheckOptions {
  readonly mode: CheckMode;
  /** The node's state (one family: IPv4), for the lab's addresses and the targets. */
  readonly state: ProxyState;
  /** The rule text loaded into the kernel and read by the emulator (iptables: with the jumps). */
  readonly payload: string;
  /**
   * What the kernel is programmed with, when it is not `payload` (the check of a node dump against
   * the rules it should hold; tests use it to prove a difference is caught).
   */
  readonly kernelPayload?: string;
  /** Connections per target (1..500). */
  readonly connections: number;
  /** The whole run's budget, ms (default 10 minutes). */
  readonly budgetMs?: number;
}

export interface CheckRow {
  readonly target: CheckTarget;
  readonly predicted: Prediction;
  readonly observed: Observation;
  readonly comparison: Comparison;
}

export const MAX_CONNECTIONS = 500;
const PILOT = 5;

/** The emulator for `mode`, parsed once; each call gives a dataplane with empty state. */
async function emulator(mode: CheckMode, text: string, localAddresses: readonly string[]): Promise<() => Dataplane> {
  if (mode === 'iptables') {
    const { parseIptables } = await import('../../dataplane/iptables/parse.js');
    const { IptablesDataplane } = await import('../../dataplane/iptables/evaluate.js');
    const ruleset = parseIptables(text);
    return () => new IptablesDataplane(ruleset, { localAddresses });
  }
  const { parseNftText } = await import('../../dataplane/nftables/parse-text.js');
  const { parseNftJson } = await import('../../dataplane/nftables/parse-json.js');
  const { NftablesDataplane } = await import('../../dataplane/nftables/evaluate.js');
  const ruleset = text.trimStart().startsWith('{') ? parseNftJson(text) : parseNftText(text);
  return () => new NftablesDataplane(ruleset, { localAddresses });
}

async function observe(lab: Lab, t: CheckTarget, connections: number, deadline: number): Promise<Observation> {
  await flushConntrack(lab.node);
  const req = { target: t.ip, port: t.port, protocol: t.protocol } as const;
  const pilot = await probe(lab.client, { ...req, count: Math.min(PILOT, connections), timeoutMs: 1500 });
  let outcomes = pilot.outcomes;
  let peers = pilot.peers;
  if (connections > PILOT && !outcomes.every((o) => o === 'TIMEOUT')) {
    if (Date.now() > deadline) throw budgetError();
    const rest = await probe(lab.client, { ...req, count: connections - PILOT, timeoutMs: 3000 });
    outcomes = [...outcomes, ...rest.outcomes];
    peers = [...peers, ...rest.peers];
  }
  const counts = new Map<string, number>();
  let masqueraded = 0;
  let kept = 0;
  outcomes.forEach((o, i) => {
    counts.set(o, (counts.get(o) ?? 0) + 1);
    if (!isAnswer(o)) return;
    if (peers[i] === lab.clientIPv4) kept++;
    else masqueraded++;
  });
  return { counts, masqueraded, kept };
}

function budgetError(): LabError {
  return new LabError(
    'lab check',
    undefined,
    'the time budget ran out before every target was probed',
    'check fewer connections per target, or a smaller input',
  );
}

/** Root and the tools, before anything is built (a LabError saying what is missing). */
async function requireKernel(mode: CheckMode): Promise<void> {
  if (!isRoot())
    throw new LabError(
      'lab check',
      undefined,
      'not root',
      'run as root: the lab creates network namespaces (CAP_NET_ADMIN)',
    );
  const tools = ['ip', 'conntrack', mode === 'iptables' ? 'iptables-restore' : 'nft'];
  const missing = tools.filter((t) => findExecutable(t) === undefined);
  if (missing.length > 0)
    throw new LabError(
      'lab check',
      undefined,
      `missing ${missing.join(', ')}`,
      'install the Debian packages iproute2, conntrack and iptables or nftables',
    );
}

export async function labCheck(options: LabCheckOptions): Promise<CheckRow[]> {
  const { state, mode, payload } = options;
  if (state.family !== 'IPv4') throw new LabError('lab check', undefined, 'only IPv4 is checked', 'give an IPv4 state');
  const connections = Math.max(1, Math.min(MAX_CONNECTIONS, Math.floor(options.connections)));
  const deadline = Date.now() + (options.budgetMs ?? 600_000);
  const nodeIPs = state.config.nodeIPs.IPv4;
  const fresh = await emulator(mode, payload, nodeIPs);
  const spec = labSpecFromState(state);
  const ctx = {
    local: new Set(nodeIPs),
    served: new Set(spec.endpoints.map((e) => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`))),
  };
  const targets = checkTargets(state);
  await requireKernel(mode);
  const lab = await createLab(spec);
  try {
    const kernel = options.kernelPayload ?? payload;
    if (mode === 'iptables') await applyIptables(lab.node, kernel);
    else await applyNft(lab.node, kernel);
    const rows: CheckRow[] = [];
    for (const target of targets) {
      if (Date.now() > deadline) throw budgetError();
      const packet: Packet = {
        proto: target.protocol === 'TCP' ? 'tcp' : 'udp',
        src: lab.clientIPv4,
        sport: 40000,
        dst: target.ip,
        dport: target.port,
        hook: 'prerouting',
        inIface: 'toclient',
      };
      const predicted = predict(fresh, packet, connections, ctx);
      const observed = await observe(lab, target, connections, deadline);
      rows.push({ target, predicted, observed, comparison: compare(predicted, observed) });
    }
    return rows;
  } finally {
    await lab.close();
  }
}
