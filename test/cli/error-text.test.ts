// Library errors name the setting they concern; only the CLI names flags. This holds both halves:
// the library's own text for each tagged error, the CLI's rewording, and a scan of src/ for any
// flag of a tagged setting written into library code.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { errorText } from '../../src/cli/error-text.js';
import { unreachable } from '../../src/cluster/redis-connect.js';
import { type KubeplaneError, UsageError } from '../../src/errors.js';
import { parseNodeCidrConfig } from '../../src/ipam/node-cidr-allocator.js';
import { inspectDataDir } from '../../src/ipam/stores/file-inspect.js';
import { selectNodeName } from '../../src/proxy/config.js';
import { checkScheduler } from '../../src/proxy/ipvs/options.js';

function caught(f: () => unknown): KubeplaneError {
  try {
    f();
  } catch (err) {
    return err as KubeplaneError;
  }
  throw new Error('expected a throw');
}

describe('library errors name settings, the CLI names flags', () => {
  test.each([
    {
      name: 'cluster CIDR',
      f: () => parseNodeCidrConfig('nope'),
      library: 'clusterCidr: "nope" is not a CIDR',
      cli: '--cluster-cidr: "nope" is not a CIDR',
    },
    {
      name: 'per-family mask',
      f: () => parseNodeCidrConfig('10.0.0.0/8', { nodeMaskIPv6: '64' }),
      library: 'nodeMaskIPv6 is set but no cluster CIDR is IPv6',
      cli: '--node-mask-ipv6 is set but no cluster CIDR is IPv6',
    },
    {
      name: 'IPVS scheduler (the setting is named first, the word scheduler later stays)',
      f: () => checkScheduler('fifo', 'scheduler'),
      library: 'scheduler: "fifo" is not an IPVS scheduler',
      cli: '--scheduler: "fifo" is not an IPVS scheduler',
    },
    {
      name: 'node selection, setting mid-sentence',
      f: () => selectNodeName([]),
      library: 'no Node in the input and no hostnameOverride: pass node NAME',
      cli: 'no Node in the input and no hostnameOverride: pass --node NAME',
    },
    {
      name: 'data dir',
      f: () => inspectDataDir('/nonexistent/kubeplane-data-dir'),
      library: 'dataDir /nonexistent/kubeplane-data-dir: no such directory',
      cli: '--data-dir /nonexistent/kubeplane-data-dir: no such directory',
    },
    {
      name: 'Redis store',
      f: () => {
        throw unreachable(
          { cluster: false, nodes: [{ host: '127.0.0.1', port: 1 }], db: 0, display: 'redis://127.0.0.1:1/0' } as never,
          {
            code: 'ECONNREFUSED',
          },
        );
      },
      library: 'or pass another store URL',
      cli: 'cannot reach Redis at redis://127.0.0.1:1/0 (ECONNREFUSED); start redis-server there or pass another --store URL',
    },
  ])('$name', ({ f, library, cli }) => {
    const err = caught(f);
    expect(err.setting).toBeDefined();
    expect(err.message).toContain(library);
    expect(err.message).not.toMatch(/(^|[^\w-])--[a-z]/);
    expect(errorText(err)).toContain(cli);
  });

  test('an untagged error prints as it is; a tagged one not naming its setting gets the flag appended', () => {
    expect(errorText(new UsageError('plain'))).toBe('plain');
    expect(errorText(new UsageError('out of range').about('nodePortRange'))).toBe(
      'out of range (--service-node-port-range)',
    );
  });

  test('no library module writes the flag of a tagged setting', () => {
    const flags = [
      '--cluster-cidr',
      '--data-dir',
      '--listen-address',
      '--node-mask',
      '--nodes',
      '--port-map',
      '--scheduler',
      '--service-cidr',
      '--service-node-port-range',
      '--store',
      '--node',
    ];
    // kube-controller-manager's own error text, kept word for word; it names kcm's flags, not ours.
    const upstreamText =
      /Invalid --cluster-cidr, mask size of cluster CIDR must be less than or equal to --node-cidr-mask-size/;
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) {
          if (p !== join('src', 'cli')) walk(p);
        } else if (p.endsWith('.ts')) {
          readFileSync(p, 'utf8')
            .split('\n')
            .forEach((line, i) => {
              const code = line.replace(/^\s*(\/\/|\*|\/\*\*).*$/, '').replace(/\/\/ .*$/, '');
              if (upstreamText.test(code)) return;
              for (const flag of flags)
                if (new RegExp(`${flag}(?![\\w-])`).test(code)) offenders.push(`${p}:${i + 1}: ${flag}`);
            });
        }
      }
    };
    walk('src');
    expect(offenders).toEqual([]);
  });
});
