// `kubeplane drift`: a node's dump against the rules kube-proxy should have programmed for it,
// compared by meaning per service port. Both texts go through the same evaluator with the same
// connections (probes.ts); chains of the dump that no connection reaches are reported apart.
import type { IPFamily } from '../cluster/types.js';
import type { Packet } from '../dataplane/index.js';
import type { Endpoint, ServicePortInfo } from '../proxy/types.js';
import { affinityTimeout, branch, endpointCount, sticksAfter } from './affinity.js';
import { AFFINITY_TEXT, type Behaviour, observe } from './behaviour.js';
import { labelOf, servicePortOfLabel } from './chain-labels.js';
import { compareBehaviours } from './compare.js';
import { type ProbeContext, podSource, probesFor } from './probes.js';
import {
  type DriftReport,
  linesOf,
  type Problem,
  type ProblemLine,
  type ServiceDrift,
  type UnknownChain,
} from './problems.js';
import { type DriftMode, type LoadedRules, loadRules } from './ruleset.js';
import { recognisedShapes } from './shapes.js';

export interface DriftInput {
  readonly mode: DriftMode;
  /** What kube-proxy should have programmed (rendered from the cluster for the node). */
  readonly expected: string;
  /** The node's dump (iptables-save, nft list ruleset, nft -j list ruleset). */
  readonly actual: string;
  /** The service ports rendered into `expected`, of every family in it. */
  readonly ports: readonly ServicePortInfo[];
  readonly endpointsOf: (port: ServicePortInfo) => readonly Endpoint[];
  readonly contexts: Readonly<Record<IPFamily, ProbeContext>>;
  readonly localAddresses: readonly string[];
  /** Chain name -> label from kube-proxy's hashes (chain-labels.ts hashLabels). */
  readonly hashes?: ReadonlyMap<string, string>;
}

export interface DriftResult extends DriftReport {
  /** Older or newer kube-proxy rule shapes recognised in the dump, in words. */
  readonly shapes: string[];
}

/** A longest affinity timeout looked for (kube-proxy's maximum is 86400 s). */
const MAX_TIMEOUT = 2 ** 18;

class ProblemSet {
  private readonly byService = new Map<string, Map<string, Problem>>();
  add(service: string, p: Problem): void {
    let m = this.byService.get(service);
    if (!m) this.byService.set(service, (m = new Map()));
    const key = `${p.kind}\u0000${p.expected}\u0000${p.actual}`;
    const had = m.get(key);
    if (!had) m.set(key, { ...p, lines: [...p.lines] });
    else for (const l of p.lines) if (!had.lines.some((x) => x.side === l.side && x.line === l.line)) had.lines.push(l);
  }
  services(): ServiceDrift[] {
    return [...this.byService]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([service, m]) => ({
        service,
        problems: [...m.values()].map((p) => ({
          ...p,
          lines: p.lines.sort((x, y) => (x.side === y.side ? x.line - y.line : x.side === 'expected' ? -1 : 1)),
        })),
      }));
  }
}

export function drift(input: DriftInput): DriftResult {
  const actual = loadRules(input.mode, input.actual, input.localAddresses);
  const expected = loadRules(input.mode, input.expected, input.localAddresses);
  const problems = new ProblemSet();
  const reached = new Set<string>();
  let fresh = 0;
  for (const port of input.ports) {
    const ctx = input.contexts[port.family];
    const probes = probesFor(port, ctx);
    for (const probe of probes) {
      const e = observe(expected.dp, probe.packet);
      const a = observe(actual.dp, probe.packet);
      for (const c of a.chains) reached.add(c);
      for (const p of compareBehaviours(probe, e, a)) problems.add(port.name, p);
      // Affinity is checked on the first probe (the cluster IP): it is kept per service port.
      if (probe === probes[0] && (port.sessionAffinity === 'ClientIP' || a.mentionsAffinity)) {
        const next = () =>
          fresh++ < 60000
            ? (podSource(ctx, 16 + fresh) ?? outsideSource(port.family, fresh))
            : outsideSource(port.family, fresh);
        const p = checkAffinity(port, probe.packet, expected, actual, next);
        if (p) problems.add(port.name, { ...p, lines: affinityLines(a) });
      }
    }
  }
  const declared = new Set(expected.chains.map((c) => c.chain));
  const known = new Set(input.ports.map((p) => p.name));
  const unknownChains: UnknownChain[] = [];
  for (const c of actual.chains) {
    if (reached.has(c.chain) || declared.has(c.chain)) continue;
    const label = labelOf(c, input.hashes)?.label;
    const service = label === undefined ? undefined : servicePortOfLabel(label);
    if (service !== undefined && known.has(service))
      problems.add(service, {
        kind: 'extra-chain',
        expected: 'absent',
        actual: `${c.chain} (${c.table})${label === service ? '' : `: ${label}`}`,
        lines: [
          { side: 'actual' as const, line: c.line, text: `chain ${c.chain}` },
          ...c.rules.map((r) => ({ side: 'actual' as const, line: r.line, text: r.text })),
        ].filter((l) => l.line > 0),
      });
    else unknownChains.push({ chain: c.chain, table: c.table, line: c.line, ...(label ? { label } : {}) });
  }
  const services = problems.services();
  return {
    drift: services.length > 0 || unknownChains.length > 0,
    services,
    unknownChains,
    shapes: recognisedShapes(input.mode, input.actual),
  };
}

function outsideSource(family: IPFamily, n: number): string {
  return family === 'IPv4' ? `198.18.${(n >> 8) & 255}.${n & 255}` : `2001:db8:ffff::${n.toString(16)}`;
}

function affinityLines(b: Behaviour): ProblemLine[] {
  const steps = [...b.ways.values()].flatMap((w) => w.steps.filter((s) => AFFINITY_TEXT.test(s.text)));
  const seen = new Set<number>();
  return linesOf(
    'actual',
    steps.filter((s) => !seen.has(s.line) && seen.add(s.line) !== undefined),
  ).sort((x, y) => x.line - y.line);
}

function checkAffinity(
  port: ServicePortInfo,
  packet: Packet,
  expected: LoadedRules,
  actual: LoadedRules,
  next: () => string,
): Problem | undefined {
  const n = Math.min(endpointCount(expected.dp, packet), endpointCount(actual.dp, packet));
  if (n < 2) return undefined; // one endpoint: stickiness cannot show
  const want = port.sessionAffinity === 'ClientIP' ? port.stickyMaxAgeSeconds : 0;
  const words = (t: number) => (t > 0 ? `ClientIP affinity for ${t} s` : 'no affinity');
  const sticks = (delay: number, k: number) => sticksAfter(actual.dp, actual.clock, packet, next(), delay, k);
  const timeoutOf = (k: number) => {
    if (!sticks(0, k)) return 0;
    const last = affinityTimeout(actual.dp, actual.clock, packet, next, MAX_TIMEOUT, k);
    // recent --seconds T still matches at T; an nftables element with timeout T is gone at T.
    return actual.stickyAtTimeout ? last : last + 1;
  };
  // Each endpoint in turn (affinity is kept per endpoint); the expected timeout's edges first, so a
  // node that agrees costs two connections per endpoint.
  const differ: string[] = [];
  let got = want;
  for (let k = 0; k < n; k++) {
    const agrees = want === 0 ? !sticks(0, k) : sticks(want - 1, k) === true && sticks(want + 1, k) === false;
    if (agrees) continue;
    const t = timeoutOf(k);
    if (t === want) continue;
    got = t;
    differ.push(actual.dp.trace({ ...packet, src: next() }, branch(k), false, false).endpoint ?? `branch ${k + 1}`);
  }
  if (differ.length === 0) return undefined;
  const kind = (want === 0) !== (got === 0) ? 'affinity' : 'affinity-timeout';
  const which = differ.length === n ? '' : ` to ${differ.join(', ')} (of ${n} endpoints)`;
  return { kind, expected: words(want), actual: `${words(got)}${which}`, lines: [] };
}
