// `drift` over a 10k-service node dump, against its baseline in the same run: parsing the dump alone
// (what every reader of a dump pays). Build first (npm run build), then:
//   node dist/cli/main.js generate --services 10000 --endpoints 10 --nodes 3 --mixed --format json --out /tmp/c10k.json
//   node dist/cli/main.js rules --mode iptables -f /tmp/c10k.json --node node-0 --out /tmp/r10k.iptables
//   node bench/drift.mjs /tmp/c10k.json node-0 /tmp/r10k.iptables > bench/results/drift.json
// Medians of `repeats` runs after one warm-up: the parse of the dump (baseline), the drift check
// (it parses the dump and the rendered rules, then sends each service port's probes through both),
// and the cluster load + render drift starts from. The dump is the rendered rules themselves, so the
// check finds no drift and visits every service port.
import { readFileSync, statSync } from 'node:fs';
import { renderNode } from '../dist/cli/drift-input.js';
import { loadManifests } from '../dist/cluster/load.js';
import { parseIptables } from '../dist/dataplane/index.js';
import { drift, hashLabels } from '../dist/drift/index.js';

const [clusterFile, node, dumpFile, repeatsArg] = process.argv.slice(2);
const repeats = Number(repeatsArg ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
async function timed(fn) {
  await fn();
  const ms = [];
  let out;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    out = await fn();
    ms.push(performance.now() - t0);
  }
  return { medianMs: Math.round(median(ms)), runsMs: ms.map((x) => Math.round(x)), out };
}

const dump = readFileSync(dumpFile, 'utf8');
const t0 = performance.now();
const { objects } = await loadManifests([clusterFile]);
const loadMs = performance.now() - t0;
const render = await timed(() => renderNode('iptables', objects, node, ['IPv4']));
const rendered = render.out;
const parse = await timed(() => parseIptables(dump));
const check = await timed(() =>
  drift({
    mode: 'iptables',
    expected: rendered.text,
    actual: dump,
    ports: rendered.ports,
    endpointsOf: rendered.endpointsOf,
    contexts: rendered.contexts,
    localAddresses: rendered.localAddresses,
    hashes: hashLabels(rendered.ports, rendered.endpointsOf),
  }),
);
const cpus = (await import('node:os')).cpus().length;
const load = (await import('node:os')).loadavg();
process.stdout.write(
  `${JSON.stringify(
    {
      command: `node bench/drift.mjs ${process.argv.slice(2).join(' ')}`,
      machine: {
        node: process.version,
        cpus,
        loadavg: load.map((x) => Math.round(x * 10) / 10),
        note: 'shared with 7 other helpers: noisy',
      },
      servicePorts: rendered.ports.length,
      dumpMB: Math.round(statSync(dumpFile).size / 1e5) / 10,
      clusterLoadMs: Math.round(loadMs),
      renderMs: render,
      baselineParseDumpMs: { medianMs: parse.medianMs, runsMs: parse.runsMs },
      driftMs: { medianMs: check.medianMs, runsMs: check.runsMs },
      ratioDriftToParse: Math.round((check.medianMs / parse.medianMs) * 100) / 100,
      drift: check.out.drift,
      problems: check.out.services.length,
    },
    (k, v) => (k === 'out' ? undefined : v),
    2,
  )}\n`,
);
