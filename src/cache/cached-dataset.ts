/**
 * The dataset of a config, from the cache when possible: the local cache first, then an optional
 * remote store (e.g. the GitHub Actions cache), and only then the generator, whose output is
 * published into the local cache (and saved to the remote store) before anyone reads it.
 */

import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCsvSink } from '../backends/csv.ts';
import { DATA_FORMAT_VERSION, datasetHash, datasetHashInput } from '../config/dataset-hash.ts';
import type { Config } from '../config/types.ts';
import { describeError } from '../errors.ts';
import { TABLE_KEYS } from '../formats/tables.ts';
import { type DatasetPlan, planDataset } from '../generate/dataset.ts';
import { buildWorld } from '../generate/world.ts';
import type { TableCountsByKey } from '../load/verify.ts';
import { runLoadDb } from '../run/runner.ts';
import { localDestination } from '../storage/local.ts';
import type { CacheEntry, DatasetCacheStore, LocalDatasetCache } from './dataset-cache.ts';

/** Writes the eight gzipped CSV files of `config` into `dir`. */
export type DatasetGenerator = (config: Config, dir: string) => Promise<void>;

/** The generator used unless one is injected: the real runner with the csv sink. */
export const generateCsvDataset: DatasetGenerator = async (config, dir) => {
  await runLoadDb(config, { sink: createCsvSink(config, localDestination(dir)) });
};

export interface CachedDatasetOptions {
  readonly cache: LocalDatasetCache;
  /** Consulted on a local miss, and given every newly generated entry. */
  readonly remote?: DatasetCacheStore;
  /** @default generateCsvDataset */
  readonly generate?: DatasetGenerator;
  readonly log?: (line: string) => void;
}

export interface CachedDataset {
  readonly entry: CacheEntry;
  /** Where the files came from this time. */
  readonly source: 'local' | 'remote' | 'generated';
  /** Rows per table the files hold. */
  readonly rows: TableCountsByKey;
  /** The dataset's plan (chunks and rows per table). */
  readonly plan: DatasetPlan;
}

/**
 * Returns the cache entry of `config`'s dataset, generating it at most once across concurrent
 * callers.
 *
 * @example
 * const { entry, source } = await cachedDataset(config, { cache: new LocalDatasetCache() });
 * // entry.dir holds xapi.csv.gz, courses.csv.gz, … and manifest.json
 */
export async function cachedDataset(config: Config, options: CachedDatasetOptions): Promise<CachedDataset> {
  const log = options.log ?? (() => {});
  const hash = datasetHash(config).hex;
  const plan = planDataset(buildWorld(config));
  const rows = Object.fromEntries(TABLE_KEYS.map((k) => [k, plan.tables[k].rows])) as TableCountsByKey;
  const generate = options.generate ?? generateCsvDataset;
  let source: CachedDataset['source'] = 'generated';
  const { entry, hit } = await options.cache.getOrCreate(hash, {
    input: { datasetHash: hash, hashInput: datasetHashInput(config), dataFormatVersion: DATA_FORMAT_VERSION, rows },
    produce: async (dir) => {
      if (options.remote && (await restoreRemote(options.remote, hash, dir, log))) {
        source = 'remote';
        return;
      }
      await generate(config, dir);
    },
  });
  if (hit) source = 'local';
  else if (source === 'generated' && options.remote) {
    try {
      await options.remote.save(hash, entry.dir);
    } catch (error) {
      // The dataset is usable; only the next run's cache hit is lost.
      log(
        `xapi-db-load cache: could not save ${hash.slice(0, 16)} to ${options.remote.description}: ${describeError(error)}`,
      );
    }
  }
  return { entry, source, rows: entry.manifest.rows, plan };
}

/** Restores from the remote store into `dir`; any failure is logged and treated as a miss. */
async function restoreRemote(
  remote: DatasetCacheStore,
  hash: string,
  dir: string,
  log: (line: string) => void,
): Promise<boolean> {
  const scratch = await mkdtemp(join(tmpdir(), 'xapi-db-load-restore-'));
  try {
    if (!(await remote.restore(hash, scratch))) return false;
    await cp(scratch, dir, { recursive: true });
    return true;
  } catch (error) {
    log(
      `xapi-db-load cache: restoring ${hash.slice(0, 16)} from ${remote.description} failed: ${describeError(error)}`,
    );
    return false;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
