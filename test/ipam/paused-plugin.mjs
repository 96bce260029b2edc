// The CNI plugin with the file store's crash seam used: `node paused-plugin.mjs <point>` runs one
// invocation (environment and stdin as the real plugin) and, at <point>, says "paused:<point>" on
// stderr and waits (up to 60 s) for the test to SIGKILL it. Imports the built library (dist/).
import { readFileSync, writeSync } from 'node:fs';
import { runCni } from '../../dist/ipam/cni.js';

const point = process.argv[2];
const hooks = {
  at(p) {
    if (p !== point) return;
    writeSync(2, `paused:${p}\n`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
  },
};
const outcome = await runCni(process.env, async () => readFileSync(0, 'utf8'), hooks);
if (outcome.stderr) writeSync(2, outcome.stderr);
if (outcome.stdout) writeSync(1, outcome.stdout);
process.exitCode = outcome.exitCode;
