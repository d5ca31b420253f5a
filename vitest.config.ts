import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Test tiers. `unit`: no engine, no server, no child process (seconds). `e2e`: the executable,
 * the bundled Action and the examples, run as a user would. `integration`: everything else, with
 * the embedded engine, s3rver and Ralph; a new test file lands there unless listed below.
 */
const UNIT = [
  'test/action-config.test.ts',
  'test/architecture.test.ts',
  'test/cache-store.test.ts',
  'test/clickhouse-sql.test.ts',
  'test/config-dataset-hash.test.ts',
  'test/config-keys.test.ts',
  'test/config-load.test.ts',
  'test/config-validate.test.ts',
  'test/encoding-golden.test.ts',
  'test/errors.test.ts',
  'test/event-mix.test.ts',
  'test/log-file.test.ts',
  'test/public-api.test.ts',
  'test/readme.test.ts',
  'test/report-summary.test.ts',
  'test/schema-names.test.ts',
  'test/seed-providers.test.ts',
  'test/statements.test.ts',
];

const E2E = [
  'test/action-dist.test.ts',
  'test/cache-processes.test.ts',
  'test/cli.test.ts',
  'test/examples.test.ts',
  'test/print-sql.test.ts',
  'test/reliability.test.ts',
  'test/report-cli.test.ts',
  'test/s3-cli.test.ts',
];

export default defineConfig({
  test: {
    // chdb binds one data directory per process: forks keep every test file in its own process.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...UNIT, ...E2E],
        },
      },
      { extends: true, test: { name: 'e2e', include: E2E } },
    ],
  },
});
