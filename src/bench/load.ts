// Foundation benchmark: parse + validate a large cluster's manifests, and build the proxy state.
import { generateCluster } from '../cluster/generate.js';
import { loadTexts } from '../cluster/load.js';
import type { ClusterObject } from '../cluster/types.js';
import { resolveProxyConfig } from '../proxy/config.js';
import { buildProxyState } from '../proxy/state.js';
import { type MachineInfo, machineInfo } from './machine.js';
import { measure, round } from './runner.js';

export interface LoadBenchCase {
  services: number;
  endpointsPerService: number;
  format: 'json' | 'yaml';
  inputBytes: number;
  parseValidateMsMedian: number;
  parseValidateMsP90: number;
  stateMsMedian: number;
  stateMsP90: number;
  heapUsedMB: number;
}

export interface LoadBenchReport {
  machine: MachineInfo;
  node: string;
  date: string;
  covers: { parseValidate: string; state: string };
  cases: LoadBenchCase[];
}

export async function runLoadBench(opts: {
  services: number[];
  endpoints: number;
  repeat: number;
  warmup: number;
  yaml: boolean;
  onProgress?: (m: string) => void;
}): Promise<LoadBenchReport> {
  const cases: LoadBenchCase[] = [];
  for (const n of opts.services) {
    const items = generateCluster({ services: n, endpoints: opts.endpoints, nodes: 100, seed: 1 });
    const formats: ('json' | 'yaml')[] = opts.yaml ? ['json', 'yaml'] : ['json'];
    for (const format of formats) {
      opts.onProgress?.(`${n} services x ${opts.endpoints}: ${format}`);
      const list = { apiVersion: 'v1', kind: 'List', items };
      const text =
        format === 'json'
          ? JSON.stringify(list, null, 2)
          : (await import('js-yaml')).dump(list, { noRefs: true, lineWidth: -1 });
      const bytes = Buffer.from(text);
      let objects: ClusterObject[] = [];
      const parse = await measure(
        async () => {
          objects = (await loadTexts([{ file: `cluster.${format}`, bytes }])).objects;
        },
        { warmup: opts.warmup, repeat: opts.repeat },
      );
      const config = resolveProxyConfig(objects, { node: 'node-0', clusterCIDR: '10.128.0.0/9' });
      const state = await measure(() => buildProxyState(objects, 'IPv4', config), {
        warmup: opts.warmup,
        repeat: opts.repeat,
      });
      cases.push({
        services: n,
        endpointsPerService: opts.endpoints,
        format,
        inputBytes: bytes.length,
        parseValidateMsMedian: round(parse.median),
        parseValidateMsP90: round(parse.p90),
        stateMsMedian: round(state.median),
        stateMsP90: round(state.p90),
        heapUsedMB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
      });
    }
  }
  return {
    machine: machineInfo(),
    node: process.version,
    date: new Date().toISOString(),
    covers: {
      parseValidate:
        'loadTexts on an in-memory kubectl-style List: UTF-8 check, JSON/YAML parse, List expansion, validation of every object',
      state:
        'buildProxyState for IPv4 from the validated objects: service ports, slice merge, endpoint sort, change fingerprints, sorted port list',
    },
    cases,
  };
}
