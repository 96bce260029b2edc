// servicesAtProxy: the cluster as --dns-listen publishes it, one Service shape per row.
import { expect, test } from 'vitest';
import type { ClusterObject, Service } from '../../../src/cluster/types.js';
import { servicesAtProxy } from '../../../src/proxy/userspace/dns-view.js';
import type { PortMap } from '../../../src/proxy/userspace/port-map.js';

function svc(name: string, spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' }, spec };
}

const map = (listen: string): PortMap => ({
  ports: [
    { service: 'shop/web', portName: 'http', protocol: 'TCP', clusterIP: '10.96.0.10', port: 80, listen },
    {
      service: 'shop/web',
      portName: 'dns',
      protocol: 'UDP',
      clusterIP: '10.96.0.10',
      port: 53,
      listen: listen.replace(/\d+$/, '41002'),
    },
  ],
});

const web = svc('web', {
  clusterIP: '10.96.0.10',
  clusterIPs: ['10.96.0.10'],
  ports: [
    { name: 'http', port: 80, protocol: 'TCP' },
    { name: 'dns', port: 53, protocol: 'UDP' },
    { name: 'assoc', port: 9000, protocol: 'SCTP' },
  ],
});

test.each([
  {
    name: 'a proxied Service moves to the listen address, each port to its listener',
    listen: '127.0.0.1:41001',
    ip: '127.0.0.1',
  },
  { name: 'a wildcard listen address is published as loopback', listen: '0.0.0.0:41001', ip: '127.0.0.1' },
])('$name', ({ listen, ip }) => {
  const [out] = servicesAtProxy([web], map(listen)) as Service[];
  expect(out!.spec.clusterIPs).toEqual([ip]);
  expect(out!.spec.clusterIP).toBe(ip);
  // The SCTP port is not served by the proxy, so it is not published.
  expect(out!.spec.ports!.map((p) => `${p.name} ${p.protocol} ${p.port}`)).toEqual(['http TCP 41001', 'dns UDP 41002']);
  expect(web.spec.clusterIP).toBe('10.96.0.10'); // the input is not changed
});

test('headless and ExternalName Services and other kinds pass unchanged; a cluster IP with no served port is left out', () => {
  const headless = svc('db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] });
  const external = svc('ext', { type: 'ExternalName', externalName: 'example.org' });
  const sctpOnly = svc('assoc', { clusterIP: '10.96.0.11', ports: [{ name: 'a', port: 9000, protocol: 'SCTP' }] });
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' } } as ClusterObject;
  expect(servicesAtProxy([headless, external, sctpOnly, node], map('127.0.0.1:41001'))).toEqual([
    headless,
    external,
    node,
  ]);
});
