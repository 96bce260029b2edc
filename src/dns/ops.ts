// The operations endpoints on --metrics-listen: /health (CoreDNS `health`), /ready (`ready`) and
// /metrics (`prometheus`), on one small HTTP server.
import { createBoundedServer } from '../net/http-server.js';
import type { DnsMetrics } from './metrics.js';
import type { ListenAddress } from './server.js';

export interface OpsServer {
  address: ListenAddress;
  close(): Promise<void>;
}

export async function startOps(listen: ListenAddress, metrics: DnsMetrics, ready: () => boolean): Promise<OpsServer> {
  const server = createBoundedServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (path === '/health') send(200, 'OK');
    else if (path === '/ready') ready() ? send(200, 'OK') : send(503, 'kubernetes');
    else if (path === '/metrics') send(200, metrics.render(), 'text/plain; version=0.0.4; charset=utf-8');
    else send(404, 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : listen.port;
  return {
    address: { host: listen.host, port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
