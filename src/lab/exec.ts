// Running lab commands: execa with reject:false, bounded by a timeout, and every failure turned
// into a LabError that names the command and says what to do next.
import { execa } from 'execa';
import { LabError } from '../errors.js';

export interface RunOptions {
  input?: string;
  /** Milliseconds before the command is killed (default 30 s). */
  timeout?: number;
  /** What to tell the user when the command fails. */
  hint?: string;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  durationMs: number;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

const DEFAULT_HINT = 'the lab needs root (CAP_NET_ADMIN) and the Debian packages iproute2 and iptables';

export async function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const t0 = performance.now();
  const r = await execa(file, args, {
    reject: false,
    timeout: opts.timeout ?? 30_000,
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' }),
    stripFinalNewline: false,
    maxBuffer: 256 * 1024 * 1024,
  });
  const durationMs = performance.now() - t0;
  if (r.failed) {
    const command = [file, ...args].join(' ');
    const why = r.timedOut ? `timed out after ${opts.timeout ?? 30_000} ms` : String(r.stderr || r.message || '');
    throw new LabError(command, r.exitCode, why, opts.hint ?? DEFAULT_HINT);
  }
  return { stdout: String(r.stdout), stderr: String(r.stderr), durationMs };
}
