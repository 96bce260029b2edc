// Running plugin executables for the IPAM bench: one CNI call as a child process, timed wall-clock
// (process start included), and Node's bare start-up (`node -e 0`) measured the same way.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BenchError } from '../errors.js';

const TIME = '/usr/bin/time';

export interface ExecOutcome {
  ms: number;
  code: number | null;
  stdout: string;
}

export function execTimed(
  cmd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  input: string,
): Promise<ExecOutcome> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - t0, code, stdout }));
    // A child that exits without reading stdin (node -e 0) makes this write fail with EPIPE: harmless.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

export interface Plugin {
  readonly name: string;
  readonly cmd: string;
  readonly args: readonly string[];
}

export function cniEnv(command: string, containerId: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    CNI_COMMAND: command,
    CNI_CONTAINERID: containerId,
    CNI_NETNS: '/var/run/netns/bench',
    CNI_IFNAME: 'eth0',
    CNI_PATH: '/usr/lib/cni',
    ...extra,
  };
}

/** One CNI call; throws when the plugin reports an error. */
export async function cniCall(p: Plugin, command: string, containerId: string, config: string): Promise<number> {
  const r = await execTimed(p.cmd, p.args, cniEnv(command, containerId), config);
  if (r.code !== 0)
    throw new BenchError(`${p.name} ${command} ${containerId} failed (exit ${r.code}): ${r.stdout.trim()}`);
  return r.ms;
}

export async function nodeStartMs(): Promise<number> {
  return (await execTimed(process.execPath, ['-e', '0'], { PATH: process.env.PATH }, '')).ms;
}

/**
 * CPU time (user + system, ms) of one run, from GNU time: unlike wall-clock it barely moves when other
 * work shares the machine. Undefined where /usr/bin/time is missing.
 */
export async function cpuMs(
  cmd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  input: string,
): Promise<number | undefined> {
  if (!existsSync(TIME)) return undefined;
  const out = join(tmpdir(), `kubeplane-ipam-time-${process.pid}`);
  const r = await execTimed(TIME, ['-f', '%U %S', '-o', out, cmd, ...args], env, input);
  const [u, s] = readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  rmSync(out, { force: true });
  if (r.code !== 0) throw new BenchError(`${cmd} failed under ${TIME} (exit ${r.code}): ${r.stdout.trim()}`);
  return ((u ?? 0) + (s ?? 0)) * 1000;
}
