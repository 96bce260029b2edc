// Running the built kubeplane-ipam executable (dist/ipam/cni-main.js) as a runtime would.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PLUGIN = fileURLToPath(new URL('../../dist/ipam/cni-main.js', import.meta.url));

export interface CniRun {
  status: number | null;
  stdout: string;
  stderr: string;
  json: Record<string, unknown> | undefined;
}

export interface CniEnv {
  CNI_COMMAND?: string;
  CNI_CONTAINERID?: string;
  CNI_NETNS?: string;
  CNI_IFNAME?: string;
  CNI_ARGS?: string;
  CNI_PATH?: string;
  [k: string]: string | undefined;
}

/** Defaults as a runtime sets them; pass a key as undefined to leave it out. */
export function envFor(command: string, containerId: string, extra: CniEnv = {}): CniEnv {
  return {
    CNI_COMMAND: command,
    CNI_CONTAINERID: containerId,
    CNI_NETNS: '/var/run/netns/test',
    CNI_IFNAME: 'eth0',
    CNI_PATH: '/opt/cni/bin',
    ...extra,
  };
}

function clean(env: CniEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

function parse(stdout: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export function runPlugin(env: CniEnv, stdin: string): CniRun {
  const r = spawnSync(process.execPath, [PLUGIN], { env: clean(env), input: stdin, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json: parse(r.stdout) };
}

export function runPluginAsync(env: CniEnv, stdin: string): Promise<CniRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PLUGIN], { env: clean(env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr, json: parse(stdout) }));
    child.stdin.on('error', () => undefined); // EPIPE when the plugin exits without reading stdin
    child.stdin.end(stdin);
  });
}

export function netConf(dataDir: string, ipam: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    cniVersion: '1.1.0',
    name: 'testnet',
    type: 'bridge',
    ipam: { type: 'kubeplane-ipam', dataDir, ...ipam },
    ...extra,
  });
}
