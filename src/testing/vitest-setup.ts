/**
 * Vitest global setup (runs once per run, in Vitest's main process). It imports nothing from
 * `vitest` at run time, so it is safe to load where the test API is unavailable.
 */

import type { TestProject } from 'vitest/node';
import type { SeedConfigInput } from './seed.ts';
import {
  type GlobalSeedOptions,
  globalSeed,
  type ProvidedAspects,
  SEED_ENV,
  zeroConfigOptions,
} from './shared-setup.ts';

declare module 'vitest' {
  /** What `xapi-db-load/vitest`'s global setup provides: `inject('xapiDbLoad')`. */
  export interface ProvidedContext {
    xapiDbLoad: ProvidedAspects;
  }
}

/** Key under which the setup `provide`s its {@link ProvidedAspects}. */
export const PROVIDE_KEY = 'xapiDbLoad' as const;

/**
 * Builds a global setup for `config` (a preset, a YAML path or an object). Export it as the
 * default of your global-setup file.
 *
 * @example
 * // test/global-setup.ts
 * import { defineAspectsSetup } from 'xapi-db-load/vitest/setup';
 * export default defineAspectsSetup('tiny');
 */
export function defineAspectsSetup(
  config: SeedConfigInput,
  options: GlobalSeedOptions = {},
): (project: TestProject) => Promise<() => Promise<void>> {
  return async (project) => {
    const seed = await globalSeed(config, options);
    project.provide(PROVIDE_KEY, seed.provided);
    return () => seed.close();
  };
}

let teardownFn: (() => Promise<void>) | null = null;

/**
 * Zero-config global setup: seeds `XAPI_DB_LOAD_SEED` (a preset or YAML path), default `tiny`, on
 * the aspects-dbt release in `XAPI_DB_LOAD_ASPECTS_VERSION` (default: the config's).
 * Use with `globalSetup: ['xapi-db-load/vitest/setup']`.
 */
export async function setup(project: TestProject): Promise<void> {
  teardownFn = await defineAspectsSetup(process.env[SEED_ENV] || 'tiny', zeroConfigOptions())(project);
}

export async function teardown(): Promise<void> {
  await teardownFn?.();
  teardownFn = null;
}
