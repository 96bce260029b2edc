// Two behaviours for one probe, compared by meaning. Endpoints are compared as sets; probabilities
// over the endpoints both sides share, renormalised, so one endpoint missing is one problem and
// not also a change of every other endpoint's share.
import type { Behaviour, Way } from './behaviour.js';
import type { Probe } from './probes.js';
import { linesOf, type Problem } from './problems.js';

const EPSILON = 1e-6;

function pct(p: number): string {
  return `${(100 * p).toFixed(2)}%`;
}

function split(ways: readonly Way[], total: number): string {
  return ways.map((w) => `${w.key} ${pct(w.probability / total)}`).join(', ');
}

function verdicts(b: Behaviour): Way[] {
  return [...b.ways.values()].filter((w) => !w.isEndpoint).sort((x, y) => (x.key < y.key ? -1 : 1));
}

function describeVerdicts(ways: readonly Way[]): string {
  return ways.length === 0 ? 'no verdict (always DNAT)' : ways.map((w) => `${w.key} ${pct(w.probability)}`).join(', ');
}

/** Problems of one probe; endpoint problems do not name the probe, so they merge across probes. */
export function compareBehaviours(probe: Probe, expected: Behaviour, actual: Behaviour): Problem[] {
  const out: Problem[] = [];
  const eWays = [...expected.ways.values()];
  const aWays = [...actual.ways.values()];
  for (const w of eWays)
    if (w.isEndpoint && !actual.ways.has(w.key))
      out.push({ kind: 'endpoint-missing', expected: w.key, actual: 'absent', lines: linesOf('expected', w.steps) });
  for (const w of aWays)
    if (w.isEndpoint && !expected.ways.has(w.key))
      out.push({ kind: 'endpoint-extra', expected: 'absent', actual: w.key, lines: linesOf('actual', w.steps) });
  const eV = verdicts(expected);
  const aV = verdicts(actual);
  const sameVerdicts =
    eV.length === aV.length &&
    eV.every((w, i) => aV[i]!.key === w.key && Math.abs(aV[i]!.probability - w.probability) < EPSILON);
  if (!sameVerdicts)
    out.push({
      kind: 'verdict',
      expected: `${probe.what}: ${describeVerdicts(eV)}`,
      actual: `${probe.what}: ${describeVerdicts(aV)}`,
      lines: [
        ...linesOf(
          'expected',
          eV.flatMap((w) => w.steps),
        ),
        ...linesOf(
          'actual',
          aV.flatMap((w) => w.steps),
        ),
      ],
    });
  const common = eWays.filter((w) => w.isEndpoint && actual.ways.get(w.key)?.isEndpoint);
  const commonA = common.map((w) => actual.ways.get(w.key)!);
  const eTotal = common.reduce((s, w) => s + w.probability, 0);
  const aTotal = commonA.reduce((s, w) => s + w.probability, 0);
  if (
    common.length > 1 &&
    common.some((w, i) => Math.abs(w.probability / eTotal - commonA[i]!.probability / aTotal) > EPSILON)
  ) {
    const chance = /probability|numgen|--every/;
    out.push({
      kind: 'probability',
      expected: split(common, eTotal),
      actual: split(commonA, aTotal),
      lines: linesOf('actual', dedupe(commonA.flatMap((w) => w.steps.filter((s) => chance.test(s.text))))),
    });
  }
  const masq = common.filter((w) => w.masquerade !== actual.ways.get(w.key)!.masquerade);
  if (masq.length > 0) {
    const words = (m: boolean) => (m ? 'masqueraded' : 'not masqueraded');
    const list = masq.map((w) => w.key).join(', ');
    out.push({
      kind: 'masquerade',
      expected: `${probe.what} to ${list}: ${words(masq[0]!.masquerade)}`,
      actual: `${probe.what} to ${list}: ${words(!masq[0]!.masquerade)}`,
      lines: linesOf('actual', dedupe(masq.flatMap((w) => actual.ways.get(w.key)!.steps))),
    });
  }
  return out;
}

function dedupe<T extends { line: number }>(steps: readonly T[]): T[] {
  const seen = new Set<number>();
  return steps.filter((s) => !seen.has(s.line) && seen.add(s.line) !== undefined).sort((a, b) => a.line - b.line);
}
