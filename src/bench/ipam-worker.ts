// A child process of the IPAM bench: ADD+DEL pairs through the library on a file store shared with
// other workers. argv: dataDir network pairs tag. Prints {start, end, pairs} (epoch ms) as JSON.
import { performance } from 'node:perf_hooks';
import { allocateAll, releaseAll } from '../ipam/allocator.js';
import { parseRangeSet } from '../ipam/range-set.js';
import { FileIpamStore } from '../ipam/stores/file.js';

const [dataDir, network, pairsText, tag] = process.argv.slice(2);
const pairs = Number(pairsText);
const sets = [parseRangeSet([{ subnet: '10.0.0.0/16' }], 'bench')];
const store = new FileIpamStore(dataDir!, network!);
const start = performance.timeOrigin + performance.now();
for (let i = 0; i < pairs; i++) {
  const owner = { containerId: `w${tag}-${i}`, ifname: 'eth0' };
  await allocateAll(store, sets, owner);
  await releaseAll(store, owner);
}
const end = performance.timeOrigin + performance.now();
process.stdout.write(`${JSON.stringify({ start, end, pairs })}\n`);
