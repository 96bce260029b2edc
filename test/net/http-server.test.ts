// The bounds every kubeplane HTTP server has (issue 18), over a real loopback socket: oversized
// bodies (declared or chunked) get 413, oversized headers 431, and the server keeps answering.

import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createBoundedServer, MAX_BODY_BYTES, MAX_HEADER_BYTES } from '../../src/net/http-server.js';

let port = 0;
// GETs answer at once; POSTs answer once the whole body has arrived (as a handler reading one would).
const server = createBoundedServer((req, res) => {
  if (req.method !== 'POST') return res.end('ok');
  let n = 0;
  req.on('data', (d: Buffer) => {
    n += d.length;
  });
  req.on('end', () => {
    if (!res.headersSent) res.end(`read ${n}`);
  });
});
beforeAll(() => new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r())));
beforeAll(() => {
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** Send raw bytes, return the status line's code (the socket ends or is reset after the reply). */
function raw(head: string, body?: () => Generator<string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let got = '';
    sock.on('data', (d) => {
      got += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
      if (m) {
        sock.destroy();
        resolve(Number(m[1]));
      }
    });
    sock.on('error', (e) => (got ? undefined : reject(e)));
    sock.on('close', () => reject(new Error(`closed without a status: ${JSON.stringify(got.slice(0, 80))}`)));
    sock.write(head);
    if (body) for (const chunk of body()) if (!sock.destroyed) sock.write(chunk);
  });
}

describe('createBoundedServer', () => {
  test('a request within the bounds reaches the handler', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/x?q=1`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
  });

  test('a declared body past the bound is 413 before any of it is read', async () => {
    const status = await raw(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${2 ** 30}\r\n\r\n`);
    expect(status).toBe(413);
  });

  test('a chunked body is cut off once it passes the bound', async () => {
    const chunk = 'x'.repeat(16 * 1024);
    const status = await raw('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', function* () {
      // Bounded: at most 4x the limit is offered.
      for (let sent = 0; sent < 4 * MAX_BODY_BYTES; sent += chunk.length)
        yield `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
    });
    expect(status).toBe(413);
  });

  test('headers past the bound are 431', async () => {
    const status = await raw(`GET /?q=${'a'.repeat(MAX_HEADER_BYTES)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(status).toBe(431);
  });

  test('a chunked body within the bound is read whole', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x'.repeat(1000) });
    expect(await res.text()).toBe('read 1000');
  });

  test('after all that the server still answers', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
  });
});
