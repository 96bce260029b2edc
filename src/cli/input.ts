// Loading the -f inputs of a command: manifests, completed by the control plane when they need it
// (applied manifests: no clusterIPs, workloads instead of Pods, no slices), then warnings on stderr.
import { type LoadedManifests, loadManifests } from '../cluster/load.js';
import type { ControlOptions } from '../control/complete.js';
import { UsageError } from '../errors.js';
import { printControlWarnings, printWarnings } from './io.js';

export interface InputOptions {
  /** Control-plane options (cluster command flags); completion runs only when the input needs it. */
  control?: ControlOptions;
  /** Run completion even if nothing seems missing (kubeplane cluster). */
  forceComplete?: boolean;
}

export async function loadInput(
  files: readonly string[] | undefined,
  flag = '-f/--file',
  options: InputOptions = {},
): Promise<LoadedManifests> {
  if (!files || files.length === 0) throw new UsageError(`${flag} is required (a file, a directory, or - for stdin)`);
  const loaded = await loadManifests(files);
  printWarnings(loaded.warnings);
  const { needsCompletion, completeCluster } = await import('../control/complete.js');
  if (!options.forceComplete && !needsCompletion(loaded.objects, loaded.workloads ?? [])) return loaded;
  const done = await completeCluster(loaded.objects, loaded.workloads ?? [], options.control ?? { nodes: 1 });
  printControlWarnings(done.warnings);
  const counts: Record<string, number> = {};
  for (const o of [...done.objects, ...done.workloads]) counts[o.kind] = (counts[o.kind] ?? 0) + 1;
  return { ...loaded, objects: done.objects, counts };
}
