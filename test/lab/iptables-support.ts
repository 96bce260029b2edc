// Shared by the iptables kernel tests: render with the CLI, build a lab for a fixture, and check a
// row of expected traffic against real connections from the lab's client.
import { expect } from 'vitest';
import { loadManifests } from '../../src/cluster/load.js';
import { createLab, type Lab, labSpecFromState, probe, reached } from '../../src/lab/index.js';
import { resolveProxyConfig } from '../../src/proxy/config.js';
import { buildProxyState } from '../../src/proxy/state.js';
import { runCli } from '../support/cli.js';

export const TOOLS = ['ip', 'iptables-restore', 'ip6tables-restore'];

export interface TrafficCase {
  name: string;
  target: string;
  port: number;
  protocol?: 'TCP' | 'UDP';
  source?: string;
  /** The endpoints that must answer, or the verdict every connection must get. */
  want: string[] | 'REFUSED' | 'TIMEOUT';
  /** Whether the endpoint must see the client's address replaced (masqueraded) or kept. */
  masq?: boolean;
}

export function rules(args: string[]): string {
  const r = runCli(['rules', '--mode', 'iptables', '--with-jumps', ...args]);
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

export async function check(lab: Lab, c: TrafficCase): Promise<void> {
  const expectsAnswers = Array.isArray(c.want);
  const count = expectsAnswers ? Math.max(12, 14 * (c.want as string[]).length) : 3;
  const r = await probe(lab.client, {
    target: c.target,
    port: c.port,
    protocol: c.protocol ?? 'TCP',
    count,
    timeoutMs: expectsAnswers ? 5000 : 400,
    ...(c.source ? { source: c.source } : {}),
  });
  if (expectsAnswers) {
    expect(r.outcomes.filter((o) => !(c.want as string[]).includes(o))).toEqual([]);
    expect([...reached(r)].sort()).toEqual([...(c.want as string[])].sort());
    if (c.masq !== undefined) {
      const source = c.source ?? lab.clientIPv4;
      expect(r.peers.map((p) => (p === source ? 'kept' : 'masqueraded'))).toEqual(
        Array(count).fill(c.masq ? 'masqueraded' : 'kept'),
      );
    }
  } else {
    expect(r.outcomes).toEqual(Array(count).fill(c.want));
  }
}

export async function labFor(files: string[], nodeName: string, clientIPs: string[]) {
  const { objects } = await loadManifests(files);
  const config = resolveProxyConfig(objects, { node: nodeName });
  const state = buildProxyState(objects, 'IPv4', config);
  return createLab(labSpecFromState(state, clientIPs));
}
