// Drift (a node's rules against what kube-proxy should have programmed) and label (names for
// hashed chains): both read dumps through src/dataplane and get the expected side as text.
export { hashLabels } from './chain-labels.js';
export { type DriftInput, type DriftResult, drift } from './drift.js';
export { type LabelResult, labelDump } from './label.js';
export type { ProbeContext } from './probes.js';
export type { DriftReport, Problem, ProblemKind, ProblemLine, ServiceDrift, UnknownChain } from './problems.js';
export type { DriftMode } from './ruleset.js';
