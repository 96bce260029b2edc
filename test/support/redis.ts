// A real redis-server for a test: a free loopback port, a temp dir, no persistence unless asked
// (AOF for restart tests), stopped by the test.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RedisServerOptions {
  aof?: boolean;
  extraArgs?: readonly string[];
  port?: number;
  dir?: string;
}

export interface TestRedis {
  readonly port: number;
  readonly dir: string;
  readonly url: string;
  /** Stop (SIGTERM, waits for exit). */
  stop(): Promise<void>;
  /** Stop and start again on the same port and dir (keeps data only with AOF). */
  restart(): Promise<void>;
  /** Stop and remove the dir. */
  destroy(): Promise<void>;
}

async function launch(port: number, dir: string, options: RedisServerOptions): Promise<ChildProcess> {
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.aof ? 'yes' : 'no',
    ...(options.aof ? ['--appendfsync', 'always'] : []),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on ${port}:\n${out}`)), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}) on ${port}:\n${out}`));
    });
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return child;
}

export async function startRedis(options: RedisServerOptions = {}): Promise<TestRedis> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'kubeplane-redis-'));
  const port = options.port ?? (await freePort());
  let child: ChildProcess | undefined = await launch(port, dir, options);
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  };
  return {
    port,
    dir,
    url: `redis://127.0.0.1:${port}/0`,
    stop,
    async restart() {
      await stop();
      child = await launch(port, dir, options);
    },
    async destroy() {
      await stop();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
