// The sockets: UDP (dgram) and TCP (net) on the same port, both ours. Each datagram or TCP frame
// goes to the DnsHandler; every send is guarded, TCP connections are bounded in size and idle time,
// and no malformed input reaches anything that can throw past this file.
import dgram from 'node:dgram';
import net from 'node:net';
import type { DnsHandler } from './handler.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export interface DnsServerOptions {
  listen: ListenAddress;
  /** TCP idle timeout (CoreDNS default 10 s). */
  idleMs?: number;
  onError?: (err: unknown) => void;
}

const MAX_TCP_CONNECTIONS = 1000;

export class DnsServer {
  private constructor(
    private readonly udp: dgram.Socket,
    private readonly tcp: net.Server,
    private readonly connections: Set<net.Socket>,
    readonly address: ListenAddress,
  ) {}

  static async start(handler: DnsHandler, options: DnsServerOptions): Promise<DnsServer> {
    const family = net.isIPv6(options.listen.host) ? 'udp6' : 'udp4';
    const onError = options.onError ?? (() => {});
    // With port 0 the UDP port is picked first and TCP must get the same one: retry a few times.
    for (let attempt = 0; ; attempt++) {
      const udp = dgram.createSocket({ type: family, recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(options.listen.port, options.listen.host, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      const port = udp.address().port;
      const connections = new Set<net.Socket>();
      const tcp = net.createServer({ pauseOnConnect: false }, (sock) => {
        connections.add(sock);
        sock.once('close', () => connections.delete(sock));
        serveTcp(handler, sock, options.idleMs ?? 10_000, onError);
      });
      tcp.maxConnections = MAX_TCP_CONNECTIONS;
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen(port, options.listen.host, () => {
            tcp.off('error', reject);
            resolve();
          });
        });
      } catch (err) {
        udp.close();
        if (options.listen.port === 0 && attempt < 20) continue;
        throw err;
      }
      tcp.on('error', onError);
      udp.on('error', onError);
      const familyLabel = family === 'udp6' ? '2' : '1';
      udp.on('message', (msg, rinfo) => {
        const send = (out: Buffer | Buffer[] | undefined) => {
          if (!out) return;
          try {
            for (const m of Array.isArray(out) ? out : [out]) {
              udp.send(m, rinfo.port, rinfo.address, (err) => err && onError(err));
            }
          } catch (err) {
            onError(err);
          }
        };
        try {
          const out = handler.handle(msg, 'udp', familyLabel);
          if (out instanceof Promise) out.then(send, onError);
          else send(out);
        } catch (err) {
          onError(err);
        }
      });
      return new DnsServer(udp, tcp, connections, { host: options.listen.host, port });
    }
  }

  async close(): Promise<void> {
    await Promise.all([
      new Promise<void>((resolve) => {
        try {
          this.udp.close(() => resolve());
        } catch {
          resolve();
        }
      }),
      new Promise<void>((resolve) => {
        this.tcp.close(() => resolve());
        // close() waits for open connections: end them rather than wait for their idle timeout.
        for (const sock of this.connections) sock.destroy();
      }),
    ]);
  }
}

/** RFC 7766: 2-byte length-prefixed messages, many per connection, answered as they complete. */
function serveTcp(handler: DnsHandler, sock: net.Socket, idleMs: number, onError: (err: unknown) => void): void {
  let buf = Buffer.alloc(0);
  sock.setTimeout(idleMs, () => sock.destroy());
  sock.on('error', () => sock.destroy());
  const family = sock.remoteFamily === 'IPv6' ? '2' : '1';
  const send = (out: Buffer | Buffer[] | undefined) => {
    if (!out || sock.destroyed) return;
    try {
      for (const m of Array.isArray(out) ? out : [out]) {
        const len = Buffer.allocUnsafe(2);
        len.writeUInt16BE(m.length);
        sock.write(Buffer.concat([len, m]));
      }
    } catch (err) {
      onError(err);
    }
  };
  sock.on('data', (chunk) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    while (buf.length >= 2) {
      const len = buf.readUInt16BE(0);
      if (buf.length < 2 + len) break;
      const msg = buf.subarray(2, 2 + len);
      buf = buf.subarray(2 + len);
      try {
        const out = handler.handle(Buffer.from(msg), 'tcp', family);
        if (out instanceof Promise) out.then(send, onError);
        else if (out) send(out);
        else if (len < 12) {
          // A frame too short to be a message: the stream is not DNS; stop reading it.
          sock.destroy();
          return;
        }
      } catch (err) {
        onError(err);
      }
    }
  });
}
