// Data-plane emulator figures over a 10k-service ruleset (run after `npx tsc -p tsconfig.build.json`):
//   node dist/cli/main.js generate --services 10000 --endpoints 10 --nodes 50 --seed 1 > /tmp/gen.yaml
//   node dist/cli/main.js rules --mode iptables -f /tmp/gen.yaml --node node-0 > /tmp/10k.iptables
//   node dist/cli/main.js rules --mode nftables -f /tmp/gen.yaml --node node-0 > /tmp/10k.nft
//   node bench/dataplane.mjs /tmp/10k.iptables /tmp/10k.nft > bench/results/dataplane.json
// Parse time (median of 5 after a warm-up), traced connections/s with sampling as `trace --count`
// does (indexed KUBE-SERVICES, and the linear walk as the baseline in the same run), and the rules
// the kernel evaluates per packet in each mode, for the first, middle and last service.
import { readFileSync, statSync } from 'node:fs';
import { IptablesDataplane, parseIptables, sampleConnections } from '../dist/dataplane/index.js';
import { NftablesDataplane } from '../dist/dataplane/nftables/evaluate.js';
import { parseNftText } from '../dist/dataplane/nftables/parse-text.js';

const [iptFile, nftFile] = process.argv.slice(2);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
function timed(fn, repeats = 5) {
  fn();
  const ms = [];
  let out;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    out = fn();
    ms.push(performance.now() - t0);
  }
  return { ms: median(ms), all: ms.map((x) => Math.round(x)), out };
}

const iptText = readFileSync(iptFile, 'utf8');
const nftText = readFileSync(nftFile, 'utf8');
const ipt = timed(() => parseIptables(iptText));
const nft = timed(() => parseNftText(nftText));

// Service cluster IPs in KUBE-SERVICES order (the kernel's walk order).
const services = ipt.out.tables
  .get('nat')
  .chains.get('KUBE-SERVICES')
  .rules.map((r) => ({
    d: r.matches.find((m) => m.kind === 'destination'),
    p: r.matches.find((m) => m.kind === 'dport'),
  }))
  .filter((x) => x.d && x.p)
  .map((x) => ({ dst: x.d.cidr.text.replace(/\/32$/, ''), dport: x.p.range.from }));
const picks = { first: services[0], middle: services[services.length >> 1], last: services[services.length - 1] };

function rate(dp, target, count) {
  const packet = {
    proto: 'tcp',
    src: '10.100.0.5',
    sport: 1024,
    dst: target.dst,
    dport: target.dport,
    hook: 'prerouting',
  };
  return timed(() => {
    dp.flushConntrack();
    return sampleConnections(dp, packet, count, 1);
  }, 3);
}

const results = {};
for (const [where, target] of Object.entries(picks)) {
  const indexed = rate(new IptablesDataplane(ipt.out, { localAddresses: ['10.0.0.1'] }), target, 20_000);
  const linear = rate(new IptablesDataplane(ipt.out, { localAddresses: ['10.0.0.1'], index: false }), target, 2_000);
  const nf = rate(new NftablesDataplane(nft.out, { localAddresses: ['10.0.0.1'] }), target, 20_000);
  results[where] = {
    target: `${target.dst}:${target.dport}`,
    iptablesIndexedConnsPerSec: Math.round(20_000 / (indexed.ms / 1000)),
    iptablesLinearConnsPerSec: Math.round(2_000 / (linear.ms / 1000)),
    nftablesConnsPerSec: Math.round(20_000 / (nf.ms / 1000)),
    iptablesRulesPerPacket: indexed.out.rulesVisited / 20_000,
    iptablesLinearRulesPerPacket: linear.out.rulesVisited / 2_000,
    nftablesRulesPerPacket: nf.out.rulesVisited / 20_000,
    endpoints: indexed.out.counts.size,
    chiSquareP: Number(indexed.out.chiSquareP.toPrecision(3)),
  };
}
console.log(
  JSON.stringify(
    {
      machine: { node: process.version, note: '2 shared cores; other agents were running' },
      services: services.length,
      parse: {
        iptables: { mb: +(statSync(iptFile).size / 1e6).toFixed(1), medianMs: Math.round(ipt.ms), runsMs: ipt.all },
        nftables: { mb: +(statSync(nftFile).size / 1e6).toFixed(1), medianMs: Math.round(nft.ms), runsMs: nft.all },
      },
      trace: results,
    },
    null,
    2,
  ),
);
