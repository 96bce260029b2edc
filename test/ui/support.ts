// The console served in-process over a real loopback socket, on the demo fixture (loaded by the real
// loader), with the real mode registry.

import { loadMode } from '../../src/cli/modes.js';
import { loadManifests } from '../../src/cluster/load.js';
import { MemoryClusterStore } from '../../src/cluster/memory-store.js';
import { type RunningConsole, startConsole } from '../../src/ui/server.js';
import { fixture } from '../support/cli.js';

export interface TestConsole {
  store: MemoryClusterStore;
  console: RunningConsole;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of many shapes, checked by the tests' expectations
  get(path: string): Promise<{ status: number; body: any; text: string }>;
  close(): Promise<void>;
}

export async function startTestConsole(files = [fixture('demo')]): Promise<TestConsole> {
  const loaded = await loadManifests(files);
  const store = new MemoryClusterStore(loaded.objects);
  const running = await startConsole(store, { host: '127.0.0.1', port: 0, follow: true, loadMode });
  return {
    store,
    console: running,
    async get(path) {
      const res = await fetch(new URL(path, running.url));
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { status: res.status, body, text };
    },
    async close() {
      await running.close();
      await store.close();
    },
  };
}
