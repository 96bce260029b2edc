// The lab helper itself: namespaces are created with unique names and removed on close, and a
// failing command comes back as a LabError naming the command, with a hint.
import { execFileSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { kernelApplyMs } from '../../src/bench/proxy.js';
import { LabError } from '../../src/errors.js';
import { iptablesApplier } from '../../src/lab/appliers/iptables.js';
import { applyIptables, createLab, nextNetnsName, run } from '../../src/lab/index.js';
import { fixture, runCli } from '../support/cli.js';
import { describeKernel } from '../support/env.js';

const namespaces = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });

describeKernel('iptables lab helper', () => {
  test('namespace names carry the kpl- prefix, the pid and a counter', () => {
    const a = nextNetnsName();
    const b = nextNetnsName();
    expect(a).toMatch(new RegExp(`^kpl-${process.pid % 100000}-\\d+$`));
    expect(a).not.toBe(b);
  });

  test('close() removes every namespace the lab made', async () => {
    const lab = await createLab({ nodeIPs: ['192.0.2.1'], endpoints: [{ ip: '10.9.0.1', port: 80, protocol: 'TCP' }] });
    expect(namespaces()).toContain(lab.node);
    await lab.close();
    const left = namespaces();
    for (const ns of [lab.client, lab.node, lab.pods]) expect(left).not.toContain(ns);
  }, 120_000);

  test('a payload iptables-restore rejects is a LabError with the command, its stderr and a hint', async () => {
    const lab = await createLab({ nodeIPs: [], endpoints: [] });
    try {
      const bad = '*filter\n:KUBE-X - [0:0]\n-A KUBE-X -j NO-SUCH-CHAIN\nCOMMIT\n';
      const err = await applyIptables(lab.node, bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LabError);
      const e = err as LabError;
      expect(e.command).toContain('iptables-restore');
      expect(e.stderr).toMatch(/line: \d+/);
      expect(e.hint).toMatch(/line number/);
    } finally {
      await lab.close();
    }
  }, 120_000);

  test('the bench times iptables-restore of a full sync in a fresh namespace and removes it', async () => {
    const text = runCli(['rules', '--mode', 'iptables', '-f', fixture('demo')]).stdout;
    const payload = { kind: 'iptables', part: 'iptables', header: '# iptables-save', text } as const;
    const ms = await kernelApplyMs(iptablesApplier, [payload]);
    expect(ms).toBeGreaterThan(0);
    const mine = new RegExp(`^kpl-${process.pid % 100000}-\\d+b\\b`, 'm');
    expect(namespaces()).not.toMatch(mine);
  }, 120_000);

  test('a missing program is a LabError too', async () => {
    await expect(run('kpl-no-such-program', [])).rejects.toBeInstanceOf(LabError);
  });
}, ['ip', 'iptables-restore']);
