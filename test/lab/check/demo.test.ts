// `kubeplane lab check` on the demo cluster, in a real kernel: for both modes every service
// destination's emulated verdict, endpoint split, affinity and masquerading agree with real
// connections (exit 0); and a kernel holding other rules than the emulator read is caught (exit 1
// from the CLI's rule; here the library's rows say which targets and why).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { loadManifests } from '../../../src/cluster/load.js';
import { labCheck } from '../../../src/lab/check/index.js';
import { resolveProxyConfig } from '../../../src/proxy/config.js';
import { buildProxyState } from '../../../src/proxy/state.js';
import { CLI, fixture, ROOT, runCli } from '../../support/cli.js';
import { describeKernel } from '../../support/env.js';

const DEMO = fixture('demo');
const run = promisify(execFile);

interface CheckJson {
  agree: boolean;
  targets: {
    servicePort: string;
    kind: string;
    target: string;
    emulator: { split: Record<string, number>; sticky: boolean };
    kernel: { counts: Record<string, number> };
    agree: boolean;
    problems: string[];
  }[];
}

async function labCheckCli(mode: string): Promise<{ code: number; out: CheckJson }> {
  const args = [CLI, 'lab', 'check', '-f', DEMO, '--mode', mode, '--connections', '30', '--json'];
  const r = await run(process.execPath, args, { cwd: ROOT, maxBuffer: 64 << 20 }).then(
    (x) => ({ code: 0, stdout: x.stdout }),
    (e: { code: number; stdout: string; stderr: string }) => {
      if (typeof e.code !== 'number' || !e.stdout) throw new Error(`lab check failed: ${e.stderr}`);
      return { code: e.code, stdout: e.stdout };
    },
  );
  return { code: r.code, out: JSON.parse(r.stdout) as CheckJson };
}

describeKernel('lab check: the emulator against the kernel on fixtures/demo', () => {
  test.each(['iptables', 'nftables'])(
    '%s: every destination agrees, exit 0',
    async (mode) => {
      const { code, out } = await labCheckCli(mode);
      expect(out.targets.filter((t) => !t.agree)).toEqual([]);
      expect(out.agree).toBe(true);
      expect(code).toBe(0);
      const kinds = new Set(out.targets.map((t) => t.kind));
      expect([...kinds].sort()).toEqual(['clusterIP', 'externalIP', 'loadBalancer', 'nodePort']);
      // The targets whose answer is not one endpoint: a 3-way split, affinity, reject, drop.
      const at = (target: string) => out.targets.find((t) => t.target === target)!;
      expect(Object.keys(at('10.96.10.40:80').emulator.split)).toHaveLength(3);
      expect(Object.keys(at('10.96.10.40:80').kernel.counts)).toHaveLength(3);
      expect(at('10.96.10.30:80').emulator.sticky).toBe(true);
      expect(Object.keys(at('10.96.10.30:80').kernel.counts)).toHaveLength(1);
      expect(at('10.96.10.90:80').kernel.counts).toEqual({ REFUSED: 30 });
      expect(Object.keys(at('10.96.10.70:80').kernel.counts)).toEqual(['TIMEOUT']);
    },
    400_000,
  );

  test('a kernel holding other rules than the emulator read disagrees on exactly that service', async () => {
    const rules = runCli(['rules', '--mode', 'iptables', '--with-jumps', '-f', DEMO]);
    expect(rules.status).toBe(0);
    // The kernel's copy sends the first search endpoint's share to the second one.
    const kernelPayload = rules.stdout.replace(
      '-j DNAT --to-destination 10.244.0.40:9200',
      '-j DNAT --to-destination 10.244.1.40:9200',
    );
    expect(kernelPayload).not.toBe(rules.stdout);
    const { objects } = await loadManifests([DEMO]);
    const state = buildProxyState(objects, 'IPv4', resolveProxyConfig(objects, {}));
    const rows = await labCheck({ mode: 'iptables', state, payload: rules.stdout, kernelPayload, connections: 30 });
    const bad = rows.filter((r) => !r.comparison.agree).map((r) => `${r.target.ip}:${r.target.port}`);
    expect(bad.sort()).toEqual(['10.96.10.40:80', '192.168.49.100:80']);
    const search = rows.find((r) => r.target.ip === '10.96.10.40')!;
    expect(search.comparison.problems.join('\n')).toMatch(/split differs|never predicts/);
  }, 400_000);
}, ['ip', 'nft', 'iptables-restore', 'conntrack']);

describe('lab check: bad flags', () => {
  test.each([
    { name: 'an unknown mode', args: ['--mode', 'ipvs'], want: /--mode must be iptables or nftables/ },
    { name: 'zero connections', args: ['--mode', 'iptables', '--connections', '0'], want: /--connections: "0"/ },
    { name: 'too many connections', args: ['--mode', 'nftables', '--connections', '501'], want: /from 1 to 500/ },
  ])('$name exits 2 before building anything', ({ args, want }) => {
    const r = runCli(['lab', 'check', '-f', DEMO, ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(want);
  });
});
