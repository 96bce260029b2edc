// The built package by its name, as a program that installed it would import it (package.json
// "exports"): load the demo cluster, render a mode, resolve a name and allocate an address.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'kubeplane-pkg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('import "kubeplane" gives the public API, and it works on fixtures/demo', () => {
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'kubeplane'));
  const program = `
import * as k from 'kubeplane';
const loaded = await k.loadManifests([${JSON.stringify(join(root, 'fixtures', 'demo'))}]);
const full = k.renderFullSync(k.iptablesMode, loaded.objects, {}, { family: 'IPv4', format: 'text', profile: 'default' });
const index = new k.ZoneIndex(loaded.objects);
const answer = k.lookup(index, { name: 'frontend.shop.svc.cluster.local', type: k.TYPE.A, class: 1 }, k.DEFAULT_ZONE_OPTIONS);
const store = new k.MemoryIpamStore();
const ranges = k.parseRangeSet([{ subnet: '10.244.9.0/24' }], 'ranges');
const got = await k.allocateAll(store, [ranges], { containerId: 'c1', ifname: 'eth0' });
console.log(JSON.stringify({
  objects: loaded.objects.length,
  iptables: full.payloads[0].text.startsWith('*filter'),
  rcode: answer.rcode,
  answers: answer.answer.length,
  ip: got.map((a) => k.formatIP(a.ip)),
  error: new k.UsageError('x').code,
}));
`;
  writeFileSync(join(dir, 'main.mjs'), program);
  const out = JSON.parse(execFileSync(process.execPath, [join(dir, 'main.mjs')], { cwd: dir, encoding: 'utf8' }));
  expect(out.objects).toBeGreaterThan(20);
  expect(out.iptables).toBe(true);
  expect(out.rcode).toBe(0);
  expect(out.answers).toBeGreaterThan(0);
  expect(JSON.stringify(out.ip)).toContain('10.244.9.');
  expect(out.error).toBe('KP_USAGE');
});
