// The data dir is shared with upstream host-local in both directions (Debian's
// containernetworking-plugins; skipped where it is not installed, required when KUBEPLANE_REQUIRE_KERNEL=1).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { describeWith } from '../support/env.js';
import { envFor, netConf, runPlugin } from './cni-run.js';

const HOST_LOCAL = '/usr/lib/cni/host-local';
const reason = existsSync(HOST_LOCAL) ? undefined : `no ${HOST_LOCAL} (Debian: containernetworking-plugins)`;
const root = mkdtempSync(join(tmpdir(), 'kp-ipam-hl-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function hostLocal(command: string, id: string, conf: string) {
  const r = spawnSync(HOST_LOCAL, [], {
    env: { ...envFor(command, id), PATH: process.env.PATH } as NodeJS.ProcessEnv,
    input: conf,
    encoding: 'utf8',
  });
  return { status: r.status, json: r.stdout ? (JSON.parse(r.stdout) as Record<string, unknown>) : undefined };
}

const first = (j: Record<string, unknown> | undefined) => (j?.ips as { address: string }[] | undefined)?.[0]?.address;

describeWith(reason, 'KUBEPLANE_REQUIRE_KERNEL', 'data dir shared with upstream host-local', () => {
  // host-local 1.1.1 supports up to cniVersion 1.0.0.
  const conf = (dir: string) => netConf(dir, { ranges: [[{ subnet: '10.40.0.0/24' }]] }, { cniVersion: '1.0.0' });

  test('host-local continues our cursor, sees our duplicates, and DELs what we allocated', () => {
    const dir = join(root, 'ours-first');
    expect(first(runPlugin(envFor('ADD', 'a'), conf(dir)).json)).toBe('10.40.0.2/24');
    expect(first(hostLocal('ADD', 'b', conf(dir)).json)).toBe('10.40.0.3/24');
    const dup = hostLocal('ADD', 'a', conf(dir));
    expect(dup.json).toMatchObject({ code: 999, msg: expect.stringContaining('duplicate allocation is not allowed') });
    expect(hostLocal('DEL', 'a', conf(dir)).status).toBe(0);
    expect(readdirSync(join(dir, 'testnet')).filter((f) => f.startsWith('10.'))).toEqual(['10.40.0.3']);
  });

  test('interleaved: what host-local adds after our index was built is seen by our CHECK, ADD and DEL', () => {
    const dir = join(root, 'interleaved');
    expect(first(runPlugin(envFor('ADD', 'a'), conf(dir)).json)).toBe('10.40.0.2/24');
    expect(first(hostLocal('ADD', 'b', conf(dir)).json)).toBe('10.40.0.3/24');
    expect(runPlugin(envFor('CHECK', 'b'), conf(dir)).status).toBe(0);
    expect(runPlugin(envFor('ADD', 'b'), conf(dir)).json).toMatchObject({
      code: 999,
      msg: 'failed to allocate for range 0: 10.40.0.3 has been allocated to b, duplicate allocation is not allowed',
    });
    expect(runPlugin(envFor('DEL', 'b'), conf(dir)).status).toBe(0);
    expect(first(runPlugin(envFor('ADD', 'c'), conf(dir)).json)).toBe('10.40.0.4/24');
    expect(
      readdirSync(join(dir, 'testnet'))
        .filter((f) => f.startsWith('10.'))
        .sort(),
    ).toEqual(['10.40.0.2', '10.40.0.4']);
  });

  test('we index a directory host-local wrote, DEL its allocations, and continue its cursor', () => {
    const dir = join(root, 'theirs-first');
    for (const id of ['x', 'y']) expect(hostLocal('ADD', id, conf(dir)).status).toBe(0);
    expect(runPlugin(envFor('ADD', 'x'), conf(dir)).json).toMatchObject({ code: 999 });
    expect(runPlugin(envFor('DEL', 'x'), conf(dir)).status).toBe(0);
    expect(first(runPlugin(envFor('ADD', 'z'), conf(dir)).json)).toBe('10.40.0.4/24');
    expect(
      readdirSync(join(dir, 'testnet'))
        .filter((f) => f.startsWith('10.'))
        .sort(),
    ).toEqual(['10.40.0.3', '10.40.0.4']);
  });
});
