// An incremental transaction (`kubeplane diff --mode nftables --from A --to B`) applied on top of a
// full ruleset of A must make the kernel route traffic exactly as a full ruleset of B does. The
// steps are upstream's TestSyncProxyRulesRepeated (service deleted, endpoints added, changed,
// emptied, restored); one lab, two loads per step, the same probes against each.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  createLab,
  createNetns,
  deleteNetns,
  flushConntrack,
  inNetns,
  type Lab,
  nextNetnsName,
  probe,
} from '../../src/lab/index.js';
import { applyNft } from '../../src/lab/nft-apply.js';
import { fixture, runCli } from '../support/cli.js';
import { describeKernel } from '../support/env.js';

const step = (name: string) => fixture('upstream-nftables', 'sync-repeated', name);
const SERVICES = [
  { target: '172.30.0.41', port: 80 },
  { target: '172.30.0.42', port: 8080 },
  { target: '172.30.0.43', port: 80 },
  { target: '172.30.0.44', port: 80 },
];
const ENDPOINTS = ['10.0.1.1:80', '10.0.2.1:8080', '10.0.3.1:80', '10.0.3.2:80', '10.0.3.3:80', '10.0.4.1:80'];

function rules(args: string[]): string {
  const r = runCli(['rules', '--mode', 'nftables', ...args]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** What each service does now: the set of outcomes of a few connections. */
async function observe(lab: Lab): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  // Probes of addresses no rule served left UNREPLIED entries; a new connection reusing one's
  // source port would skip the new DNAT (see flushConntrack).
  await flushConntrack(lab.node);
  for (const s of SERVICES) {
    // Two quick attempts tell a dropped or rejected service; only a working one gets more, so that
    // every endpoint shows up (bounded: 14 connections per service).
    const first = await probe(lab.client, { ...s, protocol: 'TCP', count: 2, timeoutMs: 500 });
    const outcomes = new Set(first.outcomes);
    if (first.outcomes.some((o) => o !== 'TIMEOUT' && o !== 'REFUSED'))
      for (const o of (await probe(lab.client, { ...s, protocol: 'TCP', count: 12, timeoutMs: 1500 })).outcomes)
        outcomes.add(o);
    out[`${s.target}:${s.port}`] = [...outcomes].sort();
  }
  return out;
}

describeKernel('nftables incremental transactions in a kernel', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await createLab({
      nodeIPs: ['192.168.0.2'],
      endpoints: ENDPOINTS.map((e) => ({
        ip: e.split(':')[0]!,
        port: Number(e.split(':')[1]),
        protocol: 'TCP' as const,
      })),
    });
  });
  afterAll(async () => {
    await lab?.close();
  });

  test.each([
    { name: 'a service is deleted', from: '02-add-service', to: '03-delete-service' },
    {
      name: 'endpoints appear for a service that had none',
      from: '05-service-without-endpoints',
      to: '06-endpoints-added',
    },
    { name: 'an endpoint changes address', from: '06-endpoints-added', to: '07-endpoint-changed' },
    { name: 'an endpoint is added', from: '07-endpoint-changed', to: '08-endpoint-added' },
    { name: 'all endpoints go away', from: '08-endpoint-added', to: '09-endpoints-emptied' },
    { name: 'endpoints come back', from: '09-endpoints-emptied', to: '10-endpoints-restored' },
  ])('$name: full(from) + diff = full(to)', { timeout: 120_000 }, async ({ from, to }) => {
    await inNetns(lab.node, 'nft', ['flush', 'ruleset']);
    await applyNft(lab.node, rules(['-f', step(from)]), 'text');
    const diff = runCli(['diff', '--mode', 'nftables', '--from', step(from), '--to', step(to)]);
    expect(diff.status, diff.stderr).toBe(0);
    await applyNft(lab.node, diff.stdout, 'text');
    const incremental = await observe(lab);

    await inNetns(lab.node, 'nft', ['flush', 'ruleset']);
    await applyNft(lab.node, rules(['-f', step(to)]), 'text');
    const full = await observe(lab);
    expect(incremental).toEqual(full);
    // The steps really change what traffic does (the comparison is not between two empty tables).
    expect(
      Object.values(full)
        .flat()
        .some((o) => /^10\.0\./.test(o)),
    ).toBe(true);
  });

  test('the JSON diff applies on top of the JSON full ruleset', async () => {
    await inNetns(lab.node, 'nft', ['flush', 'ruleset']);
    await applyNft(lab.node, rules(['-f', step('06-endpoints-added'), '--format', 'json']), 'json');
    const diff = runCli([
      'diff',
      '--mode',
      'nftables',
      '--format',
      'json',
      '--from',
      step('06-endpoints-added'),
      '--to',
      step('07-endpoint-changed'),
    ]);
    expect(diff.status, diff.stderr).toBe(0);
    await applyNft(lab.node, diff.stdout, 'json');
    const seen = await observe(lab);
    expect(seen['172.30.0.43:80']).toEqual(['10.0.3.2:80']);
  });
}, ['ip', 'nft', 'conntrack']);

describeKernel('nftables incremental JSON transactions and affinity sets', () => {
  test('rewriting a ClientIP service in JSON does not re-declare its live affinity sets', async () => {
    // The demo, and the demo with one of cart's three endpoints gone (and back again).
    const dir = mkdtempSync(join(tmpdir(), 'kpnft-demo-'));
    for (const f of readdirSync(fixture('demo'))) {
      let text = readFileSync(join(fixture('demo'), f), 'utf8');
      text = text.replace(
        /- addresses: \[10\.244\.2\.30\]\n {2}conditions: \{ready: true\}\n {2}nodeName: node-c\n {2}targetRef: \{kind: Pod, namespace: shop, name: cart-5b8d-ccccc\}\n/,
        '',
      );
      writeFileSync(join(dir, f), text);
    }
    expect(readFileSync(join(dir, '30-shop-endpoints.yaml'), 'utf8')).not.toContain('10.244.2.30');
    const ns = nextNetnsName('j');
    await createNetns(ns);
    try {
      await applyNft(ns, rules(['-f', fixture('demo'), '--format', 'json']), 'json');
      for (const [from, to] of [
        [fixture('demo'), dir],
        [dir, fixture('demo')],
      ] as const) {
        const diff = runCli(['diff', '--mode', 'nftables', '--format', 'json', '--from', from, '--to', to]);
        expect(diff.status, diff.stderr).toBe(0);
        await applyNft(ns, diff.stdout, 'json');
      }
      const sets = (await inNetns(ns, 'nft', ['list', 'sets'])).stdout;
      expect(sets.match(/set affinity-/g)).toHaveLength(3);
    } finally {
      await deleteNetns(ns);
    }
  });
});
