// The steps of upstream's TestSyncProxyRulesRepeated, as fixtures/upstream-iptables/sync-repeated/<step>.
export const SYNC_REPEATED_STEPS = [
  '1-initial',
  '2-add-service',
  '3-delete-service',
  '4-add-service-without-endpoints',
  '5-add-endpoints',
  '6-change-endpoint',
  '7-add-endpoint',
  '8-no-change',
  '9-delete-service-full-sync',
] as const;
