// Real backends on 127.0.0.x (Linux routes all of 127/8 to lo), manifests written for them, and the
// built `kubeplane proxy` run as a child process until its port map appears.
import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT } from '../../support/cli.js';

export interface Backend {
  readonly ip: string;
  readonly name: string;
  close(): Promise<void>;
}

/** TCP backend: says its name on connect, then echoes. */
export function tcpBackend(ip: string, port: number, name: string): Promise<Backend> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s)).on('error', () => {});
    s.write(`${name}\n`);
    s.pipe(s);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ip, () =>
      resolve({
        ip,
        name,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      }),
    );
  });
}

/** UDP backend: replies `name:payload`. */
export function udpBackend(ip: string, port: number, name: string): Promise<Backend> {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (m, r) => sock.send(`${name}:${m}`, r.port, r.address));
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, ip, () => resolve({ ip, name, close: () => new Promise<void>((r) => sock.close(() => r())) }));
  });
}

/** A port free on every given IP (bounded tries). */
export async function commonPort(ips: readonly string[], udp = false): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    const ok = await Promise.all(ips.map((ip) => (udp ? udpFree(ip, port) : tcpFree(ip, port))));
    if (ok.every(Boolean)) return port;
  }
  throw new Error('no common free port after 20 tries');
}

function tcpFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, ip, () => s.close(() => resolve(true)));
  });
}

function udpFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, ip, () => s.close(() => resolve(true)));
  });
}

export interface SvcSpec {
  ns: string;
  name: string;
  clusterIP: string;
  port: number;
  portName?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  appProtocol?: string;
  targetPort: number;
  affinity?: boolean;
  /** ip -> ready */
  endpoints: Record<string, boolean>;
}

export function manifest(services: readonly SvcSpec[]): string {
  const docs: string[] = [];
  for (const s of services) {
    const pn = s.portName ?? 'p';
    const proto = s.protocol ?? 'TCP';
    const app = s.appProtocol ? `, appProtocol: ${s.appProtocol}` : '';
    docs.push(`apiVersion: v1
kind: Service
metadata: { name: ${s.name}, namespace: ${s.ns} }
spec:
  clusterIP: ${s.clusterIP}
  clusterIPs: [${s.clusterIP}]
${s.affinity ? '  sessionAffinity: ClientIP\n' : ''}  ports:
    - { name: ${pn}, port: ${s.port}, targetPort: ${s.targetPort}, protocol: ${proto}${app} }`);
    const eps = Object.entries(s.endpoints)
      .map(([ip, ready]) => `  - addresses: [${ip}]\n    conditions: { ready: ${ready} }`)
      .join('\n');
    docs.push(`apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: ${s.name}-1, namespace: ${s.ns}, labels: { kubernetes.io/service-name: ${s.name} } }
addressType: IPv4
endpoints:${eps ? `\n${eps}` : ' []'}
ports:
  - { name: ${pn}, port: ${s.targetPort}, protocol: ${proto}${app} }`);
  }
  docs.push(`apiVersion: v1
kind: Node
metadata: { name: laptop }`);
  return `${docs.join('\n---\n')}\n`;
}

export interface PortMapEntry {
  service: string;
  portName: string;
  protocol: string;
  clusterIP: string;
  port: number;
  listen: string;
}

export interface RunningCli {
  child: ChildProcess;
  dir: string;
  manifestFile: string;
  mapFile: string;
  stdout(): string;
  stderr(): string;
  map(): PortMapEntry[];
  /** listen "host:port" of a service port. */
  listen(service: string): { host: string; port: number };
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/** Run `kubeplane proxy -f <manifest> --port-map <tmp> ...args` until the map file exists (<= 10 s). */
export async function startProxyCli(yaml: string, args: readonly string[] = []): Promise<RunningCli> {
  const dir = mkdtempSync(join(tmpdir(), 'kp-proxy-'));
  const manifestFile = join(dir, 'cluster.yaml');
  const mapFile = join(dir, 'ports.json');
  writeFileSync(manifestFile, yaml);
  const child = spawn(process.execPath, [CLI, 'proxy', '-f', manifestFile, '--port-map', mapFile, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  for (let i = 0; i < 200 && !existsSync(mapFile) && !done; i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(mapFile)) {
    child.kill('SIGKILL');
    throw new Error(`proxy did not write its port map:\n${err}`);
  }
  const map = () => (JSON.parse(readFileSync(mapFile, 'utf8')) as { ports: PortMapEntry[] }).ports;
  return {
    child,
    dir,
    manifestFile,
    mapFile,
    stdout: () => out,
    stderr: () => err,
    map,
    listen(service) {
      const e = map().find((p) => `${p.service}:${p.portName}` === service);
      if (!e) throw new Error(`${service} not in the port map: ${JSON.stringify(map())}`);
      const i = e.listen.lastIndexOf(':');
      return { host: e.listen.slice(0, i), port: Number(e.listen.slice(i + 1)) };
    },
    exited,
    async stop() {
      if (!done) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
      const code = await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Connect (optionally from a given local address) and read the backend's first line. */
export function whoAnswers(at: { host: string; port: number }, localAddress?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ ...at, ...(localAddress ? { localAddress } : {}) });
    let buf = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error('no answer in 5 s'));
    }, 5000);
    s.on('data', (d) => {
      buf += d;
      const i = buf.indexOf('\n');
      if (i >= 0) {
        clearTimeout(timer);
        s.destroy();
        resolve(buf.slice(0, i));
      }
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`closed before a line (got ${JSON.stringify(buf)})`));
    });
  });
}

export function counts(names: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of names) out[n] = (out[n] ?? 0) + 1;
  return out;
}
