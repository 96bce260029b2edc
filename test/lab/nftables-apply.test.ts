// `kubeplane apply --mode nftables --netns NAME -f ...`: programs a namespace through
// `nft -j -f -` (or `nft -f -`), and fails clearly when nft is missing, when the namespace does not
// exist, when the kernel refuses the ruleset (nft's own message is shown) or the input is bad.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { createNetns, deleteNetns, inNetns, nextNetnsName } from '../../src/lab/index.js';
import { applyNft, findExecutable } from '../../src/lab/nft-apply.js';
import { CLI, fixture, ROOT, runCli } from '../support/cli.js';
import { describeKernel } from '../support/env.js';

const DEMO = fixture('demo');
const created: string[] = [];
async function netns(): Promise<string> {
  const ns = nextNetnsName('a');
  await createNetns(ns);
  created.push(ns);
  return ns;
}
afterEach(async () => {
  for (const ns of created.splice(0)) await deleteNetns(ns);
});

const listRuleset = async (ns: string) => (await inNetns(ns, 'nft', ['list', 'ruleset'])).stdout;

describeKernel('kubeplane apply --mode nftables', () => {
  test.each([
    { name: 'JSON through nft -j -f -', format: 'json', says: /with nft -j -f -/ },
    { name: 'text through nft -f -', format: 'text', says: /with nft -f -/ },
  ])('programs the namespace: $name', async ({ format, says }) => {
    const ns = await netns();
    const r = runCli([
      'apply',
      '--mode',
      'nftables',
      '--netns',
      ns,
      '-f',
      DEMO,
      '--node',
      'node-a',
      '--format',
      format,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(says);
    const listed = await listRuleset(ns);
    expect(listed).toContain('table ip kube-proxy');
    expect(listed).toContain('chain service-242WI43H-shop/cart/tcp/http');
  });

  test('a namespace that does not exist: a clear error naming it', () => {
    const missing = `kpnft-missing-${process.pid}`;
    const r = runCli(['apply', '--mode', 'nftables', '--netns', missing, '-f', DEMO]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`network namespace "${missing}" does not exist`);
    expect(r.stderr).toContain(`hint: create it first (ip netns add ${missing})`);
  });

  test('nft not installed: a clear error with what to install', async () => {
    const ns = await netns();
    // A PATH holding only `ip`: the CLI must find no nft on it.
    const bin = mkdtempSync(join(tmpdir(), 'kpnft-path-'));
    symlinkSync(findExecutable('ip')!, join(bin, 'ip'));
    const r = spawnSync(process.execPath, [CLI, 'apply', '--mode', 'nftables', '--netns', ns, '-f', DEMO], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PATH: bin },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('nft: command not found');
    expect(r.stderr).toContain('hint: install nftables');
    expect(await listRuleset(ns)).toBe('');
  });

  test.each([
    { format: 'text', shows: /Error: datatype mismatch, expected IPv4 address/ },
    { format: 'json', shows: /Error: datatype mismatch, expected IPv4 address/ },
  ])("the kernel refuses ($format): nft's message is shown, nothing is applied", async ({ format, shows }) => {
    const ns = await netns();
    // A table already holding cluster-ips with another type: the kernel cannot take our ruleset.
    await applyNft(ns, 'add table ip kube-proxy\nadd set ip kube-proxy cluster-ips { type ipv6_addr ; }\n', 'text');
    const before = await listRuleset(ns);
    const r = runCli(['apply', '--mode', 'nftables', '--netns', ns, '-f', DEMO, '--format', format]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(shows);
    expect(r.stderr).toContain('hint: the kernel refused the ruleset');
    expect(await listRuleset(ns)).toBe(before);
  });

  test('bad input: exit 2 and the namespace is left untouched', async () => {
    const ns = await netns();
    const r = runCli(['apply', '--mode', 'nftables', '--netns', ns, '-f', fixture('bad', 'service-cluster-ip.yaml')]);
    expect(r.status).toBe(2);
    expect(await listRuleset(ns)).toBe('');
  });

  test('usage: --netns is required', () => {
    const r = runCli(['apply', '--mode', 'nftables', '-f', DEMO]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--netns is required');
  });
});

describeKernel('nftables kernel apply time (bench)', () => {
  test('times nft -f of a full payload in a fresh namespace and removes it', async () => {
    const { kernelApplyMs } = await import('../../src/bench/proxy.js');
    const { nftablesApplier } = await import('../../src/lab/appliers/nftables.js');
    const r = runCli(['rules', '--mode', 'nftables', '-f', DEMO]);
    const list = () => spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    const ms = await kernelApplyMs(nftablesApplier, [
      { kind: 'nft', part: 'nft', header: '# nft -f -', text: r.stdout },
    ]);
    expect(ms).toBeGreaterThan(0);
    expect(list()).not.toMatch(new RegExp(`kpnft-bench-${process.pid}-`));
  });
});
