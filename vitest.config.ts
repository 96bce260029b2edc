import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Kernel tests share the host's netns namespace list and 2 cores; keep files in few workers.
    maxWorkers: 2,
  },
});
