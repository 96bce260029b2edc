// An HTTP listener of the proxier (appProtocol http / kubernetes.io/h2c, or --l7 http): requests go
// through http-proxy, which adds X-Forwarded-For/-Port/-Proto/-Host. Each request is balanced on its
// own (affinity still per client IP), over kept-alive backend connections. A refused connect of a
// request without a body tries the next endpoint (bounded as for TCP); any other backend failure is
// a 502 whose body says why; a port without endpoints answers 503.
import http from 'node:http';
import type net from 'node:net';
import { Readable } from 'node:stream';
import httpProxy from 'http-proxy';
import { CONNECT_ATTEMPT_TIMEOUTS_MS } from './balancer.js';
import { clientIP, type ListenAddress, type Listener, type PickContext } from './listener.js';
import { listen } from './tcp-listener.js';

const BODILESS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

function fail(res: http.ServerResponse, status: number, reason: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${status} ${http.STATUS_CODES[status]}: ${reason}\n`;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export async function startHttpListener(at: ListenAddress, ctx: PickContext): Promise<Listener> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const proxy = httpProxy.createProxyServer({ xfwd: true, agent, proxyTimeout: 60_000 });
  const sockets = new Set<net.Socket>();

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, attempt: number) => {
    const client = clientIP(req.socket.remoteAddress);
    const endpoint = ctx.balancer.next(ctx.key, client, ctx.now(), attempt > 0);
    if (endpoint === undefined) {
      fail(res, 503, `${ctx.key} has no ready endpoints`);
      return;
    }
    const retryable = BODILESS.has(req.method ?? '') && attempt + 1 < CONNECT_ATTEMPT_TIMEOUTS_MS.length;
    proxy.web(
      req,
      res,
      { target: `http://${endpoint}`, ...(attempt > 0 ? { buffer: Readable.from([]) } : {}) },
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED' && retryable && !res.headersSent) {
          ctx.onEvent?.(`${ctx.key}: connect to ${endpoint} refused; trying the next endpoint`);
          forward(req, res, attempt + 1);
          return;
        }
        fail(res, 502, `${ctx.key}: endpoint ${endpoint}: ${err.code ?? err.message}`);
      },
    );
  };

  const server = http.createServer((req, res) => forward(req, res, 0));
  server.keepAliveTimeout = 5_000;
  server.on('connection', (s: net.Socket) => {
    s.setNoDelay(true);
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await listen(server as unknown as net.Server, at);
  const addr = server.address() as net.AddressInfo;
  return {
    address: { host: addr.address, port: addr.port },
    get active() {
      return sockets.size;
    },
    // Stop listening at once (close()'s callback would wait for every connection) and drop idle keep-alives.
    stop: async () => {
      server.close();
      server.closeIdleConnections();
    },
    destroyAll() {
      for (const s of sockets) s.destroy();
      agent.destroy();
      proxy.close();
    },
  };
}
