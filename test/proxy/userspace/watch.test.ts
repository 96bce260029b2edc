// `kubeplane proxy --watch`: an edited manifest changes the endpoint set without dropping open
// connections; a removed port closes its listener; a new one opens and the map is rewritten.
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type Backend,
  commonPort,
  manifest,
  type RunningCli,
  type SvcSpec,
  startProxyCli,
  tcpBackend,
  whoAnswers,
} from './support.js';

const IPS = ['127.0.0.41', '127.0.0.42', '127.0.0.43'];

async function until(check: () => Promise<boolean> | boolean, tries = 50): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe('kubeplane proxy --watch', () => {
  let backends: Backend[] = [];
  let proxy: RunningCli;
  let web: SvcSpec;

  beforeAll(async () => {
    const port = await commonPort(IPS);
    backends = await Promise.all(IPS.map((ip, i) => tcpBackend(ip, port, `b${i + 1}`)));
    web = {
      ns: 'shop',
      name: 'web',
      clusterIP: '10.96.0.10',
      port: 80,
      targetPort: port,
      endpoints: Object.fromEntries(IPS.map((ip) => [ip, true])),
    };
    proxy = await startProxyCli(manifest([web]), ['--watch']);
  });
  afterAll(async () => {
    await proxy?.stop();
    await Promise.all(backends.map((b) => b.close()));
  });

  test('an endpoint removed mid-stream: the open connection keeps working, new ones avoid it', async () => {
    const at = proxy.listen('shop/web:p');
    const open = net.connect(at);
    const lines: string[] = [];
    let buf = '';
    open.on('data', (d) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        lines.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
    expect(await until(() => lines.length === 1)).toBe(true);
    const victim = lines[0]!;
    const victimIP = IPS[Number(victim.slice(1)) - 1]!;
    const rest = Object.fromEntries(IPS.filter((ip) => ip !== victimIP).map((ip) => [ip, true]));
    writeFileSync(proxy.manifestFile, manifest([{ ...web, endpoints: rest }]));
    // New connections stop reaching the victim once the reload is in (bounded: 5 s).
    let streak = 0;
    const avoided = await until(async () => {
      streak = (await whoAnswers(at)) === victim ? 0 : streak + 1;
      return streak >= 6;
    });
    expect(avoided).toBe(true);
    open.write('still here\n');
    expect(await until(() => lines.includes('still here'))).toBe(true);
    expect(open.destroyed).toBe(false);
    open.destroy();
  });

  test('a removed port closes its listener; a new one opens and the map is rewritten', async () => {
    const old = proxy.listen('shop/web:p');
    const api = { ...web, name: 'api', clusterIP: '10.96.0.20' };
    writeFileSync(proxy.manifestFile, manifest([api]));
    expect(await until(() => proxy.map().some((p) => p.service === 'shop/api'))).toBe(true);
    expect(proxy.map().map((p) => p.service)).toEqual(['shop/api']);
    expect(proxy.stdout()).toContain('closed shop/web:p/TCP');
    const refused = await new Promise<string>((resolve) => {
      const s = net.connect(old);
      s.on('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
    expect(await whoAnswers(proxy.listen('shop/api:p'))).toMatch(/^b[123]$/);
  });

  test('a bad edit keeps the previous state', async () => {
    writeFileSync(proxy.manifestFile, 'kind: Service\nmetadata: {}\n');
    expect(await until(() => proxy.stderr().includes('reload failed, keeping the previous proxy state'))).toBe(true);
    expect(await whoAnswers(proxy.listen('shop/api:p'))).toMatch(/^b[123]$/);
  });
});
