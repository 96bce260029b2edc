// The KUBE-SERVICES / KUBE-NODEPORTS index narrows the rules a walk looks at, never what matches:
// a rule is left out of a lookup only when its exact destination, protocol or port rules it out.
import { expect, test } from 'vitest';
import { parseIptables } from '../../src/dataplane/index.js';
import { indexChain } from '../../src/dataplane/iptables/chain-index.js';

const nodePorts = Array.from(
  { length: 20 },
  (_, i) => `-A KUBE-NODEPORTS -m tcp -p tcp --dport ${30000 + i} -j ACCEPT`,
);
const text = [
  '*filter',
  ':KUBE-NODEPORTS - [0:0]',
  ...nodePorts,
  '-A KUBE-NODEPORTS -m udp -p udp --dport 30003 -j ACCEPT',
  '-A KUBE-NODEPORTS -d 10.0.0.0/8 -m tcp -p tcp --dport 30003 -j DROP',
  '-A KUBE-NODEPORTS -d 192.168.1.1 -m tcp -p tcp --dport 30003 -j DROP',
  '-A KUBE-NODEPORTS -m statistic --mode random --probability 0.5 -m tcp -p tcp --dport 30003 -j DROP',
  '-A KUBE-NODEPORTS -j RETURN',
  'COMMIT',
  '',
].join('\n');

test.each([
  {
    name: 'a node port finds its own rule, the CIDR, random and catch-all rules',
    dst: '10.1.1.1',
    proto: 'tcp',
    port: 30003,
    want: [3, 21, 23, 24],
  },
  {
    name: 'an exact destination adds its own rule',
    dst: '192.168.1.1',
    proto: 'tcp',
    port: 30003,
    want: [3, 21, 22, 23, 24],
  },
  {
    name: 'the same port over udp finds only the udp rule and the rest',
    dst: '10.1.1.1',
    proto: 'udp',
    port: 30003,
    want: [20, 21, 23, 24],
  },
  {
    name: 'a port no rule names finds only the rules that do not name one',
    dst: '10.1.1.1',
    proto: 'tcp',
    port: 40000,
    want: [21, 23, 24],
  },
])('$name', ({ dst, proto, port, want }) => {
  const chain = parseIptables(text).tables.get('filter')!.chains.get('KUBE-NODEPORTS')!;
  expect(indexChain(chain)!.candidates(dst, proto, port)).toEqual(want);
});
