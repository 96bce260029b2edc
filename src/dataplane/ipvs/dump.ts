// A node's IPVS state as one text: `ipvsadm-save -n`, `ipset save`, `iptables-save` and the
// kube-ipvs0 addresses, concatenated in any order, with or without the section headers that
// `kubeplane rules --mode ipvs` prints. Lines are told apart by shape; each part keeps its line
// numbers (other lines blanked), so a parse error still names the line of the whole text.
import { parseCidr } from '../address.js';
import { ruleParseError } from '../source.js';

export interface IpvsDumpParts {
  readonly ipvs: string;
  readonly ipset: string;
  readonly iptables: string;
  /** kube-ipvs0 addresses, without their prefix length. */
  readonly addresses: readonly string[];
  /** Whether the text had a kube-ipvs0 part at all. */
  readonly hasAddressPart: boolean;
}

const IPVS_PROTO = new Set(['-t', '-u', '--sctp-service', '-f']);

export function splitIpvsDump(text: string): IpvsDumpParts {
  const lines = text.split('\n');
  const ipvs: string[] = [];
  const ipset: string[] = [];
  const iptables: string[] = [];
  const addresses: string[] = [];
  let hasAddressPart = false;
  let inTable = false;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    let kind: 'ipvs' | 'ipset' | 'iptables' | undefined;
    if (inTable || line.startsWith('*')) {
      kind = 'iptables';
      inTable = line !== 'COMMIT';
    } else if (line === '# kube-ipvs0') hasAddressPart = true;
    else if (line === '' || line.startsWith('#')) kind = undefined;
    else {
      const w = line.split(/\s+/);
      if ((w[0] === '-A' || w[0] === '-a') && IPVS_PROTO.has(w[1] ?? '')) kind = 'ipvs';
      else if (w[0] === 'create' || w[0] === 'add') kind = 'ipset';
      else if (w.length === 1 && parseCidr(line)) {
        addresses.push(line.replace(/\/\d+$/, ''));
        hasAddressPart = true;
      } else
        throw ruleParseError(
          lines,
          i + 1,
          raw.indexOf(line) + 1,
          'not a line of ipvsadm-save -n, ipset save, iptables-save or a kube-ipvs0 address',
        );
    }
    ipvs.push(kind === 'ipvs' ? raw : '');
    ipset.push(kind === 'ipset' ? raw : '');
    iptables.push(kind === 'iptables' ? raw : '');
  });
  return {
    ipvs: ipvs.join('\n'),
    ipset: ipset.join('\n'),
    iptables: iptables.join('\n'),
    addresses,
    hasAddressPart,
  };
}
