// `kubeplane proxy` over TCP with real sockets: exact round-robin, ClientIP affinity per source
// address, a refusing endpoint skipped, no endpoints closed at once, SIGTERM.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type Backend,
  commonPort,
  counts,
  manifest,
  type RunningCli,
  startProxyCli,
  tcpBackend,
  whoAnswers,
} from './support.js';

const READY = ['127.0.0.11', '127.0.0.12', '127.0.0.13'];
const NOT_READY = '127.0.0.14';
const REFUSING = '127.0.0.15';

describe('kubeplane proxy (TCP)', () => {
  let backends: Backend[] = [];
  let proxy: RunningCli;
  let port: number;

  beforeAll(async () => {
    port = await commonPort([...READY, NOT_READY, REFUSING]);
    backends = await Promise.all(
      [...READY, NOT_READY].map((ip, i) => tcpBackend(ip, port, i < 3 ? `ready-${i + 1}` : 'not-ready')),
    );
    const eps = Object.fromEntries([...READY.map((ip) => [ip, true]), [NOT_READY, false]]);
    proxy = await startProxyCli(
      manifest([
        { ns: 'shop', name: 'web', clusterIP: '10.96.0.10', port: 80, targetPort: port, endpoints: eps },
        {
          ns: 'shop',
          name: 'sticky',
          clusterIP: '10.96.0.11',
          port: 80,
          targetPort: port,
          affinity: true,
          endpoints: eps,
        },
        {
          ns: 'shop',
          name: 'flaky',
          clusterIP: '10.96.0.12',
          port: 80,
          targetPort: port,
          endpoints: { [REFUSING]: true, [READY[0]!]: true },
        },
        { ns: 'shop', name: 'empty', clusterIP: '10.96.0.13', port: 80, targetPort: port, endpoints: {} },
        {
          ns: 'shop',
          name: 'assoc',
          clusterIP: '10.96.0.14',
          port: 9000,
          protocol: 'SCTP',
          targetPort: port,
          endpoints: {},
        },
      ]),
    );
  });
  afterAll(async () => {
    await proxy?.stop();
    await Promise.all(backends.map((b) => b.close()));
  });

  test('the port map lists every TCP service port on the listen address, and stdout says where', () => {
    const map = proxy.map();
    expect(map.map((p) => `${p.service}:${p.portName} ${p.protocol} ${p.clusterIP}:${p.port}`).sort()).toEqual([
      'shop/empty:p TCP 10.96.0.13:80',
      'shop/flaky:p TCP 10.96.0.12:80',
      'shop/sticky:p TCP 10.96.0.11:80',
      'shop/web:p TCP 10.96.0.10:80',
    ]);
    for (const p of map) {
      expect(p.listen).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(proxy.stdout()).toContain(`${p.service}:${p.portName}/TCP ${p.clusterIP}:${p.port} -> ${p.listen}`);
    }
    expect(proxy.stderr()).toContain('shop/assoc:p/SCTP 10.96.0.14:9000: SCTP is not supported by the userspace proxy');
  });

  test('30 connections: 10 to each ready endpoint, in a repeating order, never the not-ready one', async () => {
    const at = proxy.listen('shop/web:p');
    const names: string[] = [];
    for (let i = 0; i < 30; i++) names.push(await whoAnswers(at));
    expect(counts(names)).toEqual({ 'ready-1': 10, 'ready-2': 10, 'ready-3': 10 });
    for (let i = 3; i < 30; i++) expect(names[i]).toBe(names[i - 3]);
  });

  test('ClientIP affinity: 20 connections from each of two source addresses stay on one endpoint each', async () => {
    const at = proxy.listen('shop/sticky:p');
    const a: string[] = [];
    const b: string[] = [];
    for (let i = 0; i < 20; i++) {
      a.push(await whoAnswers(at, '127.0.0.101'));
      b.push(await whoAnswers(at, '127.0.0.102'));
    }
    expect(new Set(a).size).toBe(1);
    expect(new Set(b).size).toBe(1);
    // Round-robin gives the second client the next endpoint.
    expect(a[0]).not.toBe(b[0]);
    expect(a[0]).not.toBe('not-ready');
  });

  test('a refusing endpoint is skipped: every connection reaches the live one', async () => {
    const at = proxy.listen('shop/flaky:p');
    const names: string[] = [];
    for (let i = 0; i < 10; i++) names.push(await whoAnswers(at));
    expect(counts(names)).toEqual({ 'ready-1': 10 });
    expect(proxy.stderr()).toContain(`connect to ${REFUSING}:${port} failed; trying the next endpoint`);
  });

  test('a port without endpoints closes the connection at once', async () => {
    const at = proxy.listen('shop/empty:p');
    const outcome = await new Promise<string>((resolve) => {
      const s = net.connect(at);
      let got = '';
      s.on('data', (d) => (got += d));
      s.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code}`));
      s.on('close', () => resolve(`closed ${JSON.stringify(got)}`));
    });
    expect(outcome).toMatch(/^(error ECONNRESET|closed "")$/);
  });

  test('SIGTERM: exit 0 with every port closed, an open connection included', async () => {
    const at = proxy.listen('shop/web:p');
    const open = net.connect(at);
    await new Promise((r) => open.once('data', r));
    const closed = new Promise((r) => open.once('close', r));
    const code = await proxy.stop();
    expect(code).toBe(0);
    await closed;
    const refused = await new Promise<string>((resolve) => {
      const s = net.connect(at);
      s.on('connect', () => resolve('connected'));
      s.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
    expect(proxy.stderr()).toContain('proxy stopped');
  });
});
