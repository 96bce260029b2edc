// `kubeplane trace` end to end through the built CLI, on the demo fixture (node-a).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fixture, runCli } from '../support/cli.js';

const DEMO = fixture('demo');
const base = ['trace', '-f', DEMO, '--node', 'node-a'];

describe.each(['iptables'])('kubeplane trace --mode %s', (mode) => {
  test('a pod to kube-dns is DNATed to one of its two endpoints, with the rules on the way', () => {
    const r = runCli([
      ...base,
      '--mode',
      mode,
      '--from',
      '10.244.0.5',
      '--to',
      '10.96.0.10:53',
      '--proto',
      'udp',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.verdict).toBe('DNAT');
    expect(['10.244.0.3:53', '10.244.1.3:53']).toContain(j.endpoint);
    expect(j.masquerade).toBe(false);
    expect(j.path.some((s: { text: string }) => s.text.includes('kube-system/kube-dns:dns cluster IP'))).toBe(true);
  });
  test('--count splits new connections and reports the expected split and chi-square p', () => {
    const r = runCli([
      ...base,
      '--mode',
      mode,
      '--from',
      '10.244.0.5',
      '--to',
      '10.96.0.10:53',
      '--proto',
      'udp',
      '--count',
      '2000',
      '--seed',
      '9',
      '--json',
    ]);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.expected).toEqual({ '10.244.0.3:53': 0.5, '10.244.1.3:53': 0.5 });
    expect(Object.values(j.counts as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(2000);
    expect(j.chiSquareP).toBeGreaterThan(0.001);
  });
  test('a Service without endpoints is rejected; the text names the deciding rule and its line', () => {
    const r = runCli([...base, '--mode', mode, '--from', '10.244.0.5', '--to', '10.96.10.90:80']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /filter KUBE-SERVICES #\d+ \(line \d+\): .*shop\/reviews:http has no endpoints.*-j REJECT/,
    );
    expect(r.stdout).toMatch(/verdict: REJECT\n/);
  });
});

describe('kubeplane trace --rules (a saved dump)', () => {
  test('traces a dump with --node-ip as the LOCAL addresses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-trace-'));
    const dump = join(dir, 'save.txt');
    writeFileSync(
      dump,
      '*nat\n:PREROUTING ACCEPT [0:0]\n:NP - [0:0]\n-A PREROUTING -m addrtype --dst-type LOCAL -j NP\n-A NP -p tcp -m tcp --dport 30080 -j DNAT --to-destination 10.244.1.1:80\nCOMMIT\n',
    );
    const run = (to: string) =>
      JSON.parse(
        runCli([
          'trace',
          '--mode',
          'iptables',
          '--rules',
          dump,
          '--node-ip',
          '192.168.1.10',
          '--from',
          '203.0.113.1',
          '--to',
          to,
          '--json',
        ]).stdout,
      );
    expect(run('192.168.1.10:30080')).toMatchObject({ verdict: 'DNAT', endpoint: '10.244.1.1:80' });
    expect(run('192.168.1.11:30080')).toMatchObject({ verdict: 'ACCEPT', endpoint: null });
  });
  test('a dump with an unsupported match fails with the line, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-trace-'));
    const dump = join(dir, 'bad.txt');
    writeFileSync(dump, '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m multiport --dports 1,2 -j DROP\nCOMMIT\n');
    const r = runCli(['trace', '--mode', 'iptables', '--rules', dump, '--from', '10.0.0.1', '--to', '10.0.0.2:1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/line 3, column 13: match module "multiport" is not supported/);
  });
  test('bad flags exit 2 naming the flag', () => {
    expect(runCli([...base, '--mode', 'iptables', '--from', '10.0.0.1', '--to', '10.0.0.2']).stderr).toMatch(/--to/);
    const bad = runCli([...base, '--mode', 'bpf', '--from', '10.0.0.1', '--to', '10.0.0.2:80']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--mode must be iptables, nftables or ipvs/);
  });
});

describe('kubeplane trace --mode ipvs', () => {
  const ipvs = [...base, '--mode', 'ipvs'];
  test('a pod to a ClusterIP: scheduled by the virtual server, with the set matches on the way', () => {
    const r = runCli([...ipvs, '--from', '10.244.0.5', '--to', '10.96.10.20:80', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ verdict: 'DNAT', endpoint: '10.244.0.20:8080', masquerade: false });
    expect(j.path.find((s: { table: string }) => s.table === 'ipvs')).toMatchObject({
      chain: 'LOCAL_IN',
      text: 'virtual service -t 10.96.10.20:80 -s rr: scheduled to 10.244.0.20:8080 (weight 1)',
    });
  });

  test('--count over rr: an even split, expected and chi-square p in the JSON', () => {
    const r = runCli([...ipvs, '--from', '10.244.0.5', '--to', '10.96.10.40:80', '--count', '300', '--json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.counts).toEqual({ '10.244.0.40:9200': 100, '10.244.1.40:9200': 100, '10.244.2.40:9200': 100 });
    expect(Object.keys(j.expected).sort()).toEqual(Object.keys(j.counts));
    expect(j.chiSquareP).toBeGreaterThan(0.99);
  });

  test('--rules: a saved ipvsadm-save -n + ipset save + iptables-save dump, LOCAL addresses from --node-ip', () => {
    const rules = runCli(['rules', '--mode', 'ipvs', '-f', DEMO, '--node', 'node-a']);
    expect(rules.status).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'kp-trace-ipvs-'));
    const dump = join(dir, 'node-a.ipvs');
    writeFileSync(dump, rules.stdout);
    const r = runCli([
      'trace',
      '--mode',
      'ipvs',
      '--rules',
      dump,
      '--node-ip',
      '192.168.49.2',
      '--from',
      '192.0.2.9',
      '--to',
      '192.168.49.2:30081',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^ipvs LOCAL_IN #1 \(line \d+\): virtual service -t 192.168.49.2:30081 -s rr: scheduled to/m,
    );
    expect(r.stdout).toMatch(/verdict: DNAT to 10.244.0.20:8080, masqueraded/);
    writeFileSync(dump, `${rules.stdout}-A -t 10.0.0.1:80 -s rr -w\nbogus line\n`);
    const bad = runCli(['trace', '--mode', 'ipvs', '--rules', dump, '--from', '10.0.0.1', '--to', '10.0.0.2:1']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/line \d+/);
  });
});
