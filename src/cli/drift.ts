// `kubeplane drift`: hold a node's dump against what kube-proxy should have programmed for it, by
// meaning, per service port. Exit 1 when anything drifted, 0 when the node matches.
import type { Command } from 'commander';
import type { DriftResult } from '../drift/index.js';
import { dumpMode, familiesOf, readDump, renderNode } from './drift-input.js';
import { collect, writeOutput } from './io.js';

interface DriftFlags {
  mode?: string;
  file?: string[];
  node?: string;
  rules?: string;
  json?: boolean;
}

export function registerDrift(program: Command): void {
  program
    .command('drift')
    .description("compare a node's rule dump with what kube-proxy should have programmed for it, by meaning")
    .option('--mode <mode>', 'iptables|nftables')
    .option('-f, --file <path>', 'manifest file, directory, or - for stdin (repeatable)', collect)
    .option('--node <name>', 'node the dump is from (default: hostnameOverride, else the only Node)')
    .option('--rules <dump>', 'the dump: iptables-save, nft list ruleset, or nft -j list ruleset')
    .option('--json', 'print JSON')
    .action(async (opts: DriftFlags) => {
      const mode = dumpMode(opts.mode);
      const dump = await readDump(opts.rules);
      const { loadInput } = await import('./input.js');
      const loaded = await loadInput(opts.file);
      const node = await renderNode(mode, loaded.objects, opts.node, familiesOf(mode, dump));
      const { drift, hashLabels } = await import('../drift/index.js');
      const result = drift({
        mode,
        expected: node.text,
        actual: dump,
        ports: node.ports,
        endpointsOf: node.endpointsOf,
        contexts: node.contexts,
        localAddresses: node.localAddresses,
        ...(mode === 'iptables' ? { hashes: hashLabels(node.ports, node.endpointsOf) } : {}),
      });
      // The JSON shape is the issue's, exactly; the recognised version shapes go to stderr with it.
      if (opts.json)
        process.stderr.write(`drift: recognised ${result.shapes.join('; ') || 'no particular version shapes'}\n`);
      await writeOutput(opts.json ? `${JSON.stringify(driftJson(result))}\n` : driftText(result));
      process.exitCode = result.drift ? 1 : 0;
    });
}

function driftJson(r: DriftResult) {
  return {
    drift: r.drift,
    services: r.services.map((s) => ({
      service: s.service,
      problems: s.problems.map((p) => ({ kind: p.kind, expected: p.expected, actual: p.actual, lines: p.lines })),
    })),
    unknownChains: r.unknownChains,
  };
}

const WORDS: Record<string, string> = {
  'endpoint-missing': 'endpoint missing',
  'endpoint-extra': 'endpoint not expected',
  probability: 'endpoint shares differ',
  masquerade: 'masquerading differs',
  verdict: 'verdict differs',
  affinity: 'session affinity differs',
  'affinity-timeout': 'affinity timeout differs',
  'extra-chain': 'chain not expected',
};

function driftText(r: DriftResult): string {
  let out = `recognised: ${r.shapes.join('; ') || 'no particular version shapes'}\n`;
  for (const s of r.services) {
    out += `\n${s.service}\n`;
    for (const p of s.problems) {
      out += `  ${WORDS[p.kind] ?? p.kind}: expected ${p.expected}; found ${p.actual}\n`;
      for (const l of p.lines)
        out += `    ${l.side === 'actual' ? 'dump' : 'want'} ${String(l.line).padStart(6)}: ${l.text}\n`;
    }
  }
  if (r.unknownChains.length > 0) {
    out += '\nchains no Service of the cluster reaches:\n';
    for (const c of r.unknownChains)
      out += `  ${c.chain} (${c.table}, line ${c.line})${c.label ? `: ${c.label}` : ''}\n`;
  }
  out += r.drift
    ? `\ndrift: ${r.services.length} service ports, ${r.unknownChains.length} unknown chains\n`
    : '\nno drift: the node matches\n';
  return out;
}
