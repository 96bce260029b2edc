// The JSON form (`--format json`, `nft -j`) read by src/dataplane traces exactly like the text form:
// every golden ruleset in rules/ with both forms, every destination of its verdict maps, from a pod,
// an external client and the node.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { type Dataplane, outcomesOf, type Packet } from '../../src/dataplane/index.js';
import { NftablesDataplane } from '../../src/dataplane/nftables/evaluate.js';
import { parseNftJson } from '../../src/dataplane/nftables/parse-json.js';
import { parseNftText } from '../../src/dataplane/nftables/parse-text.js';
import type { NftRuleset } from '../../src/dataplane/nftables/types.js';
import { RuleParseError } from '../../src/errors.js';

const RULES = new URL('../../rules/', import.meta.url);
const goldens = readdirSync(RULES)
  .filter((f) => f.endsWith('.nft') && readdirSync(RULES).includes(`${f}.json`))
  .map((f) => ({ name: f }));

function destinations(rs: NftRuleset): { proto: 'tcp'; dst: string; dport: number }[] {
  const out: { proto: 'tcp'; dst: string; dport: number }[] = [];
  for (const t of rs.tables.values())
    for (const s of t.sets.values())
      for (const e of s.elements.values())
        if (e.key.length === 3 && e.verdict)
          out.push({ dst: e.key[0]!, proto: e.key[1] as 'tcp', dport: Number(e.key[2]) });
  return out;
}

const summary = (dp: Dataplane, p: Packet) =>
  outcomesOf(dp, p)
    .map((o) => `${o.trace.verdict} ${o.trace.endpoint} ${o.probability.toFixed(6)} ${o.trace.masquerade}`)
    .join(' | ');

describe.each(goldens)('rules/$name and its .json', ({ name }) => {
  test('trace alike', () => {
    const text = parseNftText(readFileSync(new URL(name, RULES), 'utf8'));
    const json = parseNftJson(readFileSync(new URL(`${name}.json`, RULES), 'utf8'));
    const v6 = name.includes('ipv6');
    const nodes = v6 ? ['2001:db8::1', 'fd00:192:168:49::2'] : ['192.168.0.2', '192.168.49.2'];
    const a = new NftablesDataplane(text, { localAddresses: nodes });
    const b = new NftablesDataplane(json, { localAddresses: nodes });
    const dests = destinations(text);
    expect(dests.length).toBeGreaterThan(0);
    const sources = v6 ? ['fd00:10:244::5', '2001:db8:99::7', nodes[0]!] : ['10.244.0.5', '203.0.113.7', nodes[0]!];
    for (const d of dests)
      for (const src of sources) {
        if (src.includes(':') !== d.dst.includes(':')) continue;
        const p: Packet = { ...d, src, sport: 40000, hook: nodes.includes(src) ? 'output' : 'prerouting' };
        expect(summary(b, p), `${src} -> ${d.dst}:${d.dport}`).toBe(summary(a, p));
      }
  });
});

test('a JSON expression it does not know names the entry', () => {
  const doc = {
    nftables: [
      { add: { table: { family: 'ip', name: 't' } } },
      { add: { chain: { family: 'ip', table: 't', name: 'c' } } },
      { add: { rule: { family: 'ip', table: 't', chain: 'c', expr: [{ log: { prefix: 'x' } }] } } },
    ],
  };
  expect(() => parseNftJson(JSON.stringify(doc))).toThrow(RuleParseError);
  expect(() => parseNftJson(JSON.stringify(doc))).toThrow(/nftables\[2\]: unsupported expression "log"/);
});
