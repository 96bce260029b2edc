// Every file in fixtures/lenient/ breaks an API-server rule that kube-proxy itself reads past (its
// own proxier tests build such objects; clusters keep objects stored before a rule was tightened).
// Each states the field it must warn about: the set loads, the warning names that field, and the
// CLI exits 0 with the warning on stderr.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadManifests } from '../../src/cluster/load.js';
import { fixture, runCli } from '../support/cli.js';

const LENIENT = fixture('lenient');

const cases = readdirSync(LENIENT)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => {
    const head = readFileSync(join(LENIENT, f), 'utf8').split('\n')[0]!;
    const m = /^# warns: (.+)$/.exec(head);
    if (!m) throw new Error(`${f}: first line must be "# warns: field"`);
    return { name: f, file: join(LENIENT, f), field: m[1]! };
  });

describe('fixtures/lenient', () => {
  test('holds the relaxed rules', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  test.each(cases)('$name loads with a warning at $field', async ({ file, field }) => {
    const r = await loadManifests([file]);
    expect(r.warnings.map((w) => w.at.field)).toContain(field);
  });

  test.each(cases)('kubeplane validate -f $name exits 0 and warns about $field', ({ file, field }) => {
    const r = runCli(['validate', '-f', file]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`: ${field}: `);
  });

  test('a nodePort on a ClusterIP Service is programmed, as kube-proxy does', () => {
    const node =
      'apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus: {addresses: [{type: InternalIP, address: 192.168.0.2}]}\n';
    const file = join(LENIENT, 'service-node-port-clusterip.yaml');
    const r = runCli(['rules', '--mode', 'iptables', '-f', file, '-f', '-'], node);
    expect(r.status, r.stderr).toBe(0);
    // No endpoints: the node port is rejected in the filter table, like the cluster IP.
    expect(r.stdout).toContain(
      '-A KUBE-EXTERNAL-SERVICES -m comment --comment "shop/web:http has no endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j REJECT',
    );
  });
});
