// Chain and set names: hash8 + base with the 240-character limit. Expected values are upstream's
// (Test_servicePortChainNameBase, Test_servicePortEndpointChainNameBase, TestOverallNFTablesRules).
import { describe, expect, test } from 'vitest';
import { endpointChainNameBase, hash8, servicePortChainNameBase } from '../../../src/proxy/nftables/names.js';

const LONG = {
  namespace: 'very-long-namespace-name-abcdefghijklmnopqrstuvwxyz0123456789xx',
  serviceName: 'very-long-service-name-why-would-you-even-do-this-i-mean-really',
  portName: 'port-443-providing-the-hypertext-transmission-protocol-with-tls',
  protocol: 'SCTP' as const,
};
const TESTING = { namespace: 'testing', serviceName: 'service', protocol: 'TCP' as const };

describe('servicePortChainNameBase', () => {
  test.each([
    { name: 'simple', port: { ...TESTING, portName: 'http' }, want: 'P4ZYZVCF-testing/service/tcp/http' },
    {
      name: 'different port, different hash',
      port: { ...TESTING, portName: 'https' },
      want: 'LZBRENCP-testing/service/tcp/https',
    },
    {
      name: 'max length',
      port: LONG,
      want: 'KR6NACJP-very-long-namespace-name-abcdefghijklmnopqrstuvwxyz0123456789xx/very-long-service-name-why-would-you-even-do-this-i-mean-really/sctp/port-443-providing-the-hypertext-transmission-protocol-with-tls',
    },
    {
      name: 'overall svc1',
      port: { namespace: 'ns1', serviceName: 'svc1', protocol: 'TCP' as const, portName: 'p80' },
      want: 'ULMVA6XW-ns1/svc1/tcp/p80',
    },
    {
      name: 'unnamed port keeps the trailing slash',
      port: { namespace: 'ns1', serviceName: 'svc1', protocol: 'TCP' as const, portName: '' },
      want: '6KJ5P52A-ns1/svc1/tcp/',
    },
  ])('$name', ({ port, want }) => {
    expect(servicePortChainNameBase(port)).toBe(want);
  });
});

describe('endpointChainNameBase', () => {
  test.each([
    {
      name: 'simple',
      port: { ...TESTING, portName: 'http' },
      ip: '10.180.0.1',
      p: 80,
      want: 'JO2XBXZR-testing/service/tcp/http__10.180.0.1/80',
    },
    {
      name: 'different endpoint, different hash',
      port: { ...TESTING, portName: 'http' },
      ip: '10.180.0.2',
      p: 80,
      want: '5S6H3H22-testing/service/tcp/http__10.180.0.2/80',
    },
    {
      name: 'ipv6',
      port: { ...TESTING, portName: 'http' },
      ip: 'fd80:abcd:12::a1b2:c3d4:e5f6:9999',
      p: 80,
      want: 'U7E2ET36-testing/service/tcp/http__fd80.abcd.12..a1b2.c3d4.e5f6.9999/80',
    },
    {
      name: 'max length without truncation',
      port: LONG,
      ip: '1234:5678:9abc:def0::abc:1234',
      p: 443,
      want: '5YS7AFEA-very-long-namespace-name-abcdefghijklmnopqrstuvwxyz0123456789xx/very-long-service-name-why-would-you-even-do-this-i-mean-really/sctp/port-443-providing-the-hypertext-transmission-protocol-with-tls__1234.5678.9abc.def0..abc.1234/443',
    },
    {
      name: 'truncated, 1',
      port: LONG,
      ip: '1234:5678:9abc:def0::abcd:1234:5678',
      p: 443,
      want: 'CI6C53Q3-very-long-namespace-name-abcdefghijklmnopqrstuvwxyz0123456789xx/very-long-service-name-why-would-you-even-do-this-i-mean-really/sctp/port-443-providing-the-hypertext-transmission-protocol-with-tls__1234.5678.9abc.def0..abcd.1234...',
    },
    {
      name: 'truncated, 2 (different IP, not visible in the result)',
      port: LONG,
      ip: '1234:5678:9abc:def0::abcd:1234:8765',
      p: 443,
      want: '2FLXFK6X-very-long-namespace-name-abcdefghijklmnopqrstuvwxyz0123456789xx/very-long-service-name-why-would-you-even-do-this-i-mean-really/sctp/port-443-providing-the-hypertext-transmission-protocol-with-tls__1234.5678.9abc.def0..abcd.1234...',
    },
  ])('$name', ({ port, ip, p, want }) => {
    const got = endpointChainNameBase(port, { ip, port: p });
    expect(got).toBe(want);
    expect(got.length).toBeLessThanOrEqual(240);
  });
});

test('hash8 is the first 8 base32 characters of sha256', () => {
  expect(hash8('ns1/svc1/tcp/p80')).toBe('ULMVA6XW');
  expect(hash8('default/kubernetes/tcp/https')).toBe('2QRHZV4L');
});
