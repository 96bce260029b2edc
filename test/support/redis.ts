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

export interface TestRedisCluster {
  readonly ports: readonly number[];
  /** redis+cluster://127.0.0.1:P1,127.0.0.1:P2,... */
  readonly url: string;
  destroy(): Promise<void>;
}

/** Three masters on loopback ports, slots split by `redis-cli --cluster create`, state ok. */
export async function startRedisCluster(size = 3): Promise<TestRedisCluster> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const run = promisify(execFile);
  const nodes: TestRedis[] = [];
  try {
    for (let i = 0; i < size; i++)
      nodes.push(
        await startRedis({
          extraArgs: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            '5000',
          ],
        }),
      );
    await run(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { timeout: 30_000 },
    );
    // Every node must agree the cluster is up before a client routes to it.
    const deadline = Date.now() + 20_000;
    for (const n of nodes) {
      for (;;) {
        const { stdout } = await run('redis-cli', ['-p', String(n.port), 'cluster', 'info'], { timeout: 5000 });
        if (stdout.includes('cluster_state:ok')) break;
        if (Date.now() > deadline) throw new Error(`redis cluster node ${n.port} not ok:\n${stdout}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (err) {
    for (const n of nodes) await n.destroy();
    throw err;
  }
  return {
    ports: nodes.map((n) => n.port),
    url: `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`,
    async destroy() {
      for (const n of nodes) await n.destroy();
    },
  };
}
