// `kubeplane proxy` for UDP (replies through the session, idle expiry) and HTTP (http-proxy with
// X-Forwarded-* headers, 502 with a reason when the backend fails).
import dgram from 'node:dgram';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Backend, commonPort, manifest, type RunningCli, startProxyCli, udpBackend } from './support.js';

function udpAsk(sock: dgram.Socket, at: { host: string; port: number }, msg: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no UDP reply in 3 s')), 3000);
    sock.once('message', (m) => {
      clearTimeout(timer);
      resolve(String(m));
    });
    sock.send(msg, at.port, at.host);
  });
}

function get(at: { host: string; port: number }, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: at.host, port: at.port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

describe('kubeplane proxy (UDP and HTTP)', () => {
  const backends: Backend[] = [];
  const servers: http.Server[] = [];
  let proxy: RunningCli;
  let badPort: number;

  beforeAll(async () => {
    const udpPort = await commonPort(['127.0.0.21', '127.0.0.22'], true);
    backends.push(await udpBackend('127.0.0.21', udpPort, 'u1'), await udpBackend('127.0.0.22', udpPort, 'u2'));
    const httpPort = await commonPort(['127.0.0.31']);
    const srv = http.createServer((req, res) => res.end(JSON.stringify({ url: req.url, headers: req.headers })));
    await new Promise<void>((r) => srv.listen(httpPort, '127.0.0.31', () => r()));
    servers.push(srv);
    badPort = await commonPort(['127.0.0.32']);
    proxy = await startProxyCli(
      manifest([
        {
          ns: 'kube-system',
          name: 'dns',
          clusterIP: '10.96.0.53',
          port: 53,
          protocol: 'UDP',
          targetPort: udpPort,
          endpoints: { '127.0.0.21': true, '127.0.0.22': true },
        },
        {
          ns: 'shop',
          name: 'web',
          clusterIP: '10.96.0.80',
          port: 80,
          appProtocol: 'http',
          targetPort: httpPort,
          endpoints: { '127.0.0.31': true },
        },
        {
          ns: 'shop',
          name: 'down',
          clusterIP: '10.96.0.81',
          port: 80,
          appProtocol: 'kubernetes.io/h2c',
          targetPort: badPort,
          endpoints: { '127.0.0.32': true },
        },
      ]),
      ['--udp-idle-timeout', '300ms'],
    );
  });
  afterAll(async () => {
    await proxy?.stop();
    await Promise.all(backends.map((b) => b.close()));
    for (const s of servers) s.close();
  });

  test('UDP: one session per client keeps its endpoint; after the idle timeout the next datagram picks again', async () => {
    const at = proxy.listen('kube-system/dns:p');
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    try {
      const first = await udpAsk(sock, at, 'a');
      expect(first).toMatch(/^u[12]:a$/);
      const who = first.slice(0, 2);
      expect(await udpAsk(sock, at, 'b')).toBe(`${who}:b`);
      expect(await udpAsk(sock, at, 'c')).toBe(`${who}:c`);
      await new Promise((r) => setTimeout(r, 800)); // idle > 300 ms: the session is gone
      const other = who === 'u1' ? 'u2' : 'u1';
      expect(await udpAsk(sock, at, 'd')).toBe(`${other}:d`);
    } finally {
      sock.close();
    }
  });

  test('HTTP: requests reach the backend through http-proxy with X-Forwarded-For and -Proto', async () => {
    const at = proxy.listen('shop/web:p');
    expect(proxy.stdout()).toContain(`shop/web:p/TCP 10.96.0.80:80 -> 127.0.0.1:${at.port} (http)`);
    const r = await get(at, '/hello?x=1');
    expect(r.status).toBe(200);
    const seen = JSON.parse(r.body) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe('/hello?x=1');
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
  });

  test('HTTP: a backend that refuses becomes a 502 whose body says why', async () => {
    const r = await get(proxy.listen('shop/down:p'));
    expect(r.status).toBe(502);
    expect(r.body).toContain(`endpoint 127.0.0.32:${badPort}: ECONNREFUSED`);
  });
});
