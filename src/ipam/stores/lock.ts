// The data-dir lock. host-local uses flock(2) on <dir>/lock; Node's fs has no flock, and a lock file
// made with O_EXCL needs stale-lock detection (pid liveness, pid reuse, two breakers racing). Instead
// the lock is a Linux abstract-namespace Unix socket named after the directory: bind() is exclusive
// across processes (EADDRINUSE), and the kernel frees the name the moment the holder exits, including
// on SIGKILL, so there is nothing stale to recover. Limits: Linux only, and it is per network
// namespace (every process sharing a data dir must run in one netns, as CNI plugins do: the runtime
// runs them in its own namespace). It does not exclude a concurrent upstream host-local (flock);
// IP uniqueness never depends on the lock anyway, since each address is claimed by exclusive create.
//
// Binding goes through Node's pipe handle directly when it is reachable (process.binding, kept for
// compatibility but deprecated): a synchronous bind costs ~0.2 ms, where loading node:net and
// listening costs ~4 ms of a plugin call's ~15 ms budget. Otherwise net.Server is used; both bind the
// same name, so either excludes the other.
import { getSystemErrorName } from 'node:util';
import { IpamError } from '../../errors.js';

/** FNV-1a 64-bit, hex: keeps long paths within the 107-byte socket name limit. */
function fnv64(s: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < s.length; i++) h = ((h ^ BigInt(s.charCodeAt(i))) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16);
}

export function lockName(dir: string): string {
  const name = `kubeplane-ipam:${dir}`;
  return Buffer.byteLength(name) <= 100 ? name : `kubeplane-ipam#${fnv64(dir)}`;
}

/** Bind the abstract name: a release function, or undefined when another process holds it. */
type Bind = (name: string) => Promise<(() => Promise<void>) | undefined>;

interface PipeHandle {
  bind(name: string): number;
  close(): void;
}
type PipeCtor = new (type: number) => PipeHandle;

export function pipeWrapBind(): Bind | undefined {
  let Pipe: PipeCtor | undefined;
  let server: number | undefined;
  try {
    const binding = (
      process as unknown as { binding(name: string): { Pipe?: PipeCtor; constants?: { SERVER?: number } } }
    ).binding('pipe_wrap');
    Pipe = binding.Pipe;
    server = binding.constants?.SERVER;
  } catch {
    return undefined;
  }
  if (typeof Pipe !== 'function' || typeof server !== 'number') return undefined;
  const Ctor = Pipe;
  const type = server;
  return async (name) => {
    const handle = new Ctor(type);
    const rc = handle.bind(`\0${name}`);
    if (rc === 0) return async () => handle.close();
    handle.close();
    if (getSystemErrorName(rc) === 'EADDRINUSE') return undefined;
    throw new IpamError('io', `bind: ${getSystemErrorName(rc)}`);
  };
}

export const netBind: Bind = async (name) => {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EADDRINUSE' ? resolve(undefined) : reject(err),
    );
    server.listen({ path: `\0${name}`, exclusive: true }, () => {
      server.unref();
      resolve(() => new Promise<void>((r) => server.close(() => r())));
    });
  });
};

let chosen: Bind | undefined;
function bind(name: string) {
  chosen ??= pipeWrapBind() ?? netBind;
  return chosen(name);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Hold the lock of `dir` (an absolute path) while `fn` runs. Waits up to `timeoutMs`. */
export async function withDirLock<T>(dir: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const name = lockName(dir);
  const deadline = Date.now() + timeoutMs;
  let release: (() => Promise<void>) | undefined;
  let wait = 1;
  for (;;) {
    try {
      release = await bind(name);
    } catch (err) {
      throw new IpamError('io', `cannot take the data-dir lock for ${dir}: ${(err as Error).message}`, dir, {
        cause: err,
      });
    }
    if (release) break;
    if (Date.now() >= deadline)
      throw new IpamError(
        'lock-timeout',
        `timed out after ${timeoutMs} ms waiting for the data-dir lock of ${dir}`,
        dir,
      );
    // Jittered backoff: a holder keeps the lock for about a millisecond.
    await sleep(wait + Math.random() * wait);
    wait = Math.min(wait * 2, 20);
  }
  try {
    return await fn();
  } finally {
    await release();
  }
}

/** Which mechanism this process uses (for tests and diagnostics). */
export function lockMechanism(): 'pipe_wrap' | 'net' {
  chosen ??= pipeWrapBind() ?? netBind;
  return chosen === netBind ? 'net' : 'pipe_wrap';
}
