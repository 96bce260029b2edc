// `kubeplane drift` and `kubeplane label` end to end through the built CLI, on the demo fixture's
// golden rules and on hand-made changes of them (the kernel versions are in test/lab/drift.test.ts).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fixture, ROOT, runCli } from '../support/cli.js';

const DEMO = fixture('demo');
const IPT = readFileSync(join(ROOT, 'rules/demo.iptables'), 'utf8');
const NFT = readFileSync(join(ROOT, 'rules/demo.nft'), 'utf8');
const NFT_JSON = readFileSync(join(ROOT, 'rules/demo.nft.json'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'kp-drift-'));
let n = 0;

function dump(text: string): string {
  const path = join(dir, `dump-${n++}`);
  writeFileSync(path, text);
  return path;
}

interface Report {
  drift: boolean;
  services: {
    service: string;
    problems: {
      kind: string;
      expected: string;
      actual: string;
      lines: { side: string; line: number; text: string }[];
    }[];
  }[];
  unknownChains: { chain: string; table: string; line: number; label?: string }[];
}

function drift(mode: string, text: string): { status: number | null; report: Report; stderr: string } {
  const r = runCli(['drift', '--mode', mode, '-f', DEMO, '--rules', dump(text), '--json']);
  return { status: r.status, report: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
}

const kinds = (r: Report) =>
  r.services.map((s) => ({ service: s.service, kinds: s.problems.map((p) => p.kind).sort() }));

describe('kubeplane drift --mode iptables', () => {
  test('the rules kube-proxy should have programmed are no drift (exit 0)', () => {
    const r = drift('iptables', IPT);
    expect(r.stderr).toMatch(/^drift: recognised KUBE-EXT external-traffic chains/);
    expect(r.status).toBe(0);
    expect(r.report).toEqual({ drift: false, services: [], unknownChains: [] });
  });

  test('rule order, counters, comments and hash spelling are not drift', () => {
    // The per-service entry rules of each table, in reverse order.
    const entry = (l: string) => l.startsWith('-A KUBE-SERVICES ') && l.includes(' -d ');
    const reordered = IPT.split(/(?=^\*)/m)
      .map((table) => {
        const lines = table.split('\n');
        const reversed = lines.filter(entry).reverse();
        let i = 0;
        return lines.map((l) => (entry(l) ? reversed[i++]! : l)).join('\n');
      })
      .join('');
    const text = reordered
      .replace(/ -m comment --comment (?:"[^"]*"|\S+)/g, '')
      .replace(/ \[0:0\]/g, ' [12:3456]')
      .replaceAll('KUBE-SEP-6E7XQMQ4RAYOWTTM', 'KUBE-SEP-RESPELTRESPELT22');
    const r = drift('iptables', text);
    expect(r.status).toBe(0);
    expect(r.report.drift).toBe(false);
  });

  test('a deleted endpoint chain (and its jump) is reported as that endpoint missing, for that Service', () => {
    const r = drift(
      'iptables',
      IPT.split('\n')
        .filter((l) => !l.includes('KUBE-SEP-EJJ3L23ZA35VLW6X'))
        .join('\n'),
    );
    expect(r.status).toBe(1);
    expect(r.report.services.map((s) => s.service)).toEqual(['kube-system/kube-dns:dns']);
    const missing = r.report.services[0]!.problems.filter((p) => p.kind === 'endpoint-missing');
    expect(missing).toMatchObject([{ expected: '10.244.1.3:53', actual: 'absent' }]);
    expect(missing[0]!.lines.some((l) => l.text.includes('--to-destination 10.244.1.3:53'))).toBe(true);
  });

  test('a changed probability is reported with both splits and the dump line', () => {
    const r = drift(
      'iptables',
      IPT.replace(
        '--probability 0.5000000000 -j KUBE-SEP-6E7XQMQ4RAYOWTTM',
        '--probability 0.2500000000 -j KUBE-SEP-6E7XQMQ4RAYOWTTM',
      ),
    );
    expect(r.status).toBe(1);
    expect(r.report.services).toEqual([
      {
        service: 'kube-system/kube-dns:dns',
        problems: [
          {
            kind: 'probability',
            expected: '10.244.0.3:53 50.00%, 10.244.1.3:53 50.00%',
            actual: '10.244.0.3:53 25.00%, 10.244.1.3:53 75.00%',
            lines: [expect.objectContaining({ side: 'actual', line: 84 })],
          },
        ],
      },
    ]);
  });

  test('a dropped affinity rule is reported for the endpoint that lost it', () => {
    const r = drift(
      'iptables',
      IPT.split('\n')
        .filter((l) => !l.includes('10.244.1.30:8080" -m recent'))
        .join('\n'),
    );
    expect(r.status).toBe(1);
    expect(r.report.services).toMatchObject([
      {
        service: 'shop/cart:http',
        problems: [
          {
            kind: 'affinity',
            expected: 'ClientIP affinity for 600 s',
            actual: 'no affinity to 10.244.1.30:8080 (of 3 endpoints)',
          },
        ],
      },
    ]);
  });

  test('a changed affinity timeout is reported with both timeouts', () => {
    const r = drift('iptables', IPT.replaceAll('--seconds 600', '--seconds 300'));
    expect(r.report.services).toMatchObject([
      {
        service: 'shop/cart:http',
        problems: [
          { kind: 'affinity-timeout', expected: 'ClientIP affinity for 600 s', actual: 'ClientIP affinity for 300 s' },
        ],
      },
    ]);
  });

  test('stray chains: one naming a Service is reported under it, one naming nothing as unknown', () => {
    const text = IPT.replace(
      ':KUBE-MARK-MASQ - [0:0]',
      ':KUBE-MARK-MASQ - [0:0]\n:KUBE-SEP-STRAYSTRAYSTRAY1 - [0:0]\n:KUBE-SVC-ZZZZZZZZZZZZZZZZ - [0:0]',
    ).replace(
      /\nCOMMIT\n$/,
      '\n-A KUBE-SEP-STRAYSTRAYSTRAY1 -m comment --comment shop/api:http -m tcp -p tcp -j DNAT --to-destination 10.244.9.9:80\nCOMMIT\n',
    );
    const r = drift('iptables', text);
    expect(r.status).toBe(1);
    expect(r.report.services).toMatchObject([
      {
        service: 'shop/api:http',
        problems: [
          {
            kind: 'extra-chain',
            expected: 'absent',
            actual: 'KUBE-SEP-STRAYSTRAYSTRAY1 (nat): shop/api:http -> 10.244.9.9:80',
          },
        ],
      },
    ]);
    expect(r.report.unknownChains).toEqual([
      { chain: 'KUBE-SVC-ZZZZZZZZZZZZZZZZ', table: 'nat', line: expect.any(Number) },
    ]);
  });

  test('a Service without endpoints that DNATs instead of rejecting is a verdict drift', () => {
    const text = IPT.replace(
      /-A KUBE-SERVICES -m comment --comment "shop\/reviews:http has no endpoints" (.*) -j REJECT/,
      '-A KUBE-SERVICES -m comment --comment "shop/reviews:http has no endpoints" $1 -j ACCEPT',
    );
    const r = drift('iptables', text);
    expect(kinds(r.report)).toEqual([{ service: 'shop/reviews:http', kinds: ['verdict', 'verdict'] }]);
    expect(r.report.services[0]!.problems[0]).toMatchObject({
      expected: expect.stringContaining('REJECT 100.00%'),
      actual: expect.stringContaining('ACCEPT 100.00%'),
    });
  });

  test('an older dump (KUBE-XLB, KUBE-MARK-DROP) is read and its shapes are named', () => {
    const text = IPT.replaceAll('KUBE-EXT-', 'KUBE-XLB-').replace(
      ':KUBE-MARK-MASQ - [0:0]',
      ':KUBE-MARK-MASQ - [0:0]\n:KUBE-MARK-DROP - [0:0]',
    );
    const r = drift('iptables', text);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('KUBE-XLB local-traffic chains (kube-proxy before 1.24)');
    expect(r.stderr).toContain('KUBE-MARK-DROP drop marks');
  });

  test('the text report names the Service and the problem in words', () => {
    const r = runCli([
      'drift',
      '--mode',
      'iptables',
      '-f',
      DEMO,
      '--rules',
      dump(IPT.replaceAll('--seconds 600', '--seconds 300')),
    ]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      'shop/cart:http\n  affinity timeout differs: expected ClientIP affinity for 600 s; found ClientIP affinity for 300 s',
    );
  });
});

describe('kubeplane drift --mode nftables', () => {
  test.each([
    { name: 'nft -f text', text: NFT },
    { name: 'nft -j JSON', text: NFT_JSON },
  ])('the expected rules as $name are no drift', ({ text }) => {
    const r = drift('nftables', text);
    expect(r.status).toBe(0);
    expect(r.report.drift).toBe(false);
  });

  test('a changed numgen split and a dropped service-ips element are reported per Service', () => {
    const text = NFT.replace(
      'numgen random mod 2 vmap { 0 : goto endpoint-SHKW4FT7-kube-system/kube-dns/udp/dns__10.244.0.3/53 , 1 : goto endpoint-4HJWWRW7-kube-system/kube-dns/udp/dns__10.244.1.3/53 }',
      'numgen random mod 3 vmap { 0 : goto endpoint-SHKW4FT7-kube-system/kube-dns/udp/dns__10.244.0.3/53 , 1 : goto endpoint-4HJWWRW7-kube-system/kube-dns/udp/dns__10.244.1.3/53 , 2 : goto endpoint-4HJWWRW7-kube-system/kube-dns/udp/dns__10.244.1.3/53 }',
    ).replace(
      'add element ip kube-proxy service-ips { 10.96.0.10 . tcp . 9153 : goto service-AS2KJYAD-kube-system/kube-dns/tcp/metrics }\n',
      '',
    );
    const r = drift('nftables', text);
    expect(r.status).toBe(1);
    const byService = Object.fromEntries(r.report.services.map((s) => [s.service, s.problems]));
    expect(byService['kube-system/kube-dns:dns']).toMatchObject([
      {
        kind: 'probability',
        expected: '10.244.0.3:53 50.00%, 10.244.1.3:53 50.00%',
        actual: '10.244.0.3:53 33.33%, 10.244.1.3:53 66.67%',
      },
    ]);
    expect(byService['kube-system/kube-dns:metrics']!.map((p) => p.kind)).toContain('endpoint-missing');
  });
});

describe('bad dumps', () => {
  test.each([
    {
      name: 'a truncated dump',
      text: IPT.slice(0, IPT.indexOf('COMMIT')),
      want: /line 1, column 1: table filter has no COMMIT/,
    },
    {
      name: 'a manifest instead of a dump',
      text: readFileSync(join(DEMO, '00-cluster.yaml'), 'utf8'),
      want: /line \d+, column \d+: line outside a table/,
    },
    { name: 'an empty file', text: '', want: /not an iptables-save dump/ },
    {
      name: 'a rule cut in the middle',
      text: IPT.replace('--to-destination 10.244.1.3:53', '--to-destination'),
      want: /line \d+, column \d+: --to-destination needs a value/,
    },
  ])('$name: exit 2 and the error names the line', ({ text, want }) => {
    const r = runCli(['drift', '--mode', 'iptables', '-f', DEMO, '--rules', dump(text)]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(want);
  });

  test('a missing dump file and a wrong mode are usage errors', () => {
    expect(runCli(['drift', '--mode', 'iptables', '-f', DEMO, '--rules', join(dir, 'nope')]).stderr).toMatch(
      /no such file/,
    );
    expect(runCli(['drift', '--mode', 'ipvs', '-f', DEMO, '--rules', dump(IPT)]).status).toBe(2);
  });
});

describe('kubeplane label', () => {
  const chains = [...IPT.matchAll(/^:(KUBE-(?:SVC|SEP|EXT|FW|SVL)-\S+)/gm)].map((m) => m[1]!);

  test('every hashed chain of a commented dump is named from its comments', () => {
    const r = runCli(['label', '--mode', 'iptables', '--rules', dump(IPT)]);
    expect(r.status).toBe(0);
    for (const c of chains)
      expect(r.stdout).toMatch(new RegExp(`^:${c} .*\\n# ${c}: \\S+/\\S+.* \\(from the comment\\)$`, 'm'));
    expect(r.stdout).toContain(
      '# KUBE-SEP-EJJ3L23ZA35VLW6X: kube-system/kube-dns:dns -> 10.244.1.3:53 (from the comment)',
    );
  });

  test('with comments stripped, every chain is named from the hashes of the cluster (-f), the same way', () => {
    const stripped = IPT.replace(/ -m comment --comment (?:"[^"]*"|\S+)/g, '');
    const r = runCli(['label', '--mode', 'iptables', '--rules', dump(stripped), '-f', DEMO]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const commented = runCli(['label', '--mode', 'iptables', '--rules', dump(IPT)]).stdout;
    for (const c of chains) {
      const fromHash = new RegExp(`^# ${c}: (.*) \\(from the hash\\)$`, 'm').exec(r.stdout)?.[1];
      const fromComment = new RegExp(`^# ${c}: (.*) \\(from the comment\\)$`, 'm').exec(commented)?.[1];
      expect(fromHash, c).toBeDefined();
      // A FW / EXT / SVL chain's comment names the port, as the hash does.
      expect(fromHash).toBe(fromComment);
    }
  });

  test('without comments or -f, chains are left unknown and stderr says how to name them', () => {
    const stripped = IPT.replace(/ -m comment --comment (?:"[^"]*"|\S+)/g, '');
    const r = runCli(['label', '--mode', 'iptables', '--rules', dump(stripped)]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('# KUBE-SEP-EJJ3L23ZA35VLW6X: unknown');
    expect(r.stderr).toMatch(/give -f CLUSTER/);
  });

  test('nftables chains are named from their readable names', () => {
    const r = runCli(['label', '--mode', 'nftables', '--rules', dump(NFT)]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('kube-system/kube-dns:dns -> 10.244.1.3:53 (from its name)');
  });
});
