import { describe, expect, test } from 'vitest';
import { benchChart } from '../../src/bench/chart.js';
import type { GoPeerReport } from '../../src/bench/peer.js';
import { onePercent, type ProxyBenchReport, runProxyBench } from '../../src/bench/proxy.js';
import { iptablesMode } from '../../src/proxy/iptables/mode.js';
import type { ProxyMode } from '../../src/proxy/mode.js';
import { nftablesMode } from '../../src/proxy/nftables/mode.js';

const modes = [
  { name: 'iptables', mode: iptablesMode as ProxyMode },
  { name: 'nftables', mode: nftablesMode as ProxyMode },
];

function fakePeer(ms: number): (sizes: readonly number[]) => Promise<GoPeerReport> {
  return async (sizes) => ({
    peer: 'test double of the Go peer',
    commit: '0',
    go: 'none',
    covers: {},
    cases: sizes.map((services) => ({
      services,
      endpointsPerService: 4,
      coldMsMedian: ms * 2,
      warmMsMedian: ms,
      payloadBytes: 1,
      payloadLines: 1,
      bytesPerOp: 1,
      allocsPerOp: 1,
    })),
  });
}

describe('runProxyBench', () => {
  let report: ProxyBenchReport;
  test('measures every case per mode and size: full, one service, one endpoint, 1 % of services', async () => {
    report = await runProxyBench({
      modes,
      services: [40, 300],
      endpoints: 4,
      nodes: 7,
      repeat: 2,
      warmup: 0,
      kernelRepeat: 1,
      kernel: false,
      seed: 1,
      peer: fakePeer(1000),
    });
    const kinds = report.cases.map((c) => `${c.mode} ${c.services} ${c.sync} ${c.servicesChanged}`);
    expect(kinds).toEqual([
      'iptables 40 full 40',
      'iptables 40 partial-service 1',
      'iptables 40 partial-endpoint 1',
      'iptables 40 partial-1pct 1',
      'iptables 300 full 300',
      'iptables 300 partial-service 1',
      'iptables 300 partial-endpoint 1',
      'iptables 300 partial-1pct 3',
      'nftables 40 full 40',
      'nftables 40 partial-service 1',
      'nftables 40 partial-endpoint 1',
      'nftables 40 partial-1pct 1',
      'nftables 300 full 300',
      'nftables 300 partial-service 1',
      'nftables 300 partial-endpoint 1',
      'nftables 300 partial-1pct 3',
    ]);
    for (const c of report.cases) {
      expect(c.endpoints).toBe(c.services * 4);
      expect(c.nodes).toBe(7);
      expect(c.renderMsP90).toBeGreaterThanOrEqual(c.renderMsMedian);
      expect(c.payloadBytes).toBeGreaterThan(0);
      expect(Number.isFinite(c.heapGrowthMiBMedian)).toBe(true);
      expect(c.kernelApplyMsMedian).toBeNull();
    }
  });

  test('a 1 % change rewrites three services: its payload is larger than one service’s', () => {
    const at = (mode: string, sync: string) =>
      report.cases.find((c) => c.mode === mode && c.services === 300 && c.sync === sync)!;
    // nftables partial payloads hold only what changed.
    expect(at('nftables', 'partial-1pct').payloadBytes).toBeGreaterThan(
      2 * at('nftables', 'partial-service').payloadBytes,
    );
    // A full iptables sync writes at least a rule per endpoint and per service.
    expect(at('iptables', 'full').rules).toBeGreaterThan(300 * 4);
    expect(at('nftables', 'full').elements).toBeGreaterThan(0);
  });

  test('the peer ratio is our full iptables render over the Go peer’s min(cold, warm)', () => {
    const withPeer = report.cases.filter((c) => c.peer);
    expect(withPeer.map((c) => `${c.mode} ${c.services} ${c.sync}`)).toEqual(['iptables 40 full', 'iptables 300 full']);
    for (const c of withPeer) {
      expect(c.peer!.goWarmMsMedian).toBe(1000);
      expect(c.peer!.ratioToGoMin).toBeCloseTo(c.renderMsMedian / 1000, 3);
    }
    expect(report.peer?.peer).toBe('test double of the Go peer');
  });

  test('the chart draws each mode’s series and the peer on log axes', () => {
    const svg = benchChart({ ...report, command: 'kubeplane bench --services 40,300 <&>' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    for (const label of [
      'iptables render',
      'nftables render',
      'iptables service',
      'nftables 1pct',
      'Go kube-proxy v1.13 render (theirs)',
    ])
      expect(svg).toContain(`>${label}</text>`);
    expect(svg).toContain('services (log)');
    expect(svg).toContain('&lt;&amp;&gt;');
    expect(svg).not.toContain('NaN');
    // No kernel figures were measured, so no kernel series.
    expect(svg).not.toContain('>iptables kernel apply<');
  });
});

describe('onePercent', () => {
  test.each([
    { name: 'one service of a small cluster', n: 40, want: [20] },
    { name: 'three spread over 300', n: 300, want: [50, 150, 250] },
    { name: 'a hundred of 10,000, distinct', n: 10_000, count: 100 },
  ])('$name', ({ n, want, count }) => {
    const got = onePercent(n);
    if (want) expect(got).toEqual(want);
    if (count) {
      expect(new Set(got).size).toBe(count);
      expect(Math.max(...got)).toBeLessThan(n);
    }
  });
});
