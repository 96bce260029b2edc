import { describe, expect, test } from 'vitest';
import { parseGoPeerReport, runGoPeer } from '../../src/bench/peer.js';

describe('the Go peer report', () => {
  test('reads run.sh output', () => {
    const text =
      '{"peer":"kube-proxy iptables (Go, v1.13 line)","commit":"14e4","go":"go1.19.8","covers":{},"cases":[{"services":10000,"endpointsPerService":10,"coldMsMedian":1385.205,"warmMsMedian":1299.557,"bytesPerOp":1,"allocsPerOp":1,"payloadBytes":31944415,"payloadLines":430017}]}';
    expect(parseGoPeerReport(text).cases[0]!.warmMsMedian).toBe(1299.557);
  });

  test.each([
    { name: 'not JSON', text: 'go: build failed', want: /not JSON/ },
    { name: 'no cases', text: '{"peer":"x"}', want: /no cases/ },
    { name: 'a case without its cold median', text: '{"cases":[{"services":1000}]}', want: /coldMsMedian/ },
  ])('refuses $name with KP_BENCH', ({ text, want }) => {
    expect(() => parseGoPeerReport(text)).toThrow(want);
    try {
      parseGoPeerReport(text);
    } catch (err) {
      expect((err as { code: string }).code).toBe('KP_BENCH');
    }
  });

  test('a git dir that does not exist is named', async () => {
    process.env.KUBEPLANE_GO_PEER_RUN = '/bin/true';
    try {
      await expect(runGoPeer('/nonexistent/kubernetes', [1000])).rejects.toThrow(
        /no such directory \/nonexistent\/kubernetes/,
      );
    } finally {
      delete process.env.KUBEPLANE_GO_PEER_RUN;
    }
  });
});
