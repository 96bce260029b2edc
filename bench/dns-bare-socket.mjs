#!/usr/bin/env node
// The Node ceiling for the DNS benchmark: a bare dgram socket answering every query with one fixed
// A record (10.96.0.10), echoing the question. No parsing beyond finding the question's end.
import dgram from 'node:dgram';

const port = Number(process.argv[2]);
const sock = dgram.createSocket('udp4');
const tail = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 10, 96, 0, 10]);
sock.on('message', (msg, rinfo) => {
  if (msg.length < 12) return;
  let p = 12;
  while (p < msg.length && msg[p] !== 0) p += msg[p] + 1;
  const qend = p + 5;
  if (qend > msg.length) return;
  const out = Buffer.allocUnsafe(qend + tail.length);
  msg.copy(out, 0, 0, qend);
  out[2] = 0x84 | (msg[2] & 1);
  out[3] = 0;
  out.writeUInt16BE(1, 6);
  out.writeUInt32BE(0, 8);
  tail.copy(out, qend);
  sock.send(out, rinfo.port, rinfo.address);
});
sock.bind(port, '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => sock.close(() => process.exit(0)));
