// The lab's public surface: namespaces, rule loading, echo backends and the probe client.
export { type ApplyOptions, applyIptables } from './apply-iptables.js';
export { isRoot, run } from './exec.js';
export { createNetns, deleteNetns, flushConntrack, inNetns, nextNetnsName } from './netns.js';
export { type ProbeRequest, type ProbeResult, probe, reached } from './probe.js';
export { labSpecFromState } from './spec.js';
export { createLab, type Lab, type LabSpec } from './topology.js';
