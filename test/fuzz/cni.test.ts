// Random CNI calls through the plugin (runCni, in process, on a file store in a temporary dir):
// generated network configs (range sets of both families, routes, requested IPs, runtime config),
// the same with one value replaced by any JSON value, and random text; with any command and
// environment. Every call ends with exit 0 and a JSON result (or nothing, for DEL/CHECK/GC/STATUS),
// or exit 1 and the CNI error JSON with a spec code and a message that is not an engine fault.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { runCni } from '../../src/ipam/cni.js';
import { ENGINE_ERROR, fuzzParams, fuzzTimeout, replaceAt } from './params.js';

const root = mkdtempSync(join(tmpdir(), 'kp-fuzz-cni-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let calls = 0;

const CODES = new Set([1, 2, 4, 5, 6, 7, 11, 50, 999]);

const octet = fc.integer({ min: 0, max: 255 });
const v4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
const v6 = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 })
  .map((h) => h.map((x) => x.toString(16)).join(':'));
const ipText = fc.oneof(v4, v6, fc.constantFrom('::', '::ffff:10.0.0.1', '0.0.0.0', '255.255.255.255', '10.1.2', ''));
const cidr = fc.oneof(
  fc.tuple(v4, fc.integer({ min: 0, max: 33 })).map(([a, p]) => `${a}/${p}`),
  fc.tuple(v6, fc.integer({ min: 0, max: 129 })).map(([a, p]) => `${a}/${p}`),
  fc.constantFrom('10.1.0.0/24', '10.1.0.0/30', '10.1.0.0/31', '10.1.0.0/32', 'fd00::/120', 'fd00::/127', '::/0'),
);
const range = fc.record(
  { subnet: cidr, rangeStart: ipText, rangeEnd: ipText, gateway: ipText },
  { requiredKeys: ['subnet'] },
);
const route = fc.record({ dst: cidr, gw: ipText, mtu: fc.integer({ min: -1, max: 9000 }) }, { requiredKeys: ['dst'] });

const config = fc.record(
  {
    cniVersion: fc.constantFrom('0.1.0', '0.2.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0', '', '2.0.0'),
    name: fc.constantFrom('net', 'n-1', '', '../x'),
    ipam: fc.record(
      {
        type: fc.constant('kubeplane-ipam'),
        ranges: fc.array(fc.array(range, { minLength: 1, maxLength: 3 }), { maxLength: 3 }),
        subnet: cidr,
        routes: fc.array(route, { maxLength: 3 }),
      },
      { requiredKeys: ['type'] },
    ),
    args: fc.record({ cni: fc.record({ ips: fc.array(ipText, { maxLength: 3 }) }) }),
    runtimeConfig: fc.record(
      {
        ips: fc.array(ipText, { maxLength: 2 }),
        ipRanges: fc.array(fc.array(range, { maxLength: 2 }), { maxLength: 2 }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['cniVersion', 'name', 'ipam'] },
);

/** Configs that should mostly allocate: known-good subnets, requested IPs inside them. */
const goodConfig = fc
  .record({
    cniVersion: fc.constantFrom('0.3.1', '0.4.0', '1.0.0', '1.1.0'),
    sets: fc.subarray(['10.1.0.0/24', 'fd00::/120', '10.2.0.0/30'], { minLength: 1 }),
    ip: fc.option(
      fc.integer({ min: 1, max: 254 }).map((n) => `10.1.0.${n}`),
      { nil: undefined },
    ),
    routes: fc.array(fc.constantFrom({ dst: '0.0.0.0/0' }, { dst: '::/0', gw: 'fd00::1' }), { maxLength: 2 }),
  })
  .map(({ cniVersion, sets, ip, routes }) => ({
    cniVersion,
    name: 'net',
    ipam: { type: 'kubeplane-ipam', ranges: sets.map((subnet) => [{ subnet }]), routes },
    ...(ip ? { args: { cni: { ips: [ip] } } } : {}),
  }));

const stdinObject = fc.oneof(
  goodConfig,
  config,
  fc
    .tuple(config, fc.nat(), fc.jsonValue({ maxDepth: 3 }))
    .map(([c, pick, value]) => replaceAt(structuredClone(c), pick, value)),
);

const goodEnv = fc.record({
  CNI_COMMAND: fc.constantFrom('ADD', 'ADD', 'ADD', 'DEL', 'CHECK'),
  CNI_CONTAINERID: fc.constantFrom('c1', 'c2'),
  CNI_NETNS: fc.constant('/var/run/netns/x'),
  CNI_IFNAME: fc.constantFrom('eth0', 'net1'),
});

const anyEnv = fc.record({
  CNI_COMMAND: fc.constantFrom('ADD', 'ADD', 'ADD', 'DEL', 'CHECK', 'GC', 'STATUS', 'VERSION', 'add', ''),
  CNI_CONTAINERID: fc.oneof(fc.constantFrom('c1', 'c2', '-bad', ''), fc.string({ maxLength: 20 })),
  CNI_NETNS: fc.constantFrom('/var/run/netns/x', ''),
  CNI_IFNAME: fc.oneof(fc.constantFrom('eth0', 'net1', '..', 'a/b', 'x'.repeat(16)), fc.string({ maxLength: 17 })),
  CNI_ARGS: fc.oneof(
    fc.constantFrom('', 'IP=10.1.0.9', 'IgnoreUnknown=1;K8S_POD_NAME=p', 'IP=', 'x', 'IgnoreUnknown=maybe'),
    fc.string({ maxLength: 30 }),
  ),
});
const env = fc.oneof(goodEnv, anyEnv);

/** Our store only: the data dir is a fresh temporary one, never a Redis URL or a host file. */
function confined(v: unknown): { text: string } {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const ipam = (v as Record<string, unknown>).ipam;
    if (typeof ipam === 'object' && ipam !== null && !Array.isArray(ipam)) {
      const dir = join(root, String(calls++));
      mkdirSync(dir);
      const i = ipam as Record<string, unknown>;
      i.dataDir = dir;
      delete i.dataStore;
      delete i.resolvConf;
    }
  }
  return { text: JSON.stringify(v) };
}

describe('fuzz: CNI calls through the plugin', () => {
  test(
    'every call ends in a result or the CNI error JSON with a spec code, never an engine fault',
    async () => {
      let added = 0;
      const stdin = fc.oneof(
        { weight: 6, arbitrary: stdinObject.map(confined) },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }).map((text) => ({ text })) },
      );
      await fc.assert(
        fc.asyncProperty(env, stdin, async (e, { text }) => {
          const out = await runCni(e, async () => text);
          if (out.exitCode === 0) {
            if (out.stdout !== '') expect(() => JSON.parse(out.stdout)).not.toThrow();
            if (e.CNI_COMMAND === 'ADD') added++;
            return;
          }
          expect(out.exitCode).toBe(1);
          const err = JSON.parse(out.stdout) as { code: unknown; msg: unknown };
          expect(CODES.has(err.code as number), out.stdout).toBe(true);
          expect(typeof err.msg).toBe('string');
          expect(err.msg as string).not.toMatch(ENGINE_ERROR);
        }),
        fuzzParams(300),
      );
      expect(added).toBeGreaterThan(0); // the generator reaches allocation, not only the checks
    },
    fuzzTimeout(),
  );
});
