// A small echo backend for lab pods: it listens on every given address:port (TCP and/or UDP) and
// answers each connection or datagram with the "address:port" it was reached on and the address
// the request came from ("10.244.0.10:8080 from 100.64.1.1"), so a client learns which endpoint
// answered and whether its source address was masqueraded on the way. Run as its own process inside a namespace with
// `node --input-type=module -e ECHO_SERVER_SOURCE '<json>'` (no build step or file needed).

export interface EchoListen {
  ip: string;
  port: number;
  protocol: 'TCP' | 'UDP';
}

export const ECHO_SERVER_SOURCE = `
import net from 'node:net';
import dgram from 'node:dgram';
const specs = JSON.parse(process.argv[1]);
const hostPort = (ip, port) => (ip.includes(':') ? '[' + ip + ']:' + port : ip + ':' + port);
let pending = specs.length;
const ready = () => { if (--pending === 0) process.stdout.write('ready\\n'); };
const fail = (s, err) => { process.stderr.write('listen ' + s.protocol + ' ' + hostPort(s.ip, s.port) + ': ' + err.message + '\\n'); process.exit(1); };
for (const s of specs) {
  if (s.protocol === 'TCP') {
    const srv = net.createServer((sock) => {
      sock.on('error', () => {});
      sock.end(hostPort(s.ip, s.port) + ' from ' + sock.remoteAddress + '\\n');
    });
    srv.on('error', (e) => fail(s, e));
    srv.listen({ host: s.ip, port: s.port, exclusive: true }, ready);
  } else {
    const sock = dgram.createSocket(s.ip.includes(':') ? 'udp6' : 'udp4');
    sock.on('error', (e) => fail(s, e));
    sock.on('message', (_m, r) => sock.send(hostPort(s.ip, s.port) + ' from ' + r.address + '\\n', r.port, r.address));
    sock.bind({ address: s.ip, port: s.port, exclusive: true }, ready);
  }
}
if (specs.length === 0) process.stdout.write('ready\\n');
process.on('SIGTERM', () => process.exit(0));
`;
