/** Native ESM (no transform): run jest with `node --experimental-vm-modules` (see package.json). */
export default {
  testEnvironment: 'node',
  transform: {},
  testMatch: ['**/test/**/*.test.mjs'],
  // Seeds XAPI_DB_LOAD_SEED (a preset or a YAML path), default `tiny`, once per run.
  globalSetup: 'xapi-db-load/jest/global-setup',
  globalTeardown: 'xapi-db-load/jest/global-teardown',
  testTimeout: 120_000,
};
