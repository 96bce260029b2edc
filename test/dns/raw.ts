// Raw packets to the server: a UDP exchange with a bounded wait, a TCP exchange, and query builders.
import dgram from 'node:dgram';
import net from 'node:net';
import { Packet } from 'dns2';

/** Send one datagram; resolve with the reply, or undefined after `waitMs` without one. */
export function udpExchange(port: number, msg: Buffer, waitMs = 400): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const done = (b: Buffer | undefined) => {
      clearTimeout(timer);
      s.close();
      resolve(b);
    };
    const timer = setTimeout(() => done(undefined), waitMs);
    s.on('message', (m) => done(m));
    s.on('error', () => done(undefined));
    s.send(msg, port, '127.0.0.1');
  });
}

/** Send length-prefixed frames on one TCP connection; resolve with every reply until `count` or timeout. */
export function tcpExchange(port: number, frames: readonly Buffer[], count: number, waitMs = 2000): Promise<Buffer[]> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const replies: Buffer[] = [];
    let data = Buffer.alloc(0);
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(replies);
    };
    const timer = setTimeout(done, waitMs);
    sock.on('error', done);
    sock.on('close', done);
    sock.on('connect', () => {
      for (const f of frames) {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(f.length);
        sock.write(Buffer.concat([len, f]));
      }
    });
    sock.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      while (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) {
        replies.push(data.subarray(2, 2 + data.readUInt16BE(0)));
        data = data.subarray(2 + data.readUInt16BE(0));
      }
      if (replies.length >= count) done();
    });
  });
}

/** A standard query built by dns2 (the client library), optionally with an EDNS OPT. */
export function query(name: string, type = 1, id = 0x1234): Buffer {
  const p = new Packet();
  p.header.id = id;
  p.header.rd = 1;
  p.questions.push({ name, type, class: 1 } as never);
  return p.toBuffer();
}

export function header(b: Buffer) {
  return {
    id: b.readUInt16BE(0),
    qr: (b[2]! & 0x80) !== 0,
    opcode: (b[2]! >> 3) & 15,
    aa: (b[2]! & 4) !== 0,
    tc: (b[2]! & 2) !== 0,
    rcode: b[3]! & 15,
    qd: b.readUInt16BE(4),
    an: b.readUInt16BE(6),
    ns: b.readUInt16BE(8),
    ar: b.readUInt16BE(10),
  };
}

export function parse(b: Buffer) {
  return Packet.parse(b);
}
