// The agent's HTTP endpoints, as kube-proxy serves them: /healthz and /livez (200 or 503, a JSON
// body with the last sync time), /metrics (Prometheus text) and /proxyMode (the mode's name). The
// metrics server has all of them; the health server (kube-proxy's healthzBindAddress) only the first two.
import type { Server } from 'node:http';
import { createBoundedServer } from '../net/http-server.js';
import type { Agent } from './agent.js';

export interface AgentHttp {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startAgentHttp(
  agent: Agent,
  mode: string,
  host: string,
  port: number,
  serves: 'all' | 'health' = 'all',
): Promise<AgentHttp> {
  const server: Server = createBoundedServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' || path === '/livez') {
      const ok = agent.healthy();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ lastUpdated: new Date(agent.metrics.lastSyncSeconds * 1000).toISOString(), healthy: ok }),
      );
    } else if (serves === 'health') {
      res.writeHead(404).end();
    } else if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(agent.metrics.text());
    } else if (path === '/proxyMode') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(mode);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as { address: string; port: number };
  return {
    host: addr.address,
    port: addr.port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
