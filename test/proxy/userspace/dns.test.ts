// `kubeplane proxy --dns-listen`: the cluster DNS beside the proxy, answering a proxied Service's
// name with the proxy's listen address and its SRV records with the listener's port; a client that
// resolves through it (real dig) reaches the backend through the proxy. A taken DNS port exits 2.
import { execFileSync, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CLI, ROOT } from '../../support/cli.js';
import { commandUnavailableReason, describeWith } from '../../support/env.js';
import {
  type Backend,
  commonPort,
  manifest,
  type RunningCli,
  startProxyCli,
  tcpBackend,
  whoAnswers,
} from './support.js';

const EPS = ['127.0.0.31', '127.0.0.32'];

function dig(port: number, ...query: string[]): string[] {
  const out = execFileSync('dig', ['+short', '+time=2', '+tries=2', '@127.0.0.1', '-p', String(port), ...query], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  return out.trim().split('\n').filter(Boolean);
}

describeWith(commandUnavailableReason('dig', 'bind9-dnsutils'), undefined, 'kubeplane proxy --dns-listen', () => {
  let backends: Backend[] = [];
  let proxy: RunningCli;
  let dnsPort: number;

  beforeAll(async () => {
    const port = await commonPort(EPS);
    backends = await Promise.all(EPS.map((ip, i) => tcpBackend(ip, port, `web-${i + 1}`)));
    dnsPort = await commonPort(['127.0.0.1'], true);
    const yaml = manifest([
      {
        ns: 'shop',
        name: 'web',
        clusterIP: '10.96.0.10',
        port: 80,
        portName: 'http',
        targetPort: port,
        endpoints: Object.fromEntries(EPS.map((ip) => [ip, true])),
      },
      {
        ns: 'shop',
        name: 'assoc',
        clusterIP: '10.96.0.11',
        port: 9000,
        protocol: 'SCTP',
        targetPort: port,
        endpoints: {},
      },
    ]);
    proxy = await startProxyCli(yaml, ['--dns-listen', `127.0.0.1:${dnsPort}`]);
  });
  afterAll(async () => {
    await proxy?.stop();
    await Promise.all(backends.map((b) => b.close()));
  });

  test('the Service name answers with the listen address, its SRV record with the listener port', () => {
    const { host, port } = proxy.listen('shop/web:http');
    expect(dig(dnsPort, 'web.shop.svc.cluster.local')).toEqual([host]);
    expect(dig(dnsPort, 'SRV', '_http._tcp.web.shop.svc.cluster.local')).toEqual([
      `0 100 ${port} web.shop.svc.cluster.local.`,
    ]);
    expect(proxy.stderr()).toContain(`cluster DNS on 127.0.0.1:${dnsPort}`);
  });

  test('a Service the proxy serves no port of (SCTP only) is not published', () => {
    expect(dig(dnsPort, 'assoc.shop.svc.cluster.local')).toEqual([]);
    expect(dig(dnsPort, 'SRV', '_p._sctp.assoc.shop.svc.cluster.local')).toEqual([]);
  });

  test('a client that resolves through it reaches a backend through the proxy, round-robin', async () => {
    const [ip] = dig(dnsPort, 'web.shop.svc.cluster.local');
    const srvPort = Number(dig(dnsPort, 'SRV', '_http._tcp.web.shop.svc.cluster.local')[0]!.split(' ')[2]);
    const names = [];
    for (let i = 0; i < 4; i++) names.push(await whoAnswers({ host: ip!, port: srvPort }));
    expect(names.sort()).toEqual(['web-1', 'web-1', 'web-2', 'web-2']);
  });

  test('a DNS port already in use is a clear error and exit 2', async () => {
    const held = dgram.createSocket('udp4');
    const port = await new Promise<number>((resolve) => held.bind(0, '127.0.0.1', () => resolve(held.address().port)));
    const dir = mkdtempSync(join(tmpdir(), 'kp-proxy-dns-'));
    try {
      writeFileSync(
        join(dir, 'c.yaml'),
        manifest([{ ns: 's', name: 'w', clusterIP: '10.96.0.9', port: 80, targetPort: 80, endpoints: {} }]),
      );
      const r = spawnSync(
        process.execPath,
        [CLI, 'proxy', '-f', join(dir, 'c.yaml'), '--dns-listen', `127.0.0.1:${port}`],
        {
          cwd: ROOT,
          encoding: 'utf8',
          timeout: 10_000,
        },
      );
      expect(r.stderr).toContain(`--dns-listen 127.0.0.1:${port} is already in use`);
      expect(r.status).toBe(2);
    } finally {
      held.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
