// The HTTP servers kubeplane runs (the console, the agent's healthz/metrics, DNS's ops port) take
// GET requests only, from anyone who can reach the port. Node's defaults leave a request's body and
// a slow client's time unbounded; these bounds (issue 18) keep one hostile client from holding
// memory, sockets or the event loop, and every refusal is an HTTP status, never a crash.
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';

/** Request line and headers together (Node's own default, stated so it cannot drift). */
export const MAX_HEADER_BYTES = 16 * 1024;
/** No route takes a body; one up to this size is drained and ignored, a larger one is refused. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Time to send the request's headers, and the whole request (slowloris). */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 30_000;
/** Open connections at once; past it the kernel's backlog holds new ones. */
export const MAX_CONNECTIONS = 512;

function tooLarge(res: ServerResponse, declared: string): void {
  res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify({ error: `request body of ${declared} bytes; at most ${MAX_BODY_BYTES} are accepted` }));
}

/** A node:http server with the bounds above; `handler` sees only requests within them. */
export function createBoundedServer(handler: RequestListener): Server {
  const server = createServer(
    { maxHeaderSize: MAX_HEADER_BYTES, headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
    (req: IncomingMessage, res: ServerResponse) => {
      const length = req.headers['content-length'];
      if (length !== undefined && !(Number(length) <= MAX_BODY_BYTES)) return tooLarge(res, length);
      let seen = 0;
      // A chunked body declares no length: count it as it arrives and cut it off past the bound.
      req.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > MAX_BODY_BYTES && !res.headersSent) {
          tooLarge(res, `over ${MAX_BODY_BYTES}`);
          req.destroy();
        }
      });
      handler(req, res);
      req.resume();
    },
  );
  server.maxConnections = MAX_CONNECTIONS;
  return server;
}
