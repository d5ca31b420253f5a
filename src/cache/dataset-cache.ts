/**
 * A dataset cache keyed by the dataset hash. An entry is a directory holding the eight gzipped
 * CSV files of one dataset plus `manifest.json` (sizes, sha256 checksums, hash input, format
 * version, created / last used).
 *
 * Safety rules:
 * - an entry appears only through an atomic `rename` of a fully written and described temporary
 *   directory, so a half-written entry is never visible;
 * - one process generates a given hash at a time (a lock file, refreshed while generating and
 *   broken when it goes stale); the others wait and then use the entry. Should two ever race
 *   past the lock, the first rename wins and the loser discards its copy;
 * - every hit is verified against the manifest; a corrupt entry is removed (renamed away first,
 *   so readers never see it half deleted) and regenerated, with one log line saying so;
 * - a size limit evicts least-recently-used entries after each publish.
 */

import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError, XapiDbLoadError } from '../errors.ts';
import { removeDirByRename } from '../storage/local.ts';
import { type CacheDirOptions, resolveCacheDir } from './location.ts';
import {
  buildManifest,
  type CacheManifest,
  DATASET_FILES,
  MANIFEST_FILE,
  type ManifestInput,
  manifestBytes,
  readManifest,
  type VerifyLevel,
  verifyFiles,
} from './manifest.ts';

/**
 * The two operations every dataset cache offers. The local cache implements it, and so can a
 * remote store (the GitHub Action plugs `@actions/cache` in behind it): `restore` fills `dir`
 * with an entry's files and `manifest.json`, `save` stores such a directory.
 */
export interface DatasetCacheStore {
  /** Printable, e.g. `local cache in /repo/node_modules/.cache/xapi-db-load`. */
  readonly description: string;
  /** Copies the entry of `hash` into `dir` (created if missing). `false` when there is none. */
  restore(hash: string, dir: string): Promise<boolean>;
  /** Stores the dataset files and `manifest.json` found in `dir` under `hash`. */
  save(hash: string, dir: string): Promise<void>;
}

/** A verified entry of the local cache. */
export interface CacheEntry {
  /** The full dataset hash the entry was made for. */
  readonly hash: string;
  /** Directory holding the eight files and `manifest.json`; read it, never write it. */
  readonly dir: string;
  readonly manifest: CacheManifest;
  readonly sizeBytes: number;
}

/** Makes a dataset: writes the eight files into `dir`. */
export interface DatasetProducer {
  readonly input: ManifestInput;
  produce(dir: string): Promise<void>;
}

export interface LocalDatasetCacheOptions extends CacheDirOptions {
  /**
   * Size limit of the whole cache; least-recently-used entries are evicted past it (the entry
   * just used is always kept).
   * @default 2_147_483_648 (2 GiB)
   */
  readonly maxBytes?: number;
  /** `checksum` re-hashes every file on each hit; `size` only compares sizes. @default "checksum" */
  readonly verify?: VerifyLevel;
  /** A generation lock not refreshed for this long is considered abandoned. @default 60_000 */
  readonly lockStaleMs?: number;
  /** How often a waiting process looks for the entry. @default 100 */
  readonly lockPollMs?: number;
  /** Receives one line per notable event (corrupt entry, eviction, stale lock). @default no output */
  readonly log?: (line: string) => void;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export interface GetOrCreateResult {
  readonly entry: CacheEntry;
  /** `true` when this call did not generate the dataset (found, or made by another process). */
  readonly hit: boolean;
}

const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;
const HASH_PATTERN = /^[0-9a-f]{16,64}$/;

function entryName(hash: string): string {
  if (!HASH_PATTERN.test(hash)) {
    throw new XapiDbLoadError(
      `dataset cache: got hash ${JSON.stringify(hash)}; expected 16 to 64 lowercase hex digits`,
    );
  }
  return hash.slice(0, 16);
}

function uniqueSuffix(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const temp = `${path}.tmp-${uniqueSuffix()}`;
  await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(temp, path);
}

/**
 * The dataset cache on the local disk.
 *
 * @example
 * const cache = new LocalDatasetCache({ maxBytes: 500_000_000 });
 * const { entry, hit } = await cache.getOrCreate(datasetHash(config).hex, {
 *   input: { datasetHash: hash, hashInput, dataFormatVersion: DATA_FORMAT_VERSION, rows },
 *   produce: (dir) => writeCsvFiles(config, dir),
 * });
 */
export class LocalDatasetCache implements DatasetCacheStore {
  readonly dir: string;
  readonly maxBytes: number;
  readonly #verify: VerifyLevel;
  readonly #lockStaleMs: number;
  readonly #lockPollMs: number;
  readonly #log: (line: string) => void;
  readonly #now: () => Date;

  constructor(options: LocalDatasetCacheOptions = {}) {
    this.dir = resolveCacheDir(options);
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.#verify = options.verify ?? 'checksum';
    this.#lockStaleMs = options.lockStaleMs ?? 60_000;
    this.#lockPollMs = options.lockPollMs ?? 100;
    this.#log = options.log ?? (() => {});
    this.#now = options.now ?? (() => new Date());
  }

  get description(): string {
    return `local dataset cache in ${this.dir}`;
  }

  /** Directory the entry of `hash` lives in (whether or not it exists). */
  entryDir(hash: string): string {
    return join(this.dir, entryName(hash));
  }

  /**
   * The verified entry of `hash`, or `null`. A hit refreshes the entry's last-used time; a
   * corrupt entry is removed (and logged) and reported as a miss.
   */
  async lookup(hash: string): Promise<CacheEntry | null> {
    const dir = this.entryDir(hash);
    try {
      await stat(dir);
    } catch {
      return null;
    }
    const manifest = await readManifest(dir);
    let problem: string | null;
    if (typeof manifest === 'string') problem = manifest;
    else if (!manifest.datasetHash.startsWith(hash) && !hash.startsWith(manifest.datasetHash)) {
      problem = `manifest names dataset ${manifest.datasetHash.slice(0, 16)}`;
    } else problem = await verifyFiles(dir, manifest, this.#verify);
    if (problem !== null || typeof manifest === 'string') {
      this.#log(`xapi-db-load cache: entry ${entryName(hash)} is corrupt (${problem}); removing it and regenerating`);
      await this.#removeDir(dir);
      return null;
    }
    const touched: CacheManifest = { ...manifest, lastUsedAt: this.#now().toISOString() };
    try {
      await writeJsonAtomic(join(dir, MANIFEST_FILE), touched);
    } catch (error) {
      // A read-only cache still serves hits; only LRU ordering suffers.
      this.#log(`xapi-db-load cache: cannot record last use of ${entryName(hash)}: ${describeError(error)}`);
    }
    return { hash: manifest.datasetHash, dir, manifest: touched, sizeBytes: manifestBytes(manifest) };
  }

  /**
   * Returns the entry of `hash`, generating it with `producer` when missing. Concurrent callers
   * (threads, processes) with the same hash generate once; the others wait for the entry.
   */
  async getOrCreate(hash: string, producer: DatasetProducer): Promise<GetOrCreateResult> {
    await mkdir(this.dir, { recursive: true });
    for (;;) {
      const found = await this.lookup(hash);
      if (found) return { entry: found, hit: true };
      const lock = await this.#tryLock(hash);
      if (lock === null) {
        await sleep(this.#lockPollMs);
        continue;
      }
      try {
        // Another process may have published between our lookup and our lock.
        const again = await this.lookup(hash);
        if (again) return { entry: again, hit: true };
        const entry = await this.#generate(hash, producer);
        return { entry, hit: false };
      } finally {
        await lock.release();
      }
    }
  }

  async restore(hash: string, dir: string): Promise<boolean> {
    const entry = await this.lookup(hash);
    if (!entry) return false;
    await mkdir(dir, { recursive: true });
    for (const name of [...DATASET_FILES, MANIFEST_FILE]) await copyFile(join(entry.dir, name), join(dir, name));
    return true;
  }

  async save(hash: string, dir: string): Promise<void> {
    const manifest = await readManifest(dir);
    if (typeof manifest === 'string') throw new XapiDbLoadError(`dataset cache: cannot save ${dir}: ${manifest}`);
    const problem = await verifyFiles(dir, manifest, 'checksum');
    if (problem) throw new XapiDbLoadError(`dataset cache: cannot save ${dir}: ${problem}`);
    await mkdir(this.dir, { recursive: true });
    const temp = join(this.dir, `.tmp-${entryName(hash)}-${uniqueSuffix()}`);
    await mkdir(temp);
    try {
      for (const name of [...DATASET_FILES, MANIFEST_FILE]) await copyFile(join(dir, name), join(temp, name));
      await this.#publish(hash, temp);
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
    await this.evict(hash);
  }

  /** Every complete entry, least recently used first. Unreadable directories are skipped. */
  async entries(): Promise<CacheEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const out: CacheEntry[] = [];
    for (const name of names) {
      if (!HASH_PATTERN.test(name)) continue;
      const dir = join(this.dir, name);
      const manifest = await readManifest(dir);
      if (typeof manifest === 'string') continue;
      out.push({ hash: manifest.datasetHash, dir, manifest, sizeBytes: manifestBytes(manifest) });
    }
    return out.sort((a, b) => a.manifest.lastUsedAt.localeCompare(b.manifest.lastUsedAt));
  }

  /** Total bytes of the dataset files of every entry. */
  async sizeBytes(): Promise<number> {
    return (await this.entries()).reduce((sum, e) => sum + e.sizeBytes, 0);
  }

  /**
   * Removes least-recently-used entries until the cache fits {@link maxBytes}; `keep` (a hash)
   * is never removed. Returns the hashes removed.
   */
  async evict(keep?: string): Promise<string[]> {
    const entries = await this.entries();
    let total = entries.reduce((sum, e) => sum + e.sizeBytes, 0);
    const removed: string[] = [];
    const keepName = keep === undefined ? null : entryName(keep);
    for (const entry of entries) {
      if (total <= this.maxBytes) break;
      if (entryName(entry.hash) === keepName) continue;
      await this.#removeDir(entry.dir);
      total -= entry.sizeBytes;
      removed.push(entry.hash);
      this.#log(
        `xapi-db-load cache: evicted ${entryName(entry.hash)} (${entry.sizeBytes} bytes, last used ${entry.manifest.lastUsedAt}) to stay under ${this.maxBytes} bytes`,
      );
    }
    return removed;
  }

  /** Removes the entry of `hash` if present. */
  async remove(hash: string): Promise<void> {
    await this.#removeDir(this.entryDir(hash));
  }

  async #generate(hash: string, producer: DatasetProducer): Promise<CacheEntry> {
    const temp = join(this.dir, `.tmp-${entryName(hash)}-${uniqueSuffix()}`);
    await mkdir(temp, { recursive: true });
    try {
      await producer.produce(temp);
      const manifest = await buildManifest(temp, producer.input, this.#now());
      await writeJsonAtomic(join(temp, MANIFEST_FILE), manifest);
      await this.#publish(hash, temp);
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
    await this.evict(hash);
    const entry = await this.lookup(hash);
    if (!entry)
      throw new XapiDbLoadError(`dataset cache: entry ${entryName(hash)} vanished right after it was written`);
    return entry;
  }

  /** Atomic publish: the first rename wins; a loser's copy is discarded by the caller's cleanup. */
  async #publish(hash: string, temp: string): Promise<void> {
    try {
      await rename(temp, this.entryDir(hash));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM') throw error;
      // Someone else published this hash first; their (identical) entry stays.
    }
  }

  async #removeDir(dir: string): Promise<void> {
    await removeDirByRename(dir, join(this.dir, `.trash-${uniqueSuffix()}`));
  }

  /** Takes the generation lock of `hash`, or returns `null` when another live process holds it. */
  async #tryLock(hash: string): Promise<{ release(): Promise<void> } | null> {
    const path = join(this.dir, `.${entryName(hash)}.lock`);
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, at: this.#now().toISOString() }));
      await handle.close();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      await this.#breakIfStale(path);
      return null;
    }
    // Refresh the lock while generating so waiters can tell a slow generator from a dead one.
    const heartbeat = setInterval(
      () => {
        const t = new Date();
        utimes(path, t, t).catch(() => {});
      },
      Math.max(50, Math.floor(this.#lockStaleMs / 3)),
    );
    heartbeat.unref();
    return {
      release: async () => {
        clearInterval(heartbeat);
        await rm(path, { force: true });
      },
    };
  }

  async #breakIfStale(path: string): Promise<void> {
    let ageMs: number;
    try {
      ageMs = Date.now() - (await stat(path)).mtimeMs;
    } catch {
      return; // released meanwhile
    }
    if (ageMs <= this.#lockStaleMs) return;
    // Rename first: of several waiters breaking the same lock, exactly one succeeds.
    const stale = `${path}.stale-${uniqueSuffix()}`;
    try {
      await rename(path, stale);
    } catch {
      return;
    }
    await rm(stale, { force: true });
    this.#log(`xapi-db-load cache: broke a stale generation lock ${path} (not refreshed for ${Math.round(ageMs)} ms)`);
  }
}
