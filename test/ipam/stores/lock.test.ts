import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { IpamError } from '../../../src/errors.js';
import { lockMechanism, lockName, netBind, pipeWrapBind, withDirLock } from '../../../src/ipam/stores/lock.js';

const LOCK_JS = fileURLToPath(new URL('../../../dist/ipam/stores/lock.js', import.meta.url));
const dir = `/tmp/kp-lock-test-${process.pid}`;

describe('data-dir lock (abstract Unix socket)', () => {
  test('uses the synchronous pipe handle on this Node', () => {
    expect(lockMechanism()).toBe('pipe_wrap');
  });

  test('the two bind paths exclude each other', async () => {
    const name = lockName(`${dir}/cross`);
    const viaPipe = pipeWrapBind()!;
    const held = await viaPipe(name);
    expect(held).toBeDefined();
    expect(await netBind(name)).toBeUndefined();
    await held!();
    const viaNet = await netBind(name);
    expect(viaNet).toBeDefined();
    expect(await viaPipe(name)).toBeUndefined();
    await viaNet!();
  });

  test('a lock held by another process times out with lock-timeout; its exit frees it', async () => {
    const target = `${dir}/other`;
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { withDirLock } = await import(${JSON.stringify(LOCK_JS)});
         await withDirLock(${JSON.stringify(target)}, async () => { process.stdout.write('held\\n'); await new Promise((r) => process.stdin.once('data', r)); });`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    await new Promise<void>((r) => child.stdout.once('data', () => r()));
    const err = await withDirLock(target, async () => 'got it', 100).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IpamError);
    expect((err as IpamError).kind).toBe('lock-timeout');
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    expect(await withDirLock(target, async () => 'got it', 5_000)).toBe('got it');
  });

  test('long paths get a hashed name within the socket name limit', () => {
    const name = lockName(`/var/lib/cni/networks/${'n'.repeat(200)}`);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(100);
    expect(name).toMatch(/^kubeplane-ipam#[0-9a-f]+$/);
  });
});
