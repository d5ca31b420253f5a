import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Seeds once per run (generates into the cache on the first run, reuses it afterwards).
    globalSetup: ['./global-setup.ts'],
    // The embedded engine (chdb) lives in one process: forks give each test file its own.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
