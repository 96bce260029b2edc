// The differential check of the emulator against the kernel (`kubeplane lab check`).
export { type Comparison, compare, type Observation, type Prediction } from './compare.js';
export { checkJson } from './json.js';
export { type CheckMode, type CheckRow, type LabCheckOptions, labCheck, MAX_CONNECTIONS } from './run.js';
export { checkTable } from './table.js';
export { type CheckTarget, checkTargets } from './targets.js';
