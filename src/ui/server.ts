// The console's HTTP server (node:http): the page and its assets from src/ui/assets (copied into
// dist by the build), the JSON API under /api/, and /api/events, a server-sent event stream that
// says when the store changed. It follows a ClusterStore: each change makes a new ConsoleView, and
// the last SYNC_HISTORY snapshots are kept for the diff view.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClusterStore, Watch } from '../cluster/store.js';
import type { ClusterObject } from '../cluster/types.js';
import { ConsoleRequestError, KubeplaneError } from '../errors.js';
import { createBoundedServer } from '../net/http-server.js';
import { ROUTES } from './api.js';
import { ConsoleView, SYNC_HISTORY, type SyncRecord, type ViewOptions } from './view.js';

export interface ConsoleOptions extends ViewOptions {
  host: string;
  port: number;
  /** Follow store events (`--watch`, `serve`): the page updates when the store changes. */
  follow: boolean;
  onError?: (err: unknown) => void;
}

export interface RunningConsole {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The view the API answers from now. */
  view(): ConsoleView;
  /** Resolves once every store change seen so far is in the view. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const ASSETS: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/assets/app.js': 'app.js',
  '/assets/app.css': 'app.css',
};
const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

async function loadAssets(): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const file of new Set(Object.values(ASSETS)))
    out.set(file, await readFile(new URL(`./assets/${file}`, import.meta.url)));
  return out;
}

/** Open /api/events streams at once (a browser tab holds one). */
export const MAX_EVENT_STREAMS = 64;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

export async function startConsole(store: ClusterStore, options: ConsoleOptions): Promise<RunningConsole> {
  const assets = await loadAssets();
  const first = await store.snapshot();
  const record = (objects: readonly ClusterObject[], id: number): SyncRecord => ({
    id,
    at: new Date().toISOString(),
    objects,
  });
  // A bounded history: the diff view can compare any two snapshots still in it.
  let history: SyncRecord[] = [record(first.objects, first.resourceVersion)];
  let view = new ConsoleView(first.objects, first.resourceVersion, history, options);
  const streams = new Set<ServerResponse>();

  // Store events arrive one by one; a burst becomes one new view (and one SSE message).
  let pending: Promise<void> = Promise.resolve();
  let scheduled = false;
  const rebuild = () => {
    if (scheduled) return;
    scheduled = true;
    pending = pending.then(async () => {
      scheduled = false;
      try {
        const snap = await store.snapshot();
        if (snap.resourceVersion === view.version) return;
        history = [...history, record(snap.objects, snap.resourceVersion)].slice(-SYNC_HISTORY);
        view = new ConsoleView(snap.objects, snap.resourceVersion, history, options);
        const message = `event: change\ndata: ${JSON.stringify({ version: view.version })}\n\n`;
        for (const s of streams) s.write(message);
      } catch (err) {
        options.onError?.(err);
      }
    });
  };
  let watch: Watch | undefined;
  if (options.follow) watch = await store.watch(() => rebuild(), { sinceResourceVersion: first.resourceVersion });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendJson(res, 405, { error: `method ${req.method} not allowed: the console API is read-only` });
    }
    const asset = ASSETS[url.pathname];
    if (asset) {
      res.writeHead(200, { 'content-type': TYPES[asset.split('.').pop()!]!, 'cache-control': 'no-cache' });
      return res.end(assets.get(asset));
    }
    if (url.pathname === '/api/events') {
      // Each stream holds a socket for as long as the client likes: a bounded number of them.
      if (streams.size >= MAX_EVENT_STREAMS)
        return sendJson(res, 503, { error: `${MAX_EVENT_STREAMS} event streams are open; close one first` });
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(`event: hello\ndata: ${JSON.stringify({ version: view.version, follow: options.follow })}\n\n`);
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return;
    }
    const route = ROUTES[url.pathname];
    if (!route) {
      const where = url.pathname.startsWith('/api/') ? `no API route ${url.pathname}` : `no page ${url.pathname}`;
      return sendJson(res, 404, { error: where, routes: Object.keys(ROUTES) });
    }
    const current = view; // one request reads one snapshot, even if the store changes meanwhile
    try {
      sendJson(res, 200, await route(current, url.searchParams));
    } catch (err) {
      if (err instanceof ConsoleRequestError)
        return sendJson(res, 400, { error: err.message, code: err.code, parameter: err.parameter });
      if (err instanceof KubeplaneError && err.isInputError)
        return sendJson(res, 400, { error: err.message, code: err.code });
      options.onError?.(err);
      // Never a stack trace: the message only.
      sendJson(res, 500, { error: err instanceof Error ? err.message : String(err) });
    }
  };

  const server = createBoundedServer((req, res) => {
    handle(req, res).catch((err) => {
      options.onError?.(err);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostText = address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostText}:${address.port}/`,
    host: address.address,
    port: address.port,
    view: () => view,
    settled: async () => {
      let last: Promise<void>;
      do {
        last = pending;
        await last;
      } while (last !== pending);
    },
    async close() {
      watch?.stop();
      for (const s of streams) s.end();
      streams.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
