/**
 * `xapi-db-load/vitest`: a global setup that seeds once per run and `provide`s serializable
 * info, and a `test` with an `aspects` fixture (one per test file) holding a connected client.
 *
 * @example
 * // vitest.config.ts
 * export default defineConfig({ test: { globalSetup: ['./test/global-setup.ts'] } });
 *
 * // test/global-setup.ts
 * export { setup, teardown } from 'xapi-db-load/vitest/setup'; // seeds XAPI_DB_LOAD_SEED, default "tiny"
 *
 * // test/reports.test.ts
 * import { test } from 'xapi-db-load/vitest';
 * test('enrollments', async ({ aspects, expect }) => {
 *   const rs = await aspects.client.query({
 *     query: `SELECT count() AS n FROM ${aspects.names.xapiDb}.enrollment_events`,
 *     format: 'JSONEachRow',
 *   });
 *   expect(Number((await rs.json<{ n: string }>())[0]?.n)).toBeGreaterThan(0);
 * });
 */

import { test as base, inject } from 'vitest';
import type { SeededAspects } from './seed.ts';
import { type SeedFromProvidedOptions, seedFromProvided } from './shared-setup.ts';
import { PROVIDE_KEY } from './vitest-setup.ts';

export type { AspectsConnection, AspectsDatabases, SeededAspects, ServerConnection } from './seed.ts';
export type { ProvidedAspects } from './shared-setup.ts';
export { defineAspectsSetup, PROVIDE_KEY, setup, teardown } from './vitest-setup.ts';

/** Reads what the global setup provided, with a clear error when it did not run. */
export function injectAspects() {
  const provided = inject(PROVIDE_KEY);
  if (provided === undefined) {
    throw new Error(
      "xapi-db-load: nothing was provided under 'xapiDbLoad'; add xapi-db-load's global setup to vitest.config " +
        "(globalSetup: ['xapi-db-load/vitest/setup'] or a file exporting defineAspectsSetup(...))",
    );
  }
  return provided;
}

/**
 * A `test` whose `aspects` fixture (file scope) is a {@link SeededAspects}: embedded → this test
 * file's own engine loaded from the cache; servers → a client on the seeded databases (with
 * `isolate: true`, a private copy of them, dropped after the file).
 */
export function createAspectsTest(options: SeedFromProvidedOptions = {}) {
  // Vitest reads a fixture's dependencies from its first parameter, which must be a destructuring pattern.
  // biome-ignore lint/correctness/noEmptyPattern: no dependencies
  return base.extend('aspects', { scope: 'file' }, async ({}, { onCleanup }): Promise<SeededAspects> => {
    const aspects = await seedFromProvided(injectAspects(), options);
    onCleanup(() => aspects.close());
    return aspects;
  });
}

/** `test` with the shared `aspects` fixture. */
export const test = createAspectsTest();
export const it = test;
