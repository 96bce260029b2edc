// Loading the -f inputs of a command: manifests, then warnings on stderr.
import { type LoadedManifests, loadManifests } from '../cluster/load.js';
import { UsageError } from '../errors.js';
import { printWarnings } from './io.js';

export async function loadInput(files: readonly string[] | undefined, flag = '-f/--file'): Promise<LoadedManifests> {
  if (!files || files.length === 0) throw new UsageError(`${flag} is required (a file, a directory, or - for stdin)`);
  const loaded = await loadManifests(files);
  printWarnings(loaded.warnings);
  return loaded;
}
