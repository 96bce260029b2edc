// A UDP listener of the proxier: one session per client address (ip:port), each with its own socket
// connected to the endpoint the balancer picked, so replies find their way back (proxysocket.go's
// clientCache). A session ends after `idleTimeoutMs` without a datagram either way. Unlike the old
// proxier, a session whose endpoint answers with ICMP port-unreachable (ECONNREFUSED on the connected
// socket) is ended at once, so the client's next datagram picks another endpoint with its affinity reset.
import dgram from 'node:dgram';
import { clientIP, endpointAddress, type ListenAddress, type Listener, type PickContext } from './listener.js';

interface Session {
  socket: dgram.Socket;
  timer: NodeJS.Timeout;
  connected: boolean;
  queue: Buffer[];
}

/** Datagrams held per session while its socket connects; beyond this they are dropped, as a full buffer would. */
const MAX_QUEUED = 64;

export async function startUdpListener(at: ListenAddress, ctx: PickContext, idleTimeoutMs: number): Promise<Listener> {
  const family = at.host.includes(':') ? 'udp6' : 'udp4';
  const server = dgram.createSocket({ type: family });
  const sessions = new Map<string, Session>();
  const refused = new Set<string>();

  const end = (key: string) => {
    const s = sessions.get(key);
    if (!s) return;
    sessions.delete(key);
    clearTimeout(s.timer);
    s.socket.close();
  };
  const open = (key: string, rinfo: dgram.RemoteInfo): Session | undefined => {
    const ip = clientIP(rinfo.address);
    const endpoint = ctx.balancer.next(ctx.key, ip, ctx.now(), refused.delete(key));
    if (endpoint === undefined) return undefined;
    const { host, port } = endpointAddress(endpoint);
    const socket = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
    const s: Session = { socket, timer: setTimeout(() => end(key), idleTimeoutMs), connected: false, queue: [] };
    socket.on('message', (msg) => {
      s.timer.refresh();
      server.send(msg, rinfo.port, rinfo.address);
    });
    socket.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') {
        ctx.onEvent?.(`${ctx.key}: ${endpoint} refused a datagram; the next one picks another endpoint`);
        refused.add(key);
      }
      end(key);
    });
    socket.connect(port, host, () => {
      s.connected = true;
      for (const m of s.queue) socket.send(m);
      s.queue = [];
    });
    sessions.set(key, s);
    return s;
  };

  server.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    const s = sessions.get(key) ?? open(key, rinfo);
    if (!s) return; // no endpoints: dropped
    s.timer.refresh();
    if (s.connected) s.socket.send(msg);
    else if (s.queue.length < MAX_QUEUED) s.queue.push(msg);
  });
  server.on('error', (err) => ctx.onEvent?.(`${ctx.key}: udp: ${err.message}`));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.bind({ address: at.host, port: at.port, exclusive: true }, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  let closed = false;
  return {
    address: { host: addr.address, port: addr.port },
    get active() {
      return sessions.size;
    },
    // A UDP socket cannot stop "accepting" and keep its sessions: replies go out through it. Like
    // the old proxier (which broke them), stopping ends every session.
    async stop() {
      if (closed) return;
      closed = true;
      for (const k of [...sessions.keys()]) end(k);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    destroyAll() {
      for (const k of [...sessions.keys()]) end(k);
    },
  };
}
