// Prometheus metrics under CoreDNS's names (plugin/metrics, plugin/cache), in text format 0.0.4.
// The counters and histograms are src/metrics'; cheap enough for the query path.
import { Counter, Histogram } from '../metrics/index.js';

/** CoreDNS's `type` label: the common types by name, everything else "other". */
const TYPE_LABELS = new Map<number, string>([
  [1, 'A'],
  [28, 'AAAA'],
  [15, 'MX'],
  [6, 'SOA'],
  [5, 'CNAME'],
  [12, 'PTR'],
  [16, 'TXT'],
  [2, 'NS'],
  [33, 'SRV'],
  [43, 'DS'],
  [48, 'DNSKEY'],
  [46, 'RRSIG'],
  [47, 'NSEC'],
  [50, 'NSEC3'],
  [65, 'HTTPS'],
  [251, 'IXFR'],
  [252, 'AXFR'],
  [255, 'ANY'],
]);

export function typeLabel(type: number | undefined): string {
  return (type !== undefined && TYPE_LABELS.get(type)) || 'other';
}

const DURATION_BUCKETS = Array.from({ length: 16 }, (_, i) => 0.00025 * 2 ** i);
const SIZE_BUCKETS = [0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16000, 32000, 48000, 64000];

export interface CacheGauge {
  size: number;
  stats: { hits: { success: number; denial: number }; misses: number; evictions: number };
}

export class DnsMetrics {
  readonly requests = new Counter(
    'coredns_dns_requests_total',
    'Counter of DNS requests made per zone, protocol and family.',
    ['server', 'zone', 'view', 'proto', 'family', 'type'],
  );
  readonly responses = new Counter('coredns_dns_responses_total', 'Counter of response status codes.', [
    'server',
    'zone',
    'view',
    'rcode',
    'plugin',
  ]);
  readonly duration = new Histogram(
    'coredns_dns_request_duration_seconds',
    'Histogram of the time (in seconds) each request took.',
    ['server', 'zone', 'view', 'type'],
    DURATION_BUCKETS,
  );
  readonly requestSize = new Histogram(
    'coredns_dns_request_size_bytes',
    'Size of the EDNS0 UDP buffer in bytes (64K for TCP).',
    ['server', 'zone', 'view', 'proto'],
    SIZE_BUCKETS,
  );
  readonly responseSize = new Histogram(
    'coredns_dns_response_size_bytes',
    'Size of the returned response in bytes.',
    ['server', 'zone', 'view', 'proto'],
    SIZE_BUCKETS,
  );
  readonly doRequests = new Counter(
    'coredns_dns_do_requests_total',
    'Counter of DNS requests with DO bit set per zone.',
    ['server', 'view', 'zone'],
  );
  readonly panics = new Counter('coredns_panics_total', 'A metrics that counts the number of panics.', []);
  readonly forwardRequests = new Counter('coredns_forward_requests_total', 'Counter of requests made per upstream.', [
    'to',
  ]);
  readonly forwardRejects = new Counter(
    'coredns_forward_max_concurrent_rejects_total',
    'Counter of the number of queries rejected because the concurrent queries were at maximum.',
    [],
  );
  readonly forwardFailures = new Counter(
    'coredns_forward_responses_failures_total',
    'Counter of upstream failures (timeouts, errors).',
    ['to'],
  );
  cache: CacheGauge | undefined;

  constructor(readonly server: string) {}

  render(): string {
    const s = this.server;
    const parts = [
      `# HELP coredns_build_info A metric with a constant '1' value labeled by version, revision, and goversion from which CoreDNS was built.\n# TYPE coredns_build_info gauge\ncoredns_build_info{version="kubeplane",revision="",goversion="node-${process.versions.node}"} 1`,
      this.requests.render(),
      this.responses.render(),
      this.duration.render(),
      this.requestSize.render(),
      this.responseSize.render(),
      this.doRequests.render(),
      this.panics.render(),
      this.forwardRequests.render(),
      this.forwardFailures.render(),
      this.forwardRejects.render(),
    ];
    const c = this.cache;
    if (c) {
      const l = (type: string) => `{server="${s}",type="${type}",zones=".",view=""}`;
      parts.push(
        `# HELP coredns_cache_entries The number of elements in the cache.\n# TYPE coredns_cache_entries gauge\ncoredns_cache_entries${l('success')} ${c.size}`,
        `# HELP coredns_cache_hits_total The count of cache hits.\n# TYPE coredns_cache_hits_total counter\ncoredns_cache_hits_total${l('success')} ${c.stats.hits.success}\ncoredns_cache_hits_total${l('denial')} ${c.stats.hits.denial}`,
        `# HELP coredns_cache_misses_total The count of cache misses.\n# TYPE coredns_cache_misses_total counter\ncoredns_cache_misses_total{server="${s}",zones=".",view=""} ${c.stats.misses}`,
        `# HELP coredns_cache_requests_total The count of cache requests.\n# TYPE coredns_cache_requests_total counter\ncoredns_cache_requests_total{server="${s}",zones=".",view=""} ${c.stats.misses + c.stats.hits.success + c.stats.hits.denial}`,
        `# HELP coredns_cache_evictions_total The count of cache evictions.\n# TYPE coredns_cache_evictions_total counter\ncoredns_cache_evictions_total{server="${s}",type="success",zones=".",view=""} ${c.stats.evictions}`,
      );
    }
    return `${parts.join('\n')}\n`;
  }
}
