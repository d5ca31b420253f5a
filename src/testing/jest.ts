/**
 * `xapi-db-load/jest`: `globalSetup` / `globalTeardown` modules and `getAspects()` for tests.
 *
 * Jest runs its global setup in the parent process and tests in workers, and globals set in the
 * setup never reach tests (jestjs/jest#7184). So the setup writes what it seeded to a JSON file
 * and puts its path in `XAPI_DB_LOAD_JEST_INFO`, which the workers inherit; `getAspects()` reads
 * it. With the embedded engine, each test file loads the cached dataset into its own engine.
 *
 * @example
 * // jest.config.mjs
 * export default {
 *   globalSetup: 'xapi-db-load/jest/global-setup',     // seeds XAPI_DB_LOAD_SEED, default "tiny"
 *   globalTeardown: 'xapi-db-load/jest/global-teardown',
 * };
 *
 * // reports.test.mjs
 * import { getAspects } from 'xapi-db-load/jest';
 * let aspects;
 * beforeAll(async () => { aspects = await getAspects(); });
 * afterAll(() => aspects.close());
 * test('statements', () => expect(aspects.counts.xapi_events_all).toBe(8100));
 */

import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SeedConfigInput, SeededAspects } from './seed.ts';
import {
  type GlobalSeed,
  type GlobalSeedOptions,
  globalSeed,
  type ProvidedAspects,
  SEED_ENV,
  type SeedFromProvidedOptions,
  seedFromProvided,
  zeroConfigOptions,
} from './shared-setup.ts';

export type { AspectsConnection, AspectsDatabases, SeededAspects, ServerConnection } from './seed.ts';
export type { ProvidedAspects } from './shared-setup.ts';

/** Environment variable holding the path of the JSON file the global setup wrote. */
export const JEST_INFO_ENV = 'XAPI_DB_LOAD_JEST_INFO';

// Live handles stay in the parent process, for the teardown (same module instance).
const SEED_KEY = Symbol.for('xapi-db-load.jest.seed');
type Holder = { [SEED_KEY]?: { seed: GlobalSeed; file: string } };

/**
 * Builds a Jest global setup for `config` (a preset, a YAML path or an object).
 *
 * @example
 * // jest.global-setup.mjs
 * import { createGlobalSetup } from 'xapi-db-load/jest';
 * export default createGlobalSetup('small', { provider: 'embedded' });
 */
export function createGlobalSetup(config: SeedConfigInput, options: GlobalSeedOptions = {}): () => Promise<void> {
  return async () => {
    const seed = await globalSeed(config, options);
    const dir = await mkdtemp(join(tmpdir(), 'xapi-db-load-jest-'));
    const file = join(dir, 'aspects.json');
    await writeFile(file, JSON.stringify(seed.provided));
    process.env[JEST_INFO_ENV] = file;
    (globalThis as Holder)[SEED_KEY] = { seed, file };
  };
}

/**
 * Zero-config global setup: seeds `XAPI_DB_LOAD_SEED` (a preset or YAML path), default `tiny`,
 * on the aspects-dbt release in `XAPI_DB_LOAD_ASPECTS_VERSION` (default: the config's).
 */
export async function globalSetup(): Promise<void> {
  await createGlobalSetup(process.env[SEED_ENV] || 'tiny', zeroConfigOptions())();
}

/** Closes what the global setup opened and removes its JSON file. */
export async function globalTeardown(): Promise<void> {
  const held = (globalThis as Holder)[SEED_KEY];
  if (!held) return;
  delete (globalThis as Holder)[SEED_KEY];
  try {
    await held.seed.close();
  } finally {
    await rm(dirname(held.file), { recursive: true, force: true });
  }
}

/** What the global setup seeded (plain data), read from `XAPI_DB_LOAD_JEST_INFO`. */
export function readProvidedAspects(): ProvidedAspects {
  const file = process.env[JEST_INFO_ENV];
  if (!file) {
    throw new Error(
      `xapi-db-load: ${JEST_INFO_ENV} is not set; add globalSetup: 'xapi-db-load/jest/global-setup' ` +
        "and globalTeardown: 'xapi-db-load/jest/global-teardown' to your Jest config",
    );
  }
  return JSON.parse(readFileSync(file, 'utf8')) as ProvidedAspects;
}

/**
 * A seeded Aspects for this test file: embedded → the cached dataset loaded into this worker's
 * engine; servers → a client on the seeded databases (`isolate: true` for a private copy).
 * Call it in `beforeAll` and `close()` it in `afterAll`.
 */
export function getAspects(options: SeedFromProvidedOptions = {}): Promise<SeededAspects> {
  return seedFromProvided(readProvidedAspects(), options);
}
