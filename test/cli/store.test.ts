// `kubeplane store ...` and --store on the commands that take -f, run as a user would, against a
// real redis-server.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadManifests } from '../../src/cluster/load.js';
import type { ClusterObject } from '../../src/cluster/types.js';
import { objectKey } from '../../src/cluster/types.js';
import { fixture, runCli } from '../support/cli.js';
import { describeRedis } from '../support/env.js';
import { freePort, startRedis, type TestRedis } from '../support/redis.js';

const byKey = (a: ClusterObject, b: ClusterObject) =>
  `${a.kind}/${objectKey(a)}` < `${b.kind}/${objectKey(b)}` ? -1 : 1;

describeRedis('kubeplane store and --store', () => {
  let redis: TestRedis;
  let n = 0;
  const url = () => `${redis.url}?prefix=cli${++n}`;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.destroy();
  });

  test('load, dump, and the dump loads back with -f to the same objects', async () => {
    const u = url();
    const load = runCli(['store', 'load', '-f', fixture('demo'), '--store', u]);
    expect(load.stderr).toBe('loaded 38 object(s) at resourceVersion 1\n');
    expect(load.status).toBe(0);
    const dump = runCli(['store', 'dump', '--store', u]);
    expect(dump.status).toBe(0);
    const file = join(redis.dir, 'dump.yaml');
    writeFileSync(file, dump.stdout);
    const back = (await loadManifests([file])).objects.sort(byKey);
    const original = (await loadManifests([fixture('demo')])).objects.sort(byKey);
    expect(back).toEqual(original);
    // Loading the dump into another store and dumping it again gives the same text.
    const u2 = url();
    expect(runCli(['store', 'load', '-f', file, '--store', u2]).status).toBe(0);
    expect(runCli(['store', 'dump', '--store', u2]).stdout).toBe(dump.stdout);
    // Loading the same set again changes nothing (one atomic replace, no new version).
    expect(runCli(['store', 'load', '-f', file, '--store', u]).stderr).toContain('at resourceVersion 1\n');
  });

  test('apply adds, delete removes, and the commands that take -f read --store', async () => {
    const u = url();
    const dir = redis.dir;
    const svc = (name: string, ip: string) =>
      `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: default}\nspec: {clusterIP: ${ip}, ports: [{name: http, port: 80}]}\n`;
    const node = 'apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n';
    writeFileSync(join(dir, 'a.yaml'), `${svc('web', '10.96.0.10')}---\n${node}`);
    writeFileSync(join(dir, 'b.yaml'), svc('db', '10.96.0.11'));
    expect(runCli(['store', 'apply', '-f', join(dir, 'a.yaml'), '--store', u]).stderr).toBe(
      'applied 2 object(s) at resourceVersion 1\n',
    );
    expect(runCli(['store', 'apply', '-f', join(dir, 'b.yaml'), '--store', u]).status).toBe(0);
    const v = runCli(['validate', '--store', u, '--json']);
    expect(JSON.parse(v.stdout).counts).toEqual({ Service: 2, Node: 1 });
    const q = runCli(['dns', 'query', '--store', u, 'db', '--namespace', 'default']);
    expect(q.stdout).toContain('db.default.svc.cluster.local. 5 IN A 10.96.0.11');
    const cidrs = runCli(['ipam', 'node-cidrs', '--store', u, '--cluster-cidr', '10.244.0.0/16', '--json']);
    expect(cidrs.status).toBe(0);
    expect(cidrs.stdout).toContain('10.244.0.0/24');
    expect(runCli(['store', 'delete', '-f', join(dir, 'a.yaml'), '--store', u]).stderr).toBe(
      'deleted 2 object(s) at resourceVersion 4\n',
    );
    const after = runCli(['store', 'dump', '--store', u]).stdout;
    expect(after).toContain('name: db');
    expect(after).not.toContain('name: web');
  });

  test('an invalid -f file leaves the store untouched (exit 2)', async () => {
    const u = url();
    expect(runCli(['store', 'load', '-f', fixture('demo'), '--store', u]).status).toBe(0);
    const bad = join(redis.dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: v1\nkind: Service\nmetadata: {name: Bad_Name}\nspec: {}\n');
    const r = runCli(['store', 'load', '-f', bad, '--store', u]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('nothing was applied');
    expect(runCli(['store', 'dump', '--store', u]).stdout).toContain('resourceVersion 1\n');
  });

  test('Redis down: exit 1 with what to do, no stack trace; a bad URL or both inputs: exit 2', async () => {
    const port = await freePort();
    const down = runCli(['store', 'dump', '--store', `redis://127.0.0.1:${port}/0`]);
    expect(down.status).toBe(1);
    expect(down.stderr).toBe(
      `error: cannot reach Redis at redis://127.0.0.1:${port}/0 (ECONNREFUSED); start redis-server there or pass another --store URL\n`,
    );
    const badUrl = runCli(['validate', '--store', 'redis://host:99999/0']);
    expect(badUrl.status).toBe(2);
    expect(badUrl.stderr).toContain('--store: store URL "redis://host:99999/0": port 99999 is out of range');
    const both = runCli(['validate', '--store', url(), '-f', fixture('demo')]);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('-f/--file and --store both given');
    const none = runCli(['store', 'dump']);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('--store is required');
  });
});
