// Read-only view of a host-local style data dir for `kubeplane ipam show`: every network directory,
// its reservations, cursors, and the range sets kubeplane-ipam recorded (.kubeplane/ranges.json).
// Works on directories host-local wrote too (then ranges are unknown unless a config is given).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { IpamError } from '../../errors.js';
import { readFileBounded } from '../read-bounded.js';
import { parseOwnerRecord } from '../store.js';
import { isAddressFileName, MAX_STORE_FILE_BYTES } from './file.js';

/** A data-dir file, bounded: a huge or endless one is an error naming it, not a hang. */
function readDataFile(path: string): string {
  const text = readFileBounded(path, MAX_STORE_FILE_BYTES);
  if (text === undefined)
    throw new IpamError('io', `${path}: more than ${MAX_STORE_FILE_BYTES} bytes; not a host-local data file`, path);
  return text;
}

export interface NetworkDirState {
  readonly network: string;
  readonly dir: string;
  readonly allocations: { ip: string; containerId?: string; ifname?: string; empty?: true }[];
  /** last_reserved_ip.<n> -> IP */
  readonly cursors: Record<string, string>;
  /** Raw range sets recorded by kubeplane-ipam, if any. */
  readonly recordedRanges?: unknown;
}

function isNetworkDir(dir: string): boolean {
  return readdirSync(dir).some((n) => n === 'lock' || n.startsWith('last_reserved_ip.') || isAddressFileName(n));
}

function readNetwork(network: string, dir: string): NetworkDirState {
  const allocations: NetworkDirState['allocations'] = [];
  const cursors: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (name.startsWith('last_reserved_ip.'))
      cursors[name.slice('last_reserved_ip.'.length)] = readDataFile(path).trim();
    else if (isAddressFileName(name) && statSync(path).isFile()) {
      const o = parseOwnerRecord(readDataFile(path));
      allocations.push(o ? { ip: name, containerId: o.containerId, ifname: o.ifname } : { ip: name, empty: true });
    }
  }
  const rangesPath = join(dir, '.kubeplane', 'ranges.json');
  let recordedRanges: unknown;
  if (existsSync(rangesPath)) {
    try {
      recordedRanges = JSON.parse(readDataFile(rangesPath));
    } catch {
      recordedRanges = undefined;
    }
  }
  return { network, dir, allocations, cursors, ...(recordedRanges !== undefined ? { recordedRanges } : {}) };
}

/** `dir` is either a data dir (one subdirectory per network) or one network's directory. */
export function inspectDataDir(dir: string): NetworkDirState[] {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(dir);
  } catch (err) {
    throw new IpamError('invalid-config', `dataDir ${dir}: no such directory`, dir, { cause: err }).about('dataDir');
  }
  if (!st.isDirectory()) throw new IpamError('invalid-config', `dataDir ${dir}: not a directory`, dir).about('dataDir');
  if (isNetworkDir(dir)) return [readNetwork(dir.replace(/\/+$/, '').split('/').pop() ?? dir, dir)];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort()
    .map((n) => readNetwork(n, join(dir, n)));
}
