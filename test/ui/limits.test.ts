// The console's own bounds (issue 18) over real HTTP: a bounded number of event streams, bodies
// refused, oversized query strings refused; the console keeps serving throughout.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_EVENT_STREAMS } from '../../src/ui/server.js';
import { startTestConsole, type TestConsole } from './support.js';

let c: TestConsole;
beforeAll(async () => {
  c = await startTestConsole();
});
afterAll(() => c.close());

describe('console limits', () => {
  test(`event streams past ${MAX_EVENT_STREAMS} get 503 with a reason; closing one frees a place`, async () => {
    const open: AbortController[] = [];
    try {
      for (let i = 0; i < MAX_EVENT_STREAMS; i++) {
        const ac = new AbortController();
        const res = await fetch(new URL('/api/events', c.console.url), { signal: ac.signal });
        expect(res.status).toBe(200);
        open.push(ac);
      }
      const over = await c.get('/api/events');
      expect(over.status).toBe(503);
      expect(over.body.error).toMatch(/event streams are open/);
      open.pop()?.abort();
      const deadline = Date.now() + 5000;
      let again = 503;
      while (again === 503 && Date.now() < deadline) {
        const ac = new AbortController();
        const res = await fetch(new URL('/api/events', c.console.url), { signal: ac.signal });
        again = res.status;
        if (again === 200) open.push(ac);
        else await new Promise((r) => setTimeout(r, 20));
      }
      expect(again).toBe(200);
    } finally {
      for (const ac of open) ac.abort();
    }
  });

  test('a body is refused with 413; a query string past the header bound with 431', async () => {
    const big = await fetch(new URL('/api/summary', c.console.url), { method: 'POST', body: 'x'.repeat(2 ** 20) });
    expect(big.status).toBe(413);
    const long = await c.get(`/api/services?q=${'a'.repeat(20_000)}`);
    expect(long.status).toBe(431);
    expect((await c.get('/api/summary')).status).toBe(200);
  });
});
