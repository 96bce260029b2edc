import { MemoryClusterStore } from '../../src/cluster/memory-store.js';
import { clusterStoreConformance } from './store.conformance.js';

clusterStoreConformance('memory', async (options) => new MemoryClusterStore([], options));
