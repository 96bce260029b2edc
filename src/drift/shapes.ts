// Which kube-proxy versions' rule shapes a dump holds, said in words, so a report on an older node
// says what it recognised (the parsers and evaluators accept all of these).
import type { DriftMode } from './ruleset.js';

interface Shape {
  readonly test: RegExp;
  readonly words: string;
}

const IPTABLES_SHAPES: readonly Shape[] = [
  { test: /^:KUBE-EXT-/m, words: 'KUBE-EXT external-traffic chains (kube-proxy 1.24 and later)' },
  { test: /^:KUBE-XLB-/m, words: 'KUBE-XLB local-traffic chains (kube-proxy before 1.24)' },
  { test: /^:KUBE-SVL-/m, words: 'KUBE-SVL local-policy chains (kube-proxy 1.24 and later)' },
  {
    test: /^:KUBE-MARK-DROP /m,
    words: 'KUBE-MARK-DROP drop marks (older kube-proxy; current releases no longer write it)',
  },
  { test: /-m recent /, words: 'recent-list ClientIP affinity (-m recent)' },
  { test: /^:KUBE-PROXY-FIREWALL /m, words: 'KUBE-PROXY-FIREWALL source-range drops in filter (newer kube-proxy)' },
  { test: /has no endpoints" .*-j REJECT/, words: 'REJECT for Services without endpoints' },
  { test: /-m nfacct /, words: 'nfacct counters (newer kube-proxy)' },
];

const NFT_SHAPES: readonly Shape[] = [
  { test: /\bnumgen random mod\b/, words: 'numgen endpoint choice (nftables mode)' },
  { test: /affinity-/, words: 'affinity sets with timeouts' },
  { test: /cluster-ips/, words: 'the cluster-ips set' },
];

export function recognisedShapes(mode: DriftMode, text: string): string[] {
  const shapes = mode === 'iptables' ? IPTABLES_SHAPES : NFT_SHAPES;
  return shapes.filter((s) => s.test.test(text)).map((s) => s.words);
}
