/**
 * The dataset cache of the Action: the project's `DatasetCacheStore` (restore / save by dataset
 * hash) on top of the `@actions/cache` API.
 *
 * `@actions/cache` versions an entry by its path list, so restore and save must use the same
 * path: every dataset goes through one staging directory ({@link stagingDir}). Saving is
 * deferred: `main` copies the dataset there and records the key in the step state; the `post`
 * step (`post-if: success()`) uploads it, as actions/cache does.
 */

import { cp, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DatasetCacheStore } from '../cache/dataset-cache.ts';
import { describeError } from '../errors.ts';
import { CACHE_KEY_PREFIX } from './constants.ts';

/** The part of `@actions/cache` the Action uses (same signatures). */
export interface ActionsCacheApi {
  isFeatureAvailable(): boolean;
  restoreCache(paths: string[], primaryKey: string, restoreKeys?: string[]): Promise<string | undefined>;
  saveCache(paths: string[], key: string): Promise<number>;
}

/** Entries are immutable and keyed by content: one key per dataset hash and platform. */
export function cacheKey(hash: string): string {
  return `${CACHE_KEY_PREFIX}-${process.platform}-${hash}`;
}

/** The one path every cached dataset is restored to and saved from. */
export function stagingDir(tempDir: string): string {
  return join(tempDir, 'xapi-db-load-dataset');
}

/** What `post` must do: upload `path` under `key`. */
export interface PendingSave {
  readonly key: string;
  readonly path: string;
}

/**
 * A `DatasetCacheStore` backed by the Actions cache. `save` only stages; {@link pending} tells
 * the caller what `post` should upload.
 */
export class ActionsDatasetCache implements DatasetCacheStore {
  readonly description: string;
  readonly #api: ActionsCacheApi;
  readonly #staging: string;
  readonly #log: (line: string) => void;
  #pending: PendingSave | null = null;
  #hitKey: string | null = null;

  constructor(
    api: ActionsCacheApi,
    tempDir: string,
    options: { description?: string; log?: (line: string) => void } = {},
  ) {
    this.#api = api;
    this.#staging = stagingDir(tempDir);
    this.#log = options.log ?? (() => {});
    this.description = options.description ?? 'GitHub Actions cache';
  }

  /** The key restored from, when the last restore hit. */
  get hitKey(): string | null {
    return this.#hitKey;
  }

  get pending(): PendingSave | null {
    return this.#pending;
  }

  async restore(hash: string, dir: string): Promise<boolean> {
    if (!this.#api.isFeatureAvailable()) {
      this.#log(`${this.description} is not available here; the dataset is generated`);
      return false;
    }
    const key = cacheKey(hash);
    await rm(this.#staging, { recursive: true, force: true });
    let hit: string | undefined;
    try {
      hit = await this.#api.restoreCache([this.#staging], key);
    } catch (error) {
      this.#log(`${this.description}: restore of ${key} failed (${describeError(error)}); generating instead`);
      return false;
    }
    if (hit === undefined) {
      this.#log(`${this.description}: no entry for ${key}`);
      return false;
    }
    this.#hitKey = hit;
    await mkdir(dir, { recursive: true });
    await cp(this.#staging, dir, { recursive: true });
    this.#log(`${this.description}: restored ${key}`);
    return true;
  }

  async save(hash: string, dir: string): Promise<void> {
    if (!this.#api.isFeatureAvailable()) return;
    await rm(this.#staging, { recursive: true, force: true });
    await cp(dir, this.#staging, { recursive: true });
    this.#pending = { key: cacheKey(hash), path: this.#staging };
  }
}

/**
 * The `@actions/cache` contract on a local directory: entry `<dir>/<key>/` holds a copy of each
 * saved path (by position). Like the service, entries are immutable (a second save of a key is
 * refused with -1) and keys with commas or over 512 characters are rejected.
 */
export function localActionsCache(root: string): ActionsCacheApi {
  const base = resolve(root);
  const check = (key: string) => {
    if (key.length > 512 || key.includes(',')) throw new Error(`Key Validation Error: ${key} is not valid`);
  };
  return {
    isFeatureAvailable: () => true,
    async restoreCache(paths, primaryKey, restoreKeys = []) {
      check(primaryKey);
      let names: string[];
      try {
        names = await readdir(base);
      } catch {
        return undefined;
      }
      const key = names.includes(primaryKey)
        ? primaryKey
        : restoreKeys
            .map((prefix) =>
              names
                .filter((n) => n.startsWith(prefix))
                .sort()
                .at(-1),
            )
            .find((n) => n);
      if (key === undefined) return undefined;
      for (const [i, path] of paths.entries()) {
        await rm(path, { recursive: true, force: true });
        await cp(join(base, key, String(i)), path, { recursive: true });
      }
      return key;
    },
    async saveCache(paths, key) {
      check(key);
      const entry = join(base, key);
      try {
        await stat(entry);
        return -1;
      } catch {
        // Not saved yet.
      }
      const temp = `${entry}.tmp-${process.pid}`;
      for (const [i, path] of paths.entries()) await cp(path, join(temp, String(i)), { recursive: true });
      await mkdir(base, { recursive: true });
      await rename(temp, entry);
      return 1;
    },
  };
}
