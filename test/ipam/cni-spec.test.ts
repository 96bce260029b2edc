// The CNI spec's rules for what the plugin prints, checked on the executable: the abbreviated IPAM
// result in the config's version, VERSION, and the calls a libcni runtime makes around an ADD (CHECK
// and DEL with the cached result as prevResult, converted to the config's version).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { envFor, netConf, runPlugin } from './cni-run.js';

const root = mkdtempSync(join(tmpdir(), 'kp-ipam-spec-'));
let k = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CIDR_RE = /^([0-9.]+|[0-9a-f:]+)\/\d{1,3}$/;
const ipam = { ranges: [[{ subnet: '10.70.0.0/24' }], [{ subnet: 'fd00:70::/64' }]], routes: [{ dst: '0.0.0.0/0' }] };

describe('the ADD result (SPEC "Success", "Delegated plugins (IPAM)")', () => {
  test.each(['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'])(
    'cniVersion %s: echoed, abbreviated, address with the subnet prefix',
    (v) => {
      const r = runPlugin(envFor('ADD', 'c'), netConf(join(root, `r${k++}`), ipam, { cniVersion: v }));
      expect(r.status, r.stdout).toBe(0);
      const j = r.json!;
      expect(Object.keys(j).sort()).toEqual(['cniVersion', 'ips', 'routes']); // no interfaces; empty dns omitted
      expect(j.cniVersion).toBe(v);
      const ips = j.ips as Record<string, string>[];
      for (const ip of ips) {
        expect(Object.keys(ip).sort()).toEqual(
          v.startsWith('0.') ? ['address', 'gateway', 'version'] : ['address', 'gateway'],
        );
        expect(ip.address).toMatch(CIDR_RE);
      }
      expect(ips.map((i) => i.address)).toEqual(['10.70.0.2/24', 'fd00:70::2/64']);
      expect(ips.map((i) => i.gateway)).toEqual(['10.70.0.1', 'fd00:70::1']);
      if (v.startsWith('0.')) expect(ips.map((i) => i.version)).toEqual(['4', '6']);
      expect(j.routes).toEqual([{ dst: '0.0.0.0/0' }]);
    },
  );

  test('VERSION lists every version the plugin accepts, the current one included', () => {
    const r = runPlugin({ CNI_COMMAND: 'VERSION' }, '{"cniVersion":"1.1.0"}');
    expect(r.json).toEqual({
      cniVersion: '1.1.0',
      supportedVersions: ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'],
    });
  });
});

describe('what a libcni runtime does around an ADD', () => {
  test.each(['0.4.0', '1.0.0', '1.1.0'])('cniVersion %s: CHECK and DEL carry the cached result as prevResult', (v) => {
    const dir = join(root, `p${k++}`);
    const added = runPlugin(envFor('ADD', 'c'), netConf(dir, ipam, { cniVersion: v }));
    expect(added.status).toBe(0);
    const withPrev = netConf(dir, ipam, { cniVersion: v, prevResult: added.json });
    expect(runPlugin(envFor('CHECK', 'c'), withPrev)).toMatchObject({ status: 0, stdout: '' });
    const other = runPlugin(envFor('CHECK', 'other'), withPrev);
    expect(other.json).toMatchObject({ code: 999, msg: 'host-local: Failed to find address added by container other' });
    expect(runPlugin(envFor('DEL', 'c'), withPrev)).toMatchObject({ status: 0, stdout: '' });
    expect(runPlugin(envFor('DEL', 'c'), withPrev)).toMatchObject({ status: 0, stdout: '' }); // DEL repeats
    expect(runPlugin(envFor('CHECK', 'c'), withPrev).json).toMatchObject({ code: 999 });
  });

  test('a DEL with an empty prevResult and no CNI_NETNS succeeds (SPEC: DEL must tolerate both)', () => {
    const dir = join(root, `e${k++}`);
    expect(runPlugin(envFor('ADD', 'c'), netConf(dir, ipam)).status).toBe(0);
    const r = runPlugin(envFor('DEL', 'c', { CNI_NETNS: undefined }), netConf(dir, ipam, { prevResult: {} }));
    expect(r).toMatchObject({ status: 0, stdout: '' });
  });
});
