// Upstream's packet-flow tables (flows.tsv) as real traffic: the CLI's ruleset loaded with nft into
// the node namespace of a lab (client -> node -> pods, no way out), each row probed with real
// connections. Where upstream deletes the EndpointSlice and syncs again, the partial transaction is
// applied to the same kernel table and those rows are probed too. Rows a lab client cannot send are
// left to the tracer (flows.test.ts): sources on an endpoint (hairpin) or an LB IP, SCTP.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadManifests } from '../../../src/cluster/load.js';
import type { ClusterObject, IPFamily } from '../../../src/cluster/types.js';
import { createLab, type Lab, labSpecFromState, probe, reached } from '../../../src/lab/index.js';
import { applyNft } from '../../../src/lab/nft-apply.js';
import { resolveProxyConfig } from '../../../src/proxy/config.js';
import { encodeSync } from '../../../src/proxy/nftables/mode.js';
import { EMPTY_NFT_MEMO, renderSync } from '../../../src/proxy/nftables/render.js';
import { buildProxyState, ProxyTracker } from '../../../src/proxy/state.js';
import { fixture, runCli } from '../../support/cli.js';
import { describeKernel } from '../../support/env.js';
import { type FlowCase, readFlows, renderOptions, TEST_NODE_IPS } from './support.js';

const SCENARIOS = [
  'no-endpoints-reject',
  'cluster-ip-general',
  'load-balancer',
  'etp-local',
  'etp-cluster',
  'internal-external-masquerade',
  'internal-external-masquerade-masquerade-all',
  'terminating-endpoints-cluster-remote',
  'terminating-endpoints-cluster-none-usable',
  'terminating-endpoints-local-ready',
  'terminating-endpoints-local-only-terminating',
  'terminating-endpoints-local-remote',
  'terminating-endpoints-local-none-usable',
  'itp-local-one-local',
  'itp-local-no-local',
  'node-ports-ipv4',
  'node-ports-ipv4-multiple',
  'node-ports-ipv6',
  'node-ports-ipv6-multiple',
];

/**
 * Rows a lab can send: from the client (any address but an endpoint's or a service's) or, for a
 * source the node holds, from the node itself (its output path: nat-output, filter-output).
 */
function sendable(f: FlowCase, endpointIPs: ReadonlySet<string>, nodeIPs: readonly string[]): boolean {
  if (f.proto !== 'tcp' && f.proto !== 'udp') return false;
  if (TEST_NODE_IPS.includes(f.src)) return nodeIPs.includes(f.src);
  return !endpointIPs.has(f.src) && !/^(1\.2\.3\.4|5\.6\.7\.8|9\.10\.11\.12)$/.test(f.src);
}

/**
 * upstream's tracer output -> what a client sees: endpoints answer, REJECT refuses, DROP times out;
 * no verdict at all (a NodePort on an address not accepting NodePorts) reaches the node's own TCP
 * stack, where nothing listens: refused too.
 */
function wanted(output: string): string[] | 'REFUSED' | 'TIMEOUT' {
  if (output === 'REJECT' || output === '') return 'REFUSED';
  if (output === 'DROP') return 'TIMEOUT';
  return output.split(', ');
}

async function check(lab: Lab, f: FlowCase): Promise<void> {
  const want = wanted(f.output);
  const answers = Array.isArray(want);
  const count = answers ? Math.max(12, 14 * want.length) : 3;
  const r = await probe(TEST_NODE_IPS.includes(f.src) ? lab.node : lab.client, {
    target: f.dst,
    port: f.dport,
    protocol: f.proto === 'udp' ? 'UDP' : 'TCP',
    count,
    timeoutMs: answers ? 3000 : 400,
    source: f.src,
  });
  if (!answers) {
    expect(r.outcomes).toEqual(Array(count).fill(want));
    return;
  }
  expect(r.outcomes.filter((o) => !want.includes(o))).toEqual([]);
  expect([...reached(r)].sort()).toEqual([...want].sort());
  expect(r.peers.map((p) => (p === f.src ? 'kept' : 'masqueraded'))).toEqual(
    Array(count).fill(f.masq ? 'masqueraded' : 'kept'),
  );
}

interface Scenario {
  name: string;
  dir: string;
  family: IPFamily;
  objects: ClusterObject[];
  flows: FlowCase[];
  deleted: FlowCase[];
  clientIPs: string[];
}

async function scenario(name: string): Promise<Scenario> {
  const dir = fixture('upstream-nftables', name);
  const objects = (await loadManifests([dir])).objects as ClusterObject[];
  const { family, flows: all } = readFlows(name);
  const state = buildProxyState(objects, family, resolveProxyConfig(objects));
  const endpointIPs = new Set(labSpecFromState(state).endpoints.map((e) => e.ip));
  const ok = (f: FlowCase) => sendable(f, endpointIPs, state.config.nodeIPs[family]);
  const flows = all.filter(ok);
  const deletedFile = join(dir, 'flows-endpoints-deleted.tsv');
  const deleted = existsSync(deletedFile) ? readFlows(name, 'flows-endpoints-deleted.tsv').flows.filter(ok) : [];
  const clientIPs = [...new Set([...flows, ...deleted].map((f) => f.src))].filter((ip) => !TEST_NODE_IPS.includes(ip));
  return { name, dir, family, objects, flows, deleted, clientIPs };
}

const scenarios = await Promise.all(SCENARIOS.map(scenario));

test('every scenario keeps rows a lab client can send', () => {
  for (const s of scenarios) expect(s.flows.length, s.name).toBeGreaterThan(0);
});

for (const s of scenarios) {
  describeKernel(`nftables in a kernel: upstream flows of ${s.name}`, () => {
    let lab: Lab | undefined;
    beforeAll(async () => {
      const state = buildProxyState(s.objects, s.family, resolveProxyConfig(s.objects));
      const spec = labSpecFromState(state, s.clientIPs);
      lab = await createLab(spec);
      const r = runCli([
        'rules',
        '--mode',
        'nftables',
        '--profile',
        'kube-proxy-test',
        '-f',
        s.dir,
        '--family',
        s.family === 'IPv4' ? 'ipv4' : 'ipv6',
      ]);
      expect(r.status, r.stderr).toBe(0);
      await applyNft(lab.node, r.stdout, 'text');
    }, 120_000);
    afterAll(async () => lab?.close());

    test.each(s.flows)('$name', (f) => check(lab!, f), 120_000);

    if (s.deleted.length > 0)
      describe('after the EndpointSlice is deleted and the proxier syncs again', () => {
        beforeAll(async () => {
          // The same history as upstream's test: a full sync, then the deletion's partial sync.
          const tracker = new ProxyTracker(s.family, resolveProxyConfig(s.objects));
          const options = renderOptions(s.objects, s.family, 'kube-proxy-test');
          for (const o of s.objects) tracker.upsert(o);
          const first = tracker.sync();
          const { memo } = renderSync(first.state, first.changes, EMPTY_NFT_MEMO, options);
          for (const o of s.objects) if (o.kind === 'EndpointSlice') tracker.delete(o);
          const next = tracker.sync();
          await applyNft(lab!.node, encodeSync(renderSync(next.state, next.changes, memo, options), 'text'), 'text');
        }, 120_000);
        test.each(s.deleted)('$name', (f) => check(lab!, f), 120_000);
      });
  }, ['ip', 'nft']);
}
