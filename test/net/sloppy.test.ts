import { describe, expect, test } from 'vitest';
import { canonicalIPText, cidrContains, parseCIDRSloppy, parseIPSloppy } from '../../src/net/index.js';
import { parseIP } from '../../src/net/ip.js';

describe('parseIPSloppy', () => {
  test.each([
    { name: 'plain IPv4', input: '10.96.0.1', text: '10.96.0.1', family: 'IPv4', sloppy: false },
    {
      name: 'leading zeros are decimal, not octal',
      input: '172.30.0.041',
      text: '172.30.0.41',
      family: 'IPv4',
      sloppy: true,
    },
    {
      name: 'leading zeros that octal would refuse',
      input: '192.168.099.022',
      text: '192.168.99.22',
      family: 'IPv4',
      sloppy: true,
    },
    {
      name: 'IPv6 is printed in RFC 5952 form',
      input: 'FD00:0:0:0::0001',
      text: 'fd00::1',
      family: 'IPv6',
      sloppy: false,
    },
    { name: 'IPv4-mapped IPv6 is IPv4', input: '::ffff:10.1.2.3', text: '10.1.2.3', family: 'IPv4', sloppy: false },
  ])('$name', ({ input, text, family, sloppy }) => {
    // The value is the canonical text's, read strictly: one codec under both readings.
    expect(parseIPSloppy(input)).toEqual({ text, family, sloppy, value: parseIP(text)!.value });
  });

  test.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '1.2.3.-4',
    '1.2.3.4 ',
    'a.b.c.d',
    '1..2.3',
    '0001.2.3.4',
    'fe80::1%eth0',
    ':::',
  ])('refuses %j', (input) => {
    expect(parseIPSloppy(input)).toBeUndefined();
    expect(canonicalIPText(input)).toBeUndefined();
  });

  test('canonicalIPText agrees with parseIPSloppy', () => {
    for (const s of ['0.0.0.0', '255.255.255.255', '10.0.0.010', '01.2.3.4', '2001:db8::1', '1.2.3.04']) {
      expect(canonicalIPText(s)).toBe(parseIPSloppy(s)?.text);
    }
  });
});

describe('parseCIDRSloppy', () => {
  test('clears host bits in text and remembers the address as written', () => {
    expect(parseCIDRSloppy('10.1.2.3/8')).toEqual({
      family: 'IPv4',
      base: 0x0a000000n,
      text: '10.0.0.0/8',
      address: '10.1.2.3',
      prefix: 8,
      sloppy: false,
      hostBitsSet: true,
    });
    expect(parseCIDRSloppy('fd00:10:244::/56')?.text).toBe('fd00:10:244::/56');
    expect(parseCIDRSloppy('010.0.0.0/8')?.text).toBe('10.0.0.0/8');
  });

  test.each(['10.0.0.0', '10.0.0.0/33', '10.0.0.0/-1', 'fd00::/129', 'x/8', '10.0.0.0/8/8'])('refuses %j', (s) => {
    expect(parseCIDRSloppy(s)).toBeUndefined();
  });

  test('Go semantics where ipaddr.js differed: embedded IPv4 is not mapped, hex octets refused', () => {
    expect(parseIPSloppy('::1.2.3.4')?.text).toBe('::102:304');
    expect(parseIPSloppy('::ffff:0x1.2.3.4')).toBeUndefined();
    expect(parseIPSloppy('::ffff:010.2.3.4')?.text).toBe('10.2.3.4');
    expect(parseIPSloppy('00001::')).toBeUndefined();
  });

  test('containment is per family', () => {
    const net = parseCIDRSloppy('10.244.0.0/16')!;
    expect(cidrContains(net, parseIPSloppy('10.244.3.4')!)).toBe(true);
    expect(cidrContains(net, parseIPSloppy('10.245.0.1')!)).toBe(false);
    expect(cidrContains(net, parseIPSloppy('fd00::1')!)).toBe(false);
  });
});
