// Random rule dumps through the dataplane parsers and evaluators (what `trace --rules` reads): the
// golden rule sets, mutated line by line (lines dropped, repeated, swapped, cut, tokens replaced,
// jumps added, loops included) or byte by byte, and the nftables JSON with values replaced. A dump
// is loaded or refused with a typed input error; a loaded one traces packets to its own addresses
// to a verdict or a typed error, never an exception, a stack overflow or an endless walk.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, test } from 'vitest';
import { randomChooser } from '../../src/dataplane/dataplane.js';
import { type DataplaneMode, loadDataplane } from '../../src/dataplane/load.js';
import type { Packet } from '../../src/dataplane/packet.js';
import { seededRandom } from '../../src/dataplane/random.js';
import { ROOT } from '../support/cli.js';
import { fuzzParams, fuzzTimeout, isInputError, replaceAt } from './params.js';

const RULES = `${ROOT}/rules`;
const goldens = (ext: string) =>
  readdirSync(RULES)
    .filter((f) => f.endsWith(ext) && !f.includes('partial'))
    .map((f) => readFileSync(`${RULES}/${f}`, 'utf8'));
const iptables = goldens('.iptables');
const nftText = goldens('.nft');
const nftJson = goldens('.nft.json');

const TOKENS = [
  '-A',
  '-I',
  '-N',
  '-X',
  '-F',
  '-j',
  '-g',
  '-m',
  '-p',
  '-d',
  '-s',
  '!',
  '--dport',
  'tcp',
  'udp',
  'comment',
  '--comment',
  '"x"',
  'KUBE-SERVICES',
  'KUBE-MARK-MASQ',
  'DNAT',
  '--to-destination',
  '10.0.0.1:80',
  'RETURN',
  'statistic',
  '--mode',
  'random',
  '--probability',
  '0.5',
  '2',
  '-1',
  'recent',
  '--set',
  '--rcheck',
  'jump',
  'goto',
  'ip',
  'daddr',
  'saddr',
  'vmap',
  '{',
  '}',
  'numgen',
  'mod',
  'dnat',
  'to',
  'map',
  'set',
  'element',
  'chain',
  'table',
  'add',
  'delete',
  'flush',
  'counter',
  ';',
  '"',
  "'",
  '\\',
  '0x7fffffff',
  '99999999999999999999',
];

type LineOp =
  | { op: 'drop' | 'repeat' | 'cut'; at: number; n: number }
  | { op: 'swap'; at: number; n: number }
  | { op: 'token'; at: number; n: number; token: string }
  | { op: 'loop'; at: number; n: number };

const lineOp: fc.Arbitrary<LineOp> = fc.oneof(
  fc.record({ op: fc.constantFrom('drop', 'repeat', 'cut', 'swap', 'loop'), at: fc.nat(), n: fc.nat() }),
  fc.record({ op: fc.constant('token'), at: fc.nat(), n: fc.nat(), token: fc.constantFrom(...TOKENS) }),
) as fc.Arbitrary<LineOp>;

/** A chain a line of `mode`'s text adds a rule to or declares (for the loop mutation). */
function chainOf(line: string): string | undefined {
  return /^-A (\S+)/.exec(line)?.[1] ?? /^:(\S+)/.exec(line)?.[1] ?? /^\s*chain (\S+)/.exec(line)?.[1];
}

function mutateLines(text: string, ops: readonly LineOp[], mode: 'iptables' | 'nft'): string {
  const lines = text.split('\n');
  for (const o of ops) {
    if (lines.length === 0) break;
    const at = o.at % lines.length;
    const line = lines[at]!;
    switch (o.op) {
      case 'drop':
        lines.splice(at, 1);
        break;
      case 'repeat':
        lines.splice(at, 0, line);
        break;
      case 'cut':
        lines[at] = line.slice(0, o.n % (line.length + 1));
        break;
      case 'swap': {
        const b = o.n % lines.length;
        lines[at] = lines[b]!;
        lines[b] = line;
        break;
      }
      case 'token': {
        const words = line.split(' ');
        words[o.n % words.length] = o.token;
        lines[at] = words.join(' ');
        break;
      }
      case 'loop': {
        // A jump from a chain to itself or to one that jumps back: the kernel refuses loops.
        const chains = lines.map(chainOf).filter((c): c is string => c !== undefined);
        if (chains.length === 0) break;
        const from = chains[at % chains.length]!;
        const to = chains[o.n % chains.length]!;
        if (mode === 'iptables') {
          const idx = lines.indexOf('COMMIT');
          if (idx >= 0) lines.splice(idx, 0, `-A ${from} -j ${to}`, `-A ${to} -j ${from}`);
        } else {
          const idx = lines.findIndex((l) => new RegExp(`^\\s*chain ${from} \\{`).test(l));
          if (idx >= 0) lines.splice(idx + 1, 0, `\t\tjump ${to}`);
        }
        break;
      }
    }
  }
  return lines.join('\n');
}

/** Addresses and ports a dump mentions: packets to them reach its service rules. */
function targets(text: string): { dst: string; dport: number }[] {
  const ips = [...new Set(text.match(/\b\d{1,3}(\.\d{1,3}){3}\b/g) ?? [])].slice(0, 20);
  const ports = [...new Set((text.match(/dport (\d{1,5})/g) ?? []).map((m) => Number(m.slice(6))))].slice(0, 10);
  return ips.flatMap((dst) => (ports.length ? ports : [80]).slice(0, 3).map((dport) => ({ dst, dport })));
}

async function traceAll(mode: DataplaneMode, text: string, seed: number): Promise<void> {
  let plane: Awaited<ReturnType<typeof loadDataplane>>;
  try {
    plane = await loadDataplane(mode, text, { localAddresses: ['192.168.0.10'] });
  } catch (err) {
    if (isInputError(err)) return;
    throw err;
  }
  for (const { dst, dport } of targets(text).slice(0, 8)) {
    for (const hook of ['prerouting', 'output'] as const) {
      const packet: Packet = { proto: 'tcp', src: '10.244.0.5', sport: 40000, dst, dport, hook };
      try {
        plane.trace(packet, randomChooser(seededRandom(seed)));
      } catch (err) {
        if (!isInputError(err)) throw err;
      }
    }
  }
}

const byteOps = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 });
function mutateBytes(text: string, ops: readonly [number, number][]): string {
  const b = Buffer.from(text);
  for (const [at, v] of ops) if (b.length > 0) b[at % b.length] = v;
  return b.toString('utf8');
}

describe('fuzz: rule dumps through the dataplane', () => {
  const cases: { name: string; mode: DataplaneMode; texts: string[]; kind: 'iptables' | 'nft' }[] = [
    { name: 'iptables-save text', mode: 'iptables', texts: iptables, kind: 'iptables' },
    { name: 'nft list ruleset text', mode: 'nftables', texts: nftText, kind: 'nft' },
  ];
  for (const { name, mode, texts, kind } of cases)
    test(
      `${name}: mutated dumps load or are refused, and trace to a verdict or a typed error`,
      async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(...texts),
            fc.oneof(
              fc.array(lineOp, { minLength: 1, maxLength: 6 }).map((ops) => (t: string) => mutateLines(t, ops, kind)),
              byteOps.map((ops) => (t: string) => mutateBytes(t, ops)),
            ),
            fc.nat(),
            async (text, mutate, seed) => traceAll(mode, mutate(text), seed),
          ),
          fuzzParams(150),
        );
      },
      fuzzTimeout(),
    );

  test(
    'nft -j JSON: values replaced anywhere load or are refused, and trace',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...nftJson),
          fc.array(fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 2 })), { minLength: 1, maxLength: 4 }),
          fc.nat(),
          async (text, ops, seed) => {
            const doc = JSON.parse(text) as unknown;
            for (const [pick, value] of ops) replaceAt(doc, pick, value);
            await traceAll('nftables', JSON.stringify(doc), seed);
          },
        ),
        fuzzParams(150),
      );
    },
    fuzzTimeout(),
  );
});
