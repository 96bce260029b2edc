// upstream's packet-flow tables as we store them (flows*.tsv, one flow a line: name, source,
// protocol, destination, port, expected output, masqueraded), shared by the iptables and nftables
// flow tests. A "# family: IPv6" comment line marks an IPv6 scenario.
import { readFileSync } from 'node:fs';
import type { IPFamily } from '../../src/cluster/types.js';

export interface FlowCase {
  name: string;
  src: string;
  proto: string;
  dst: string;
  dport: number;
  output: string;
  masq: boolean;
}

export function readFlowTable(path: string): { family: IPFamily; flows: FlowCase[] } {
  const text = readFileSync(path, 'utf8');
  const family: IPFamily = /family: IPv6/.test(text) ? 'IPv6' : 'IPv4';
  const flows = text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [name, src, proto, dst, dport, output, masq] = l.split('\t');
      return {
        name: name!,
        src: src!,
        proto: proto!,
        dst: dst!,
        dport: Number(dport),
        output: output ?? '',
        masq: masq === 'true',
      };
    });
  return { family, flows };
}
