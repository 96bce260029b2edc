// The transaction's two encodings: `nft -f` lines as knftables writes them, and libnftables JSON.
import { describe, expect, test } from 'vitest';
import { toJSON } from '../../../src/proxy/nftables/json.js';
import type { NftObject, Verb } from '../../../src/proxy/nftables/transaction.js';
import { Transaction, toText } from '../../../src/proxy/nftables/transaction.js';

function one(verb: Verb, object: NftObject, family: 'ip' | 'ip6' = 'ip'): Transaction {
  const tx = new Transaction(family);
  tx[verb](object);
  return tx;
}

describe('text', () => {
  test.each([
    {
      name: 'table with comment',
      verb: 'add' as const,
      o: { kind: 'table', comment: 'rules for kube-proxy' } as const,
      want: 'add table ip kube-proxy { comment "rules for kube-proxy" ; }',
    },
    {
      name: 'base chain',
      verb: 'add' as const,
      o: { kind: 'chain', name: 'nat-prerouting', base: { type: 'nat', hook: 'prerouting', priority: -100 } } as const,
      want: 'add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority -100 ; }',
    },
    {
      name: 'regular chain',
      verb: 'add' as const,
      o: { kind: 'chain', name: 'services' } as const,
      want: 'add chain ip kube-proxy services',
    },
    {
      name: 'flush chain',
      verb: 'flush' as const,
      o: { kind: 'chain', name: 'services' } as const,
      want: 'flush chain ip kube-proxy services',
    },
    {
      name: 'affinity set',
      verb: 'add' as const,
      o: { kind: 'set', name: 'affinity-X', type: 'ipv4_addr', flags: ['dynamic', 'timeout'], timeout: 10800 } as const,
      want: 'add set ip kube-proxy affinity-X { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }',
    },
    {
      name: 'verdict map',
      verb: 'add' as const,
      o: {
        kind: 'map',
        name: 'service-nodeports',
        keyType: 'inet_proto . inet_service',
        valueType: 'verdict',
        comment: 'NodePort traffic',
      } as const,
      want: 'add map ip kube-proxy service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }',
    },
    {
      name: 'rule with comment',
      verb: 'add' as const,
      o: { kind: 'rule', chain: 'c', text: 'ip daddr @cluster-ips reject', comment: 'x y' } as const,
      want: 'add rule ip kube-proxy c ip daddr @cluster-ips reject comment "x y"',
    },
    {
      name: 'map element with comment',
      verb: 'add' as const,
      o: {
        kind: 'element',
        container: 'map',
        name: 'no-endpoint-services',
        key: ['172.30.0.46', 'tcp', '80'],
        value: 'goto reject-chain',
        comment: 'ns6/svc6:p80',
      } as const,
      want: 'add element ip kube-proxy no-endpoint-services { 172.30.0.46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain }',
    },
    {
      name: 'element delete has the key only',
      verb: 'delete' as const,
      o: {
        kind: 'element',
        container: 'map',
        name: 'service-ips',
        key: ['172.30.0.41', 'tcp', '80'],
        value: 'goto x',
      } as const,
      want: 'delete element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 }',
    },
  ])('$name', ({ verb, o, want }) => {
    expect(toText(one(verb, o))).toBe(`${want}\n`);
  });

  test('ip6 family', () => {
    expect(toText(one('add', { kind: 'chain', name: 'services' }, 'ip6'))).toBe('add chain ip6 kube-proxy services\n');
  });
});

describe('JSON', () => {
  test('affinity sets lose "dynamic" (nft 1.0.6 refuses it in JSON)', () => {
    const doc = JSON.parse(
      toJSON(one('add', { kind: 'set', name: 'a', type: 'ipv4_addr', flags: ['dynamic', 'timeout'], timeout: 600 })),
    );
    expect(doc.nftables[0]).toEqual({
      add: {
        set: { family: 'ip', table: 'kube-proxy', name: 'a', type: 'ipv4_addr', flags: ['timeout'], timeout: 600 },
      },
    });
  });

  test('a commented map element wraps its key; ports are numbers', () => {
    const doc = JSON.parse(
      toJSON(
        one('add', {
          kind: 'element',
          container: 'map',
          name: 'm',
          key: ['1.2.3.4', 'tcp', '80'],
          value: 'drop',
          comment: 'ns/s:p',
        }),
      ),
    );
    expect(doc.nftables[0].add.element.elem).toEqual([
      [{ elem: { val: { concat: ['1.2.3.4', 'tcp', 80] }, comment: 'ns/s:p' } }, { drop: null }],
    ]);
  });

  test('a base chain carries type, hook, priority and policy', () => {
    const doc = JSON.parse(
      toJSON(one('add', { kind: 'chain', name: 'filter-input', base: { type: 'filter', hook: 'input', priority: 0 } })),
    );
    expect(doc.nftables[0].add.chain).toEqual({
      family: 'ip',
      table: 'kube-proxy',
      name: 'filter-input',
      type: 'filter',
      hook: 'input',
      prio: 0,
      policy: 'accept',
    });
  });

  test('a rule rendered for text only cannot be written as JSON', () => {
    expect(() => toJSON(one('add', { kind: 'rule', chain: 'c', text: 'reject' }))).toThrow(/no JSON form/);
  });
});
