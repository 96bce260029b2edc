// A partial-sync payload applied with --noflush on top of the previous sync gives the same traffic
// as a full sync of the new state (upstream's TestSyncProxyRulesRepeated steps).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadManifests } from '../../src/cluster/load.js';
import {
  applyIptables,
  createLab,
  flushConntrack,
  type Lab,
  labSpecFromState,
  probe,
  reached,
} from '../../src/lab/index.js';
import { resolveProxyConfig } from '../../src/proxy/config.js';
import { buildProxyState } from '../../src/proxy/state.js';
import { SYNC_REPEATED_STEPS } from '../proxy/iptables/sync-repeated.js';
import { fixture, runCli } from '../support/cli.js';
import { describeKernel } from '../support/env.js';
import { rules, TOOLS } from './iptables-support.js';

describe.sequential('partial syncs', () => {
  describeKernel('iptables: a partial-sync payload with --noflush gives the traffic of a full sync (TestSyncProxyRulesRepeated)', () => {
    const node = fixture('upstream-iptables', 'node.yaml');
    const step = (s: string) => fixture('upstream-iptables', 'sync-repeated', s, 'cluster.yaml');
    // Every step but the no-op one.
    const steps = SYNC_REPEATED_STEPS.filter((s) => s !== '8-no-change');
    const services = [
      { target: '172.30.0.41', port: 80 },
      { target: '172.30.0.42', port: 8080 },
      { target: '172.30.0.43', port: 80 },
      { target: '172.30.0.44', port: 80 },
    ];
    let lab: Lab | undefined;
    beforeAll(async () => {
      // Every endpoint any step uses gets an echo server.
      const { objects } = await loadManifests([node, ...steps.map(step)].slice(0, 1).concat(step('7-add-endpoint')));
      const config = resolveProxyConfig(objects);
      const spec = labSpecFromState(buildProxyState(objects, 'IPv4', config));
      const extra = ['10.0.2.1:8080', '10.0.3.1:80'].map((e) => {
        const [ip, port] = e.split(':');
        return { ip: ip!, port: Number(port), protocol: 'TCP' as const };
      });
      lab = await createLab({ ...spec, endpoints: [...spec.endpoints, ...extra] });
      await applyIptables(lab.node, rules(['-f', node, '-f', step(steps[0]!)]));
    }, 120_000);
    afterAll(async () => lab?.close());

    async function traffic(): Promise<string[]> {
      const out: string[] = [];
      // Earlier probes of addresses no rule served left UNREPLIED entries; a new connection that
      // reuses one's source port would skip the new DNAT (see flushConntrack).
      await flushConntrack(lab!.node);
      for (const s of services) {
        // Two short tries tell a served address from one that is not; a served one then gets
        // enough connections that every endpoint answers (a miss: 2 * 2^-30 for two endpoints).
        const first = await probe(lab!.client, { ...s, protocol: 'TCP', count: 2, timeoutMs: 1000 });
        const served = reached(first).size > 0;
        const r = served ? await probe(lab!.client, { ...s, protocol: 'TCP', count: 30, timeoutMs: 3000 }) : first;
        // No rule for the address: it is routed into the lab's dead end, which answers with
        // silence or, once the neighbour lookup fails, host-unreachable. Both mean "not served".
        const seen = r.outcomes.map((o) => (o === 'ERROR:EHOSTUNREACH' ? 'TIMEOUT' : o));
        out.push(`${s.target}: ${[...new Set(seen)].sort().join(' ')}`);
      }
      return out;
    }

    test.each(steps.slice(1).map((to, i) => ({ name: `${steps[i]} -> ${to}`, from: steps[i]!, to })))(
      '$name',
      async ({ from, to }) => {
        const d = runCli([
          'diff',
          '--mode',
          'iptables',
          '--from',
          node,
          '--from',
          step(from),
          '--to',
          node,
          '--to',
          step(to),
        ]);
        expect(d.status).toBe(0);
        await applyIptables(lab!.node, d.stdout, { noflush: true });
        const afterPartial = await traffic();
        // The same namespace reloaded from scratch with a full sync of the new state.
        await applyIptables(lab!.node, rules(['-f', node, '-f', step(to)]));
        expect(afterPartial).toEqual(await traffic());
        // Back to the partial-sync history for the next step: reload the old state and re-apply.
        await applyIptables(lab!.node, rules(['-f', node, '-f', step(from)]));
        await applyIptables(lab!.node, d.stdout, { noflush: true });
      },
      120_000,
    );
  }, [...TOOLS, 'conntrack']);
});
