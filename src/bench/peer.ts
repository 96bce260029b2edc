// The Go peer: kube-proxy's own iptables renderer (v1.13 line), timed by the script kept beside the
// project (shared/peer/go-kube-proxy/run.sh) in the same run as our bench, so their ratio holds on
// a noisy machine. The script prints one JSON object; this reads it and nothing else.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchError } from '../errors.js';

export interface GoPeerCase {
  services: number;
  endpointsPerService: number;
  coldMsMedian: number;
  warmMsMedian: number;
  payloadBytes: number;
  payloadLines: number;
  bytesPerOp: number;
  allocsPerOp: number;
}

export interface GoPeerReport {
  peer: string;
  commit: string;
  go: string;
  covers: Record<string, string>;
  cases: GoPeerCase[];
}

/** The sizes the peer's bench file has benchmarks for. */
export const GO_PEER_SIZES: readonly number[] = [1000, 5000, 10000];

const RUNNER = join('shared', 'peer', 'go-kube-proxy', 'run.sh');

/**
 * Where run.sh is: $KUBEPLANE_GO_PEER_RUN, else `../shared/...` from the working directory, the
 * package root or the directory above it (a git worktree sits one level deeper than the main tree).
 */
export function findGoPeerRunner(cwd = process.cwd()): string | undefined {
  const env = process.env.KUBEPLANE_GO_PEER_RUN;
  if (env) return existsSync(env) ? resolve(env) : undefined;
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  for (const base of [cwd, root, join(root, '..')]) {
    const p = resolve(base, '..', RUNNER);
    if (existsSync(p)) return p;
  }
  return undefined;
}

export function parseGoPeerReport(text: string): GoPeerReport {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new BenchError(`go peer: its output is not JSON: ${text.slice(0, 200)}`, { cause: err });
  }
  const r = v as Partial<GoPeerReport>;
  if (!r || !Array.isArray(r.cases) || r.cases.some((c) => typeof c?.coldMsMedian !== 'number'))
    throw new BenchError(`go peer: its JSON has no cases with coldMsMedian: ${text.slice(0, 200)}`);
  return r as GoPeerReport;
}

/** Run the peer for `sizes` (those it has benchmarks for) on the git dir `gitDir`. */
export async function runGoPeer(gitDir: string, sizes: readonly number[]): Promise<GoPeerReport> {
  const runner = findGoPeerRunner();
  if (!runner)
    throw new BenchError(`go peer: ${RUNNER} not found beside the project (set KUBEPLANE_GO_PEER_RUN to its path)`);
  if (!existsSync(gitDir))
    throw new BenchError(`go peer: no such directory ${gitDir} (a git dir of github:pmichali/kubernetes)`);
  const wanted = sizes.filter((n) => GO_PEER_SIZES.includes(n));
  if (wanted.length === 0)
    throw new BenchError(
      `go peer: none of the sizes ${sizes.join(',')} is one it measures (${GO_PEER_SIZES.join(', ')})`,
    );
  const { execa } = await import('execa');
  const r = await execa(runner, [gitDir, wanted.join(' ')], { reject: false, timeout: 1_800_000, stdin: 'ignore' });
  if (r.failed)
    throw new BenchError(
      `go peer: ${runner} failed (exit ${r.exitCode}): ${String(r.stderr).split('\n').slice(-5).join('\n')}`,
    );
  return parseGoPeerReport(String(r.stdout));
}
