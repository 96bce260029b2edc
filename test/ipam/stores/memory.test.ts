import { MemoryIpamStore } from '../../../src/ipam/stores/memory.js';
import { describeIpamStore } from '../store.conformance.js';

describeIpamStore('memory', { create: async () => new MemoryIpamStore() });
