/**
 * Loaded-database snapshots of the embedded engine: the data directory of a chdb engine that has
 * loaded a dataset (schema, materialized views run, `OPTIMIZE … FINAL` done), kept once and
 * cloned per process, so a test file starts from a verified copy instead of re-creating the
 * schema and re-running the MV chain.
 *
 * A snapshot is named by {@link SnapshotKey}: everything that decides the loaded state (dataset
 * hash, rendered schema SQL, database names, load options, engine version, this format's
 * version). It is never used unless its `snapshot.json` names the same key and every file still
 * has the size and modification time it had when it was built; anything else is removed and
 * rebuilt.
 *
 * Cloning: files inside ClickHouse data parts (`store/<xxx>/<uuid>/<part>/<file>`) are
 * hard-linked: parts are immutable, and merges, mutations and lightweight deletes write new parts
 * (ClickHouse's own FREEZE and backups rely on the same property). Everything else (database and
 * table metadata, `format_version.txt`, mutation files) is small and may be rewritten by the
 * engine, so it is copied. A hard link shares its inode, so an in-place write by any copy would
 * change the template's size or mtime, and the next lookup would see it and rebuild.
 */

import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import {
  copyFile,
  link,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import { promisify } from 'node:util';
import type { TableCounts } from '../clickhouse/counts.ts';
import { aspectsDbtTag, renderSchema, type SchemaNames } from '../clickhouse/schema.ts';
import type { Config } from '../config/types.ts';
import { describeError, XapiDbLoadError } from '../errors.ts';
import { removeDirByRename } from '../storage/local.ts';
import { pruneOutdatedParts, takeLock } from './snapshot-files.ts';

export { pruneOutdatedParts, removeClone } from './snapshot-files.ts';

/** Bumped when the layout of a snapshot or the way it is built changes. */
export const SNAPSHOT_FORMAT_VERSION = 2;

/** Name of the manifest inside a snapshot directory. */
export const SNAPSHOT_MANIFEST = 'snapshot.json';

/** Everything that decides the loaded state of a snapshot. */
export interface SnapshotKeyParts {
  readonly format: number;
  readonly datasetHash: string;
  /** sha256 of the rendered schema statements (names substituted, no credentials). */
  readonly schemaSha256: string;
  /** The aspects-dbt release of the schema, e.g. `v8.0.0` (also in the SQL; named for the manifest's reader). */
  readonly aspectsDbt: string;
  readonly databases: { readonly xapi: string; readonly eventSink: string; readonly reporting: string };
  readonly rawTable: string;
  readonly load: { readonly xapiLoadOrder: Config['xapiLoadOrder']; readonly optimizeFinal: boolean };
  /** Engine that wrote the parts, e.g. `chdb 3.4.0`. */
  readonly engine: string;
}

export interface SnapshotKey {
  readonly parts: SnapshotKeyParts;
  /** sha256 of the canonical JSON of {@link parts}. */
  readonly hex: string;
  /** First 16 hex digits: the snapshot's directory name. */
  readonly short: string;
}

/** Version of the installed `chdb` package (its engine writes the parts). */
export function chdbEngineVersion(): string {
  const require = createRequire(import.meta.url);
  try {
    return `chdb ${(require('chdb/package.json') as { version: string }).version}`;
  } catch (error) {
    throw new XapiDbLoadError(`\`chdb\` is not installed (${describeError(error)}); run \`npm i chdb\``, {
      cause: error,
    });
  }
}

/**
 * The key of the loaded state of `datasetHash` loaded with `config`'s load options into `names`.
 *
 * @example
 * const key = snapshotKey(config, names, datasetHash(config).hex);
 * key.short; // → 'a1b2c3d4e5f60718'
 */
export function snapshotKey(
  config: Pick<Config, 'xapiLoadOrder' | 'optimizeFinal'>,
  names: SchemaNames,
  datasetHash: string,
  engine: string = chdbEngineVersion(),
): SnapshotKey {
  const schema = createHash('sha256');
  for (const statement of renderSchema(names, { dictionaryCredentials: null })) schema.update(`${statement.sql}\n;\n`);
  const parts: SnapshotKeyParts = {
    format: SNAPSHOT_FORMAT_VERSION,
    datasetHash,
    schemaSha256: schema.digest('hex'),
    aspectsDbt: aspectsDbtTag(names.aspectsVersion),
    databases: { xapi: names.xapiDb, eventSink: names.eventSinkDb, reporting: names.reportingDb },
    rawTable: names.rawTable,
    load: { xapiLoadOrder: config.xapiLoadOrder, optimizeFinal: config.optimizeFinal },
    engine,
  };
  const hex = createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  return { parts, hex, short: hex.slice(0, 16) };
}

/** One file of the data directory: relative path, size and mtime (ns) when built, how it is cloned. */
type ManifestFile = readonly [path: string, sizeBytes: number, mtimeNs: string, how: 'link' | 'copy'];

/** `snapshot.json`. */
export interface SnapshotManifest {
  readonly format: number;
  readonly key: string;
  readonly keyParts: SnapshotKeyParts;
  /** Rows per loaded table, verified against the dataset when built and against every copy. */
  readonly counts: TableCounts;
  readonly createdAt: string;
  readonly buildMs: number;
  readonly sizeBytes: number;
  readonly dirs: readonly string[];
  readonly files: readonly ManifestFile[];
  readonly symlinks: readonly (readonly [path: string, target: string])[];
}

/** A snapshot that passed its checks. */
export interface Snapshot {
  readonly key: SnapshotKey;
  /** The snapshot directory (`data/` and `snapshot.json`). */
  readonly dir: string;
  readonly manifest: SnapshotManifest;
}

/** How a clone's files were made, for measurements. */
export type CloneMethod = 'hardlink' | 'reflink' | 'copy';

export interface EmbeddedSnapshotsOptions {
  /** Directory holding one sub-directory per snapshot (e.g. `<dataset cache>/snapshots`). */
  readonly dir: string;
  /** Total size of the snapshots kept; least recently used ones go first. @default 4_000_000_000 */
  readonly maxBytes?: number;
  /** @default no output */
  readonly log?: (line: string) => void;
}

/** A snapshot was found but cannot be used; the message says why. */
export class SnapshotDamagedError extends XapiDbLoadError {}

const DEFAULT_MAX_BYTES = 4_000_000_000;
const LOCK_POLL_MS = 200;
const LOCK_WAIT_MS = 15 * 60_000;
const IO_CONCURRENCY = 64;
const execFileAsync = promisify(execFile);

/** Runs `fn` over `items` with at most `limit` in flight (thousands of small file operations). */
async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** A part file (`store/<xxx>/<uuid>/<part>/<file>`, not under `detached/`): immutable, safe to share. */
function isPartFile(relative: string): boolean {
  const segments = relative.split(sep);
  return segments.length === 5 && segments[0] === 'store' && segments[3] !== 'detached';
}

/**
 * Snapshots of loaded embedded databases, kept in one directory.
 *
 * @example
 * const snapshots = new EmbeddedSnapshots({ dir: join(cache.dir, 'snapshots') });
 * const snap = (await snapshots.lookup(key)) ?? (await snapshots.build(key, loadIntoDirectory));
 * await snapshots.clone(snap, privateDir);
 */
export class EmbeddedSnapshots {
  readonly dir: string;
  readonly maxBytes: number;
  readonly #log: (line: string) => void;

  constructor(options: EmbeddedSnapshotsOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.#log = options.log ?? (() => {});
  }

  snapshotDir(key: SnapshotKey): string {
    return join(this.dir, key.short);
  }

  /**
   * The snapshot of `key` when it exists and passes its checks (manifest names this key, every
   * file has its recorded size and mtime, unless `checkFiles: false`). A stale or damaged one is removed, with a log line
   * saying why, and `null` is returned.
   */
  async lookup(key: SnapshotKey, options: { readonly checkFiles?: boolean } = {}): Promise<Snapshot | null> {
    const dir = this.snapshotDir(key);
    let manifest: SnapshotManifest;
    try {
      manifest = JSON.parse(await readFile(join(dir, SNAPSHOT_MANIFEST), 'utf8')) as SnapshotManifest;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        // A directory without its manifest is an interrupted build: the manifest is written last.
        if (await exists(dir)) await this.#discard(dir, `snapshot ${key.short} has no ${SNAPSHOT_MANIFEST}`);
        return null;
      }
      await this.#discard(dir, `snapshot ${key.short}: unreadable ${SNAPSHOT_MANIFEST} (${describeError(error)})`);
      return null;
    }
    // clone() checks every file as it goes, so a caller about to clone may skip the second pass.
    const problem =
      manifestProblem(manifest, key) ??
      (options.checkFiles === false ? null : await filesProblem(join(dir, 'data'), manifest));
    if (problem) {
      await this.#discard(dir, `snapshot ${key.short} is stale or damaged (${problem})`);
      return null;
    }
    return { key, dir, manifest };
  }

  /**
   * Builds the snapshot of `key`: `load(dataDir)` must open the embedded engine on `dataDir`,
   * load and verify the dataset, CLOSE the engine, and return the counted rows. One process
   * builds at a time (a lock file); the others wait and use its result.
   */
  async build(key: SnapshotKey, load: (dataDir: string) => Promise<TableCounts>): Promise<Snapshot> {
    await mkdir(this.dir, { recursive: true });
    const lock = join(this.dir, `${key.short}.lock`);
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      const found = await this.lookup(key);
      if (found) return found;
      if (await takeLock(lock)) break;
      if (Date.now() > deadline) {
        throw new XapiDbLoadError(`snapshot ${key.short}: still locked by ${lock} after ${LOCK_WAIT_MS / 60_000} min`);
      }
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
    try {
      const again = await this.lookup(key);
      if (again) return again;
      const temp = join(this.dir, `.tmp-${key.short}-${process.pid}-${randomBytes(3).toString('hex')}`);
      await mkdir(join(temp, 'data'), { recursive: true });
      try {
        const started = performance.now();
        const counts = await load(join(temp, 'data'));
        const pruned = await pruneOutdatedParts(join(temp, 'data'));
        if (pruned > 0) this.#log(`xapi-db-load: snapshot ${key.short}: left out ${pruned} outdated parts`);
        const tree = await scanTree(join(temp, 'data'));
        const manifest: SnapshotManifest = {
          format: SNAPSHOT_FORMAT_VERSION,
          key: key.hex,
          keyParts: key.parts,
          counts,
          createdAt: new Date().toISOString(),
          buildMs: Math.round(performance.now() - started),
          sizeBytes: tree.files.reduce((sum, f) => sum + f[1], 0),
          ...tree,
        };
        // Written last: a directory with a manifest is complete.
        await writeFile(join(temp, SNAPSHOT_MANIFEST), JSON.stringify(manifest));
        await rename(temp, this.snapshotDir(key));
        this.#log(
          `xapi-db-load: snapshot ${key.short} built in ${manifest.buildMs} ms (${manifest.files.length} files, ${(manifest.sizeBytes / 1e6).toFixed(1)} MB)`,
        );
      } finally {
        await rm(temp, { recursive: true, force: true });
      }
    } finally {
      await rm(lock, { force: true });
    }
    await this.evict(key);
    const built = await this.lookup(key);
    if (!built) throw new XapiDbLoadError(`snapshot ${key.short} failed its checks right after it was built`);
    return built;
  }

  /**
   * Clones `snapshot` into `dest` (created; must not exist or be empty): part files hard-linked
   * (or reflinked/copied with `method`), everything else copied. Every source file is checked
   * against the manifest as it is cloned; a mismatch throws {@link SnapshotDamagedError}.
   */
  async clone(snapshot: Snapshot, dest: string, method: CloneMethod = 'hardlink'): Promise<void> {
    const source = join(snapshot.dir, 'data');
    const { manifest } = snapshot;
    if (method === 'hardlink' && process.platform === 'linux') {
      await cloneWithCp(snapshot, dest);
      return;
    }
    await mkdir(dest, { recursive: true });
    for (const dir of manifest.dirs) await mkdir(join(dest, dir));
    await forEachLimited(manifest.files, IO_CONCURRENCY, async ([path, size, mtimeNs, how]) => {
      const from = join(source, path);
      let info: Awaited<ReturnType<typeof statBig>>;
      try {
        info = await statBig(from);
      } catch (error) {
        throw new SnapshotDamagedError(`snapshot ${snapshot.key.short}: ${path}: ${describeError(error)}`, {
          cause: error,
        });
      }
      const problem = fileProblem(path, size, mtimeNs, info);
      if (problem) throw new SnapshotDamagedError(`snapshot ${snapshot.key.short} is damaged (${problem})`);
      const to = join(dest, path);
      if (how === 'link' && method === 'hardlink') await link(from, to);
      else await copyFile(from, to, method === 'reflink' && how === 'link' ? constants.COPYFILE_FICLONE : 0);
    });
    for (const [path, target] of manifest.symlinks) await symlink(target, join(dest, path));
  }

  /** Removes the snapshot of `key` (e.g. after a copy failed its count check). */
  async remove(key: SnapshotKey, reason: string): Promise<void> {
    await this.#discard(this.snapshotDir(key), `snapshot ${key.short} removed: ${reason}`);
  }

  /** Removes least recently used snapshots (by manifest mtime) until the total fits {@link maxBytes}. */
  async evict(keep: SnapshotKey): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    const all: { dir: string; bytes: number; usedMs: number }[] = [];
    for (const name of names) {
      if (!/^[0-9a-f]{16}$/.test(name) || name === keep.short) continue;
      const dir = join(this.dir, name);
      try {
        const file = join(dir, SNAPSHOT_MANIFEST);
        const manifest = JSON.parse(await readFile(file, 'utf8')) as SnapshotManifest;
        all.push({ dir, bytes: manifest.sizeBytes, usedMs: (await stat(file)).mtimeMs });
      } catch {
        // Unreadable: lookup() removes it when its key is asked for.
      }
    }
    const kept = await this.lookup(keep);
    let total = all.reduce((sum, s) => sum + s.bytes, kept?.manifest.sizeBytes ?? 0);
    for (const snapshot of all.sort((a, b) => a.usedMs - b.usedMs)) {
      if (total <= this.maxBytes) break;
      await this.#discard(
        snapshot.dir,
        `evicted ${snapshot.dir} (${snapshot.bytes} bytes) to stay under ${this.maxBytes} bytes`,
      );
      total -= snapshot.bytes;
    }
  }

  /** Marks `snapshot` as used now (eviction order). */
  async touch(snapshot: Snapshot): Promise<void> {
    const now = new Date();
    await utimes(join(snapshot.dir, SNAPSHOT_MANIFEST), now, now);
  }

  async #discard(dir: string, reason: string): Promise<void> {
    this.#log(`xapi-db-load: ${reason}; removing it`);
    await removeDirByRename(dir, `${dir}.removing-${process.pid}-${randomBytes(3).toString('hex')}`);
  }
}

function statBig(path: string) {
  return stat(path, { bigint: true });
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

function manifestProblem(manifest: SnapshotManifest, key: SnapshotKey): string | null {
  if (manifest.format !== SNAPSHOT_FORMAT_VERSION) {
    return `format ${manifest.format}, expected ${SNAPSHOT_FORMAT_VERSION}`;
  }
  if (manifest.key !== key.hex || JSON.stringify(manifest.keyParts) !== JSON.stringify(key.parts)) {
    return 'built for another key';
  }
  if (!Array.isArray(manifest.files) || !Array.isArray(manifest.dirs) || !Array.isArray(manifest.symlinks)) {
    return `${SNAPSHOT_MANIFEST} is incomplete`;
  }
  return null;
}

function fileProblem(
  path: string,
  size: number,
  mtimeNs: string,
  info: { size: bigint; mtimeNs: bigint },
): string | null {
  if (Number(info.size) !== size) return `${path}: expected ${size} bytes, found ${info.size}`;
  if (String(info.mtimeNs) !== mtimeNs) return `${path}: modified after the snapshot was built`;
  return null;
}

/** First file whose size or mtime differs from the manifest (or that is missing), else `null`. */
async function filesProblem(dataDir: string, manifest: SnapshotManifest): Promise<string | null> {
  let problem: string | null = null;
  await forEachLimited(manifest.files, IO_CONCURRENCY, async ([path, size, mtimeNs]) => {
    if (problem) return;
    try {
      problem = fileProblem(path, size, mtimeNs, await statBig(join(dataDir, path)));
    } catch (error) {
      problem = `${path}: ${describeError(error)}`;
    }
  });
  return problem;
}

/** Directories, files (with size, mtime and how to clone them) and symlinks under `root`. */
async function scanTree(root: string): Promise<Pick<SnapshotManifest, 'dirs' | 'files' | 'symlinks'>> {
  const dirs: string[] = [];
  const files: ManifestFile[] = [];
  const symlinks: [string, string][] = [];
  const walk = async (relative: string): Promise<void> => {
    for (const entry of await readdir(join(root, relative), { withFileTypes: true })) {
      const path = relative === '' ? entry.name : join(relative, entry.name);
      if (entry.isSymbolicLink()) symlinks.push([path, await readlink(join(root, path))]);
      else if (entry.isDirectory()) {
        dirs.push(path);
        await walk(path);
      } else if (entry.isFile()) {
        const info = await statBig(join(root, path));
        files.push([path, Number(info.size), String(info.mtimeNs), isPartFile(path) ? 'link' : 'copy']);
      } else {
        throw new XapiDbLoadError(`snapshot: unexpected entry ${path} in ${root} (not a file, directory or symlink)`);
      }
    }
  };
  await walk('');
  return { dirs, files, symlinks };
}

/**
 * The hard-link clone in two child processes instead of one file operation per file: GNU `find`
 * lists every size and mtime (checked against the manifest), `cp -al` links the tree, then the
 * few files the engine may rewrite (metadata, `format_version.txt`) are replaced by copies.
 * Measured on a `medium` snapshot (19,660 files) on 2 loaded cores: 0.5–1.3 s vs 1.6–1.9 s.
 */
async function cloneWithCp(snapshot: Snapshot, dest: string): Promise<void> {
  const source = join(snapshot.dir, 'data');
  const { manifest } = snapshot;
  const { stdout } = await execFileAsync('find', [source, '-type', 'f', '-printf', '%s %T@ %P\\n'], {
    maxBuffer: 256 * 1024 * 1024,
  });
  const found = new Map<string, { size: bigint; mtimeNs: bigint }>();
  for (const line of stdout.split('\n')) {
    const first = line.indexOf(' ');
    const second = line.indexOf(' ', first + 1);
    if (first < 0 || second < 0) continue;
    const [seconds = '0', fraction = ''] = line.slice(first + 1, second).split('.');
    const mtimeNs = BigInt(seconds) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
    found.set(line.slice(second + 1), { size: BigInt(line.slice(0, first)), mtimeNs });
  }
  for (const [path, size, mtimeNs] of manifest.files) {
    const info = found.get(path);
    const problem = info ? fileProblem(path, size, mtimeNs, info) : `${path}: missing`;
    if (problem) throw new SnapshotDamagedError(`snapshot ${snapshot.key.short} is damaged (${problem})`);
  }
  await mkdir(dest, { recursive: true });
  await execFileAsync('cp', ['-al', `${source}${sep}.`, dest]);
  // Linked by cp: the files the engine may rewrite in place get their own copy.
  await forEachLimited(
    manifest.files.filter((f) => f[3] === 'copy'),
    IO_CONCURRENCY,
    async ([path]) => {
      await rm(join(dest, path));
      await copyFile(join(source, path), join(dest, path));
    },
  );
}
