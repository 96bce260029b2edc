// kubeplane's public API: what a program that imports the package gets. Each line names one
// capability; everything else is internal.

export { type Informer, type InformerHandler, startInformer } from './cluster/informer.js';
// Cluster objects: loading + validation, and the stores with their watch events.
export { type LoadedManifests, loadManifests, loadTexts } from './cluster/load.js';
export { MemoryClusterStore } from './cluster/memory-store.js';
export type { ClusterStore, StoreSnapshot, Watch, WatchEvent, WatchOptions } from './cluster/store.js';
export type * from './cluster/types.js';
export type { ManifestWarning } from './cluster/validate/index.js';
// Cluster DNS: the zone index and the pure lookup.
export { ZoneIndex } from './dns/index.js';
export { RCODE, type Rr, TYPE } from './dns/types.js';
export { DEFAULT_ZONE_OPTIONS, lookup, type ZoneOptions } from './dns/zone.js';
// Errors: every kind with a stable code.
export * from './errors.js';
export { allocateAll, RangeAllocator, releaseAll } from './ipam/allocator.js';
// IPAM: node pod CIDRs and host-local-style pod IPs over a store.
export { NodeCidrAllocator, parseNodeCidrConfig, planNodeCidrs } from './ipam/node-cidr-allocator.js';
export { parseRangeSet, RangeSet } from './ipam/range-set.js';
export type { IpamStore, Owner } from './ipam/store.js';
export { FileIpamStore } from './ipam/stores/file.js';
export { MemoryIpamStore } from './ipam/stores/memory.js';
// Addresses, as Kubernetes reads them.
export { formatIP, parseCIDR, parseCIDRSloppy, parseIP, parseIPSloppy } from './net/index.js';
// The proxy: one node's configuration, the change tracker and the mode seam.
export { type ProxyConfig, type ProxyConfigFlags, resolveProxyConfig, selectNodeName } from './proxy/config.js';
export { iptablesMode } from './proxy/iptables/mode.js';
export { ipvsMode } from './proxy/ipvs/mode.js';
export type { Payload, PayloadKind, Profile, ProxyMode, Syncer, SyncerOptions, SyncResult } from './proxy/mode.js';
export { nftablesMode } from './proxy/nftables/mode.js';
export { diffPayloads, type ReplayedDiff, renderFullSync, replayDiff, trackerFor } from './proxy/run.js';
export { buildProxyState, type ProxyState, ProxyTracker } from './proxy/state.js';
export type { ChangeSet, Endpoint, ServicePortInfo } from './proxy/types.js';
export { FULL_SYNC } from './proxy/types.js';
export { userspaceMode } from './proxy/userspace/mode.js';
