import ipaddr from 'ipaddr.js';
import { describe, expect, test } from 'vitest';
import { formatIP, isIPv4Mapped, parseIP } from '../../src/net/ip.js';

describe('parseIP / formatIP', () => {
  test.each([
    { name: 'IPv4', text: '10.1.2.3', want: '10.1.2.3' },
    { name: 'IPv4 zero', text: '0.0.0.0', want: '0.0.0.0' },
    { name: 'IPv4 max', text: '255.255.255.255', want: '255.255.255.255' },
    { name: 'IPv6 compressed', text: 'fd00:10:244:1::2', want: 'fd00:10:244:1::2' },
    { name: 'IPv6 uppercase and full', text: 'FD00:0010:0244:0001:0000:0000:0000:0002', want: 'fd00:10:244:1::2' },
    { name: 'IPv6 all zero', text: '::', want: '::' },
    { name: 'IPv6 longest run wins', text: '1:0:0:2:0:0:0:3', want: '1:0:0:2::3' },
    { name: 'IPv6 first of equal runs wins', text: '1:0:0:2:3:0:0:4', want: '1::2:3:0:0:4' },
    { name: 'IPv6 single zero group is not compressed', text: '1:2:3:4:5:6:0:8', want: '1:2:3:4:5:6:0:8' },
    { name: 'IPv6 embedded IPv4', text: '64:ff9b::10.1.2.3', want: '64:ff9b::a01:203' },
  ])('$name', ({ text, want }) => {
    const ip = parseIP(text);
    expect(ip).toBeDefined();
    expect(formatIP(ip!)).toBe(want);
  });

  test.each([
    { name: 'leading zero IPv4 (Go rejects)', text: '10.01.2.3' },
    { name: 'five parts', text: '1.2.3.4.5' },
    { name: 'octet too big', text: '1.2.3.256' },
    { name: 'empty', text: '' },
    { name: 'two double colons', text: '1::2::3' },
    { name: 'too many groups', text: '1:2:3:4:5:6:7:8:9' },
    { name: 'zone', text: 'fe80::1%eth0' },
    { name: 'group too long', text: '12345::1' },
    { name: 'trailing dot', text: '1.2.3.' },
  ])('rejects $name', ({ text }) => {
    expect(parseIP(text)).toBeUndefined();
  });

  test('IPv4-mapped IPv6 is recognised', () => {
    expect(isIPv4Mapped(parseIP('::ffff:10.0.0.1')!)).toBe(true);
    expect(isIPv4Mapped(parseIP('fd00::1')!)).toBe(false);
  });

  test('agrees with ipaddr.js RFC 5952 text on pseudo-random IPv6 addresses', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let i = 0; i < 2000; i++) {
      // Groups are often zero so that compression cases are frequent.
      const groups = Array.from({ length: 8 }, () => (rnd() % 3 === 0 ? 0 : rnd() & 0xffff));
      const text = groups.map((g) => g.toString(16)).join(':');
      const ours = parseIP(text);
      const theirs = ipaddr.IPv6.parse(text);
      if (theirs.isIPv4MappedAddress()) continue;
      expect(formatIP(ours!)).toBe(theirs.toRFC5952String());
    }
  });
});
