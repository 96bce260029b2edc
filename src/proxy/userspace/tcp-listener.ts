// A TCP listener of the proxier: each accepted connection is joined to an endpoint picked by the
// balancer and the bytes are piped both ways (pipe() gives backpressure: a slow side pauses the
// other). A refused or timed-out connect tries the next endpoint with the client's affinity reset,
// at most CONNECT_ATTEMPT_TIMEOUTS_MS.length times, as proxysocket.go's tryConnect.
import net from 'node:net';
import { CONNECT_ATTEMPT_TIMEOUTS_MS } from './balancer.js';
import { clientIP, endpointAddress, type ListenAddress, type Listener, type PickContext } from './listener.js';

/** Connect to an endpoint of the context's port, trying the next one on failure; undefined: none reached. */
export async function dialEndpoint(
  ctx: PickContext,
  client: string,
  attempts: readonly number[] = CONNECT_ATTEMPT_TIMEOUTS_MS,
  isAbandoned: () => boolean = () => false,
): Promise<net.Socket | undefined> {
  let reset = false;
  for (const timeoutMs of attempts) {
    if (isAbandoned()) return undefined;
    const endpoint = ctx.balancer.next(ctx.key, client, ctx.now(), reset);
    if (endpoint === undefined) return undefined;
    const socket = await connectOnce(endpoint, timeoutMs);
    if (socket) return socket;
    ctx.onEvent?.(`${ctx.key}: connect to ${endpoint} failed; trying the next endpoint`);
    reset = true;
  }
  return undefined;
}

function connectOnce(endpoint: string, timeoutMs: number): Promise<net.Socket | undefined> {
  const { host, port } = endpointAddress(endpoint);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(undefined);
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(undefined);
    });
  });
}

/** Join two sockets; either side's end or error closes both. */
export function splice(a: net.Socket, b: net.Socket, onClose: () => void): void {
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    a.destroy();
    b.destroy();
    onClose();
  };
  a.on('error', close).on('close', close);
  b.on('error', close).on('close', close);
  // Half-close is passed on (a client that shut its write side still gets the reply).
  a.pipe(b);
  b.pipe(a);
}

export async function startTcpListener(at: ListenAddress, ctx: PickContext): Promise<Listener> {
  const clients = new Set<net.Socket>();
  const upstreams = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (client) => {
    clients.add(client);
    let gone = false;
    const forget = () => {
      gone = true;
      clients.delete(client);
    };
    client.once('close', forget);
    client.on('error', () => client.destroy());
    void dialEndpoint(ctx, clientIP(client.remoteAddress), CONNECT_ATTEMPT_TIMEOUTS_MS, () => gone).then((up) => {
      if (!up || gone) {
        up?.destroy();
        // No endpoint (or none answered): closed at once with a reset, as a REJECT would.
        if (!gone) client.resetAndDestroy();
        return;
      }
      upstreams.add(up);
      splice(client, up, () => upstreams.delete(up));
      client.resume();
    });
  });
  await listen(server, at);
  const addr = server.address() as net.AddressInfo;
  return {
    address: { host: addr.address, port: addr.port },
    get active() {
      return clients.size;
    },
    // close() stops listening at once; its callback would wait for every open connection to end.
    stop: async () => {
      server.close();
    },
    destroyAll() {
      for (const s of [...clients, ...upstreams]) s.destroy();
    },
  };
}

/** listen() as a promise; rejects with the socket error (EADDRINUSE, EADDRNOTAVAIL ...). */
export function listen(server: net.Server, at: ListenAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: at.host, port: at.port, exclusive: true }, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}
