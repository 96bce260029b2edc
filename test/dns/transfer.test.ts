// Zone transfers as CoreDNS's kubernetes plugin produces them for the `transfer` plugin
// (coredns/coredns at 4b26cced3, plugin/kubernetes/xfr_test.go TestKubernetesAXFR, expectedZone),
// on the same cluster (fixtures/dns/coredns-handler), pure and through `dns serve --transfer` with
// dig. Two differences from upstream's text, both from its test fakes rather than the plugin: the
// fake's hdls1 is one Endpoints object with both families (6 addresses: SRV weight 16) where a real
// cluster has one EndpointSlice per family (4 and 2 addresses: weights 25 and 50); and nsAddrs
// records carry no TTL (0), which upstream's comparison (dns.IsDuplicate) does not look at.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadManifests } from '../../src/cluster/load.js';
import { MemoryClusterStore } from '../../src/cluster/memory-store.js';
import type { ClusterObject } from '../../src/cluster/types.js';
import { ZoneIndex } from '../../src/dns/index.js';
import { type RunningDns, startDnsService } from '../../src/dns/service.js';
import { rrText } from '../../src/dns/text.js';
import { zoneTransfer } from '../../src/dns/transfer.js';
import { DEFAULT_ZONE_OPTIONS } from '../../src/dns/zone.js';
import { fixture } from '../support/cli.js';
import { commandUnavailableReason, describeWith } from '../support/env.js';
import { header, query, tcpExchange, udpExchange } from './raw.js';

const run = promisify(execFile);
const OPTIONS = { ...DEFAULT_ZONE_OPTIONS, serial: 3, nsAddresses: ['10.0.0.10'], transfer: true };
const T = 'testns.svc.cluster.local';
const hdls = (host: string, ip: string, weight: number) => [
  `hdls1.${T}. 5 IN ${ip.includes(':') ? 'AAAA' : 'A'} ${ip}`,
  `${host}.hdls1.${T}. 5 IN ${ip.includes(':') ? 'AAAA' : 'A'} ${ip}`,
  `_http._tcp.hdls1.${T}. 5 IN SRV 0 ${weight} 80 ${host}.hdls1.${T}.`,
];
const clusterIP = (name: string, ns: string, ips: string[], port: number, portName: string, proto: string) => [
  ...ips.map((ip) => `${name}.${ns}.svc.cluster.local. 5 IN ${ip.includes(':') ? 'AAAA' : 'A'} ${ip}`),
  `${name}.${ns}.svc.cluster.local. 5 IN SRV 0 100 ${port} ${name}.${ns}.svc.cluster.local.`,
  `_${portName}._${proto}.${name}.${ns}.svc.cluster.local. 5 IN SRV 0 100 ${port} ${name}.${ns}.svc.cluster.local.`,
];
const SOA = 'cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 3 7200 1800 86400 5';
const EXPECTED = [
  SOA,
  'cluster.local. 5 IN NS ns.dns.cluster.local.',
  'ns.dns.cluster.local. 0 IN A 10.0.0.10',
  `external.${T}. 5 IN CNAME ext.interwebs.test.`,
  `external-to-service.${T}. 5 IN CNAME svc1.${T}.`,
  ...hdls('172-0-0-2', '172.0.0.2', 25),
  ...hdls('172-0-0-3', '172.0.0.3', 25),
  ...hdls('dup-name', '172.0.0.4', 25),
  ...hdls('dup-name', '172.0.0.5', 25),
  ...hdls('5678-abcd--1', '5678:abcd::1', 50),
  ...hdls('5678-abcd--2', '5678:abcd::2', 50),
  `hdlsprtls.${T}. 5 IN A 172.0.0.20`,
  `172-0-0-20.hdlsprtls.${T}. 5 IN A 172.0.0.20`,
  ...clusterIP('kubedns', 'kube-system', ['10.0.0.10'], 53, 'dns', 'udp'),
  ...clusterIP('svc-dual-stack', 'testns', ['10.0.0.3', '10::3'], 80, 'http', 'tcp'),
  ...clusterIP('svc1', 'testns', ['10.0.0.1'], 80, 'http', 'tcp'),
  ...clusterIP('svc6', 'testns', ['1234:abcd::1'], 80, 'http', 'tcp'),
  ...clusterIP('svcempty', 'testns', ['10.0.0.1'], 80, 'http', 'tcp'),
  SOA,
];

let objects: ClusterObject[];
beforeAll(async () => {
  objects = (await loadManifests([fixture('dns', 'coredns-handler')])).objects;
});

describe('zoneTransfer', () => {
  test('TestKubernetesAXFR: the whole zone, in CoreDNS order, SOA first and last', () => {
    const rrs = zoneTransfer(new ZoneIndex(objects), OPTIONS, 'cluster.local');
    expect(rrs?.map(rrText)).toEqual(EXPECTED);
  });

  test('TestKubernetesTransferNonAuthZone: a zone we do not serve is no transfer', () => {
    expect(zoneTransfer(new ZoneIndex(objects), OPTIONS, 'example.com')).toBeUndefined();
  });

  test('a dual-stack server: one NS, both glue addresses (TestKubernetesAXFRMultipleNSAddrs)', () => {
    const rrs = zoneTransfer(
      new ZoneIndex(objects),
      { ...OPTIONS, nsAddresses: ['10.0.0.10', 'fd00::10'] },
      'cluster.local',
    )!;
    const text = rrs.map(rrText);
    expect(text.filter((t) => / IN NS /.test(t))).toEqual(['cluster.local. 5 IN NS ns.dns.cluster.local.']);
    expect(text.filter((t) => t.startsWith('ns.dns.cluster.local.'))).toEqual([
      'ns.dns.cluster.local. 0 IN A 10.0.0.10',
      'ns.dns.cluster.local. 0 IN AAAA fd00::10',
    ]);
    expect([rrs[0]!.type, rrs[rrs.length - 1]!.type]).toEqual([6, 6]);
  });

  test('namespaces option: only exposed Services are transferred', () => {
    const rrs = zoneTransfer(new ZoneIndex(objects), { ...OPTIONS, namespaces: ['kube-system'] }, 'cluster.local')!;
    expect(rrs.map(rrText).filter((t) => t.includes('.testns.'))).toEqual([]);
    expect(rrs.map(rrText)).toContain('kubedns.kube-system.svc.cluster.local. 5 IN A 10.0.0.10');
  });
});

describeWith(
  commandUnavailableReason('dig', 'bind9-dnsutils'),
  'KUBEPLANE_REQUIRE_KERNEL',
  'dns serve --transfer',
  () => {
    let on: RunningDns;
    beforeAll(async () => {
      on = await startDnsService(new MemoryClusterStore(objects), {
        listen: { host: '127.0.0.1', port: 0 },
        zone: OPTIONS,
      });
    });
    afterAll(async () => {
      await on?.close();
    });
    const digLines = async (args: string[], port = on.address.port) => {
      const { stdout } = await run(
        'dig',
        ['@127.0.0.1', '-p', String(port), '+nocookie', '+tries=1', '+time=3', ...args],
        {
          timeout: 20_000,
        },
      );
      return stdout
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.startsWith(';'))
        .map((l) => l.trim().split(/\s+/).join(' '));
    };

    test('dig AXFR receives the zone', async () => {
      expect(await digLines(['AXFR', 'cluster.local'])).toEqual(EXPECTED);
    });

    test('IXFR with the current serial: the SOA alone', async () => {
      expect(await digLines(['IXFR=3', 'cluster.local'])).toEqual([SOA]);
    });

    test('IXFR with an older serial falls back to the whole zone', async () => {
      expect(await digLines(['IXFR=2', 'cluster.local'])).toEqual(EXPECTED);
    });

    test('AXFR over UDP is REFUSED (the transfer plugin serves TCP only)', async () => {
      const reply = await udpExchange(on.address.port, query('cluster.local', 252));
      expect(header(reply!)).toMatchObject({ rcode: 5, an: 0 });
    });

    test('AXFR of a name that is not a cluster zone apex is still REFUSED', async () => {
      const [reply] = await tcpExchange(on.address.port, [query('svc1.testns.svc.cluster.local', 252)], 1);
      expect(header(reply!)).toMatchObject({ rcode: 5, an: 0 });
    });

    test('every message of a large transfer fits a TCP frame; SOA opens and closes it', async () => {
      const many: ClusterObject[] = Array.from({ length: 3000 }, (_, i) => ({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `bulk-${i}`, namespace: 'testns' },
        spec: { clusterIP: `10.1.${i >> 8}.${i & 255}`, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
      }));
      const big = await startDnsService(new MemoryClusterStore([...objects, ...many]), {
        listen: { host: '127.0.0.1', port: 0 },
        zone: OPTIONS,
      });
      try {
        // dig reads messages until the closing SOA, then counts records and messages.
        const { stdout } = await run(
          'dig',
          ['@127.0.0.1', '-p', String(big.address.port), '+nocookie', '+tries=1', '+time=10', 'AXFR', 'cluster.local'],
          { timeout: 60_000 },
        );
        const size = /XFR size: (\d+) records \(messages (\d+),/.exec(stdout);
        expect(Number(size?.[1])).toBe(EXPECTED.length + 3 * 3000);
        expect(Number(size?.[2])).toBeGreaterThan(1);
        const lines = stdout.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';'));
        expect([lines[0], lines[lines.length - 1]].map((l) => l?.trim().split(/\s+/).join(' '))).toEqual([SOA, SOA]);
      } finally {
        await big.close();
      }
    });
  },
);
