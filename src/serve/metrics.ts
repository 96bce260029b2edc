// The agent's /metrics, under kube-proxy's metric names so dashboards built for it read ours.
import { Histogram } from '../metrics/index.js';

const BUCKETS = [
  0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384,
];

export class AgentMetrics {
  readonly syncDuration = new Histogram(
    'kubeproxy_sync_proxy_rules_duration_seconds',
    'SyncProxyRules latency in seconds',
    [],
    BUCKETS,
  );
  readonly networkProgramming = new Histogram(
    'kubeproxy_network_programming_duration_seconds',
    'In Cluster Network Programming Latency in seconds (from the store write to the synced rules)',
    [],
    BUCKETS,
  );
  lastSyncSeconds = 0;
  serviceChanges = 0;
  endpointChanges = 0;
  fullSyncs = 0;
  partialSyncs = 0;
  resyncs = 0;

  text(): string {
    const counter = (name: string, help: string, v: number) => [
      `# HELP ${name} ${help}`,
      `# TYPE ${name} counter`,
      `${name} ${v}`,
    ];
    return `${[
      this.syncDuration.render(),
      '# HELP kubeproxy_sync_proxy_rules_last_timestamp_seconds The last time proxy rules were successfully synced',
      '# TYPE kubeproxy_sync_proxy_rules_last_timestamp_seconds gauge',
      `kubeproxy_sync_proxy_rules_last_timestamp_seconds ${this.lastSyncSeconds}`,
      ...counter(
        'kubeproxy_sync_proxy_rules_service_changes_total',
        'Cumulative proxy rules Service changes',
        this.serviceChanges,
      ),
      ...counter(
        'kubeproxy_sync_proxy_rules_endpoint_changes_total',
        'Cumulative proxy rules Endpoint changes',
        this.endpointChanges,
      ),
      this.networkProgramming.render(),
      ...counter('kubeplane_sync_full_total', 'Full syncs', this.fullSyncs),
      ...counter('kubeplane_sync_partial_total', 'Partial syncs', this.partialSyncs),
      ...counter('kubeplane_store_resyncs_total', 'Re-lists after the watch position was lost', this.resyncs),
    ].join('\n')}\n`;
  }
}
