/**
 * `manifest.json` of a cache entry: what the entry holds (file sizes and sha256 checksums, rows
 * per table), which config made it (the dataset hash and its canonical input) and when it was
 * made and last used. Verification re-reads the files and compares; any difference makes the
 * entry corrupt.
 */

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { TABLE_KEYS, TABLES } from '../formats/tables.ts';
import type { TableCountsByKey } from '../load/verify.ts';

/** Version of the manifest layout; entries with another version are treated as corrupt. */
export const MANIFEST_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';

/** The eight dataset files of an entry, in load order of the tables. */
export const DATASET_FILES: readonly string[] = TABLE_KEYS.map((key) => TABLES[key].csvFile);

export interface ManifestFile {
  readonly sizeBytes: number;
  readonly sha256: string;
}

export interface CacheManifest {
  readonly manifestVersion: number;
  /** Full dataset hash (64 hex digits). */
  readonly datasetHash: string;
  /** The canonical text that was hashed (`datasetHashInput`), for humans and debugging. */
  readonly hashInput: string;
  readonly dataFormatVersion: number;
  /** Rows per table, as planned and written. */
  readonly rows: TableCountsByKey;
  readonly files: Readonly<Record<string, ManifestFile>>;
  /** ISO-8601. */
  readonly createdAt: string;
  /** ISO-8601; refreshed on every cache hit (drives least-recently-used eviction). */
  readonly lastUsedAt: string;
}

/** What the caller knows about a dataset before its files are described. */
export interface ManifestInput {
  readonly datasetHash: string;
  readonly hashInput: string;
  readonly dataFormatVersion: number;
  readonly rows: TableCountsByKey;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Describes the dataset files in `dir` (sizes and checksums). */
export async function buildManifest(dir: string, input: ManifestInput, now: Date = new Date()): Promise<CacheManifest> {
  const files: Record<string, ManifestFile> = {};
  for (const name of DATASET_FILES) {
    const path = join(dir, name);
    const info = await stat(path);
    files[name] = { sizeBytes: info.size, sha256: await sha256File(path) };
  }
  const at = now.toISOString();
  return {
    manifestVersion: MANIFEST_VERSION,
    datasetHash: input.datasetHash,
    hashInput: input.hashInput,
    dataFormatVersion: input.dataFormatVersion,
    rows: { ...input.rows },
    files,
    createdAt: at,
    lastUsedAt: at,
  };
}

/** Total bytes of the dataset files a manifest lists. */
export function manifestBytes(manifest: CacheManifest): number {
  return Object.values(manifest.files).reduce((sum, f) => sum + f.sizeBytes, 0);
}

/** Reads and shape-checks `manifest.json`; returns a reason string when it is unusable. */
export async function readManifest(dir: string): Promise<CacheManifest | string> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `${MANIFEST_FILE} is missing` : `${MANIFEST_FILE} cannot be read (${code})`;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return `${MANIFEST_FILE} is not valid JSON`;
  }
  const m = data as Partial<CacheManifest> | null;
  if (m === null || typeof m !== 'object') return `${MANIFEST_FILE} is not an object`;
  if (m.manifestVersion !== MANIFEST_VERSION) {
    return `${MANIFEST_FILE} has version ${JSON.stringify(m.manifestVersion)}; expected ${MANIFEST_VERSION}`;
  }
  if (typeof m.datasetHash !== 'string' || typeof m.files !== 'object' || m.files === null || !m.rows) {
    return `${MANIFEST_FILE} lacks datasetHash, files or rows`;
  }
  for (const name of DATASET_FILES) {
    const f = m.files[name];
    if (!f || typeof f.sizeBytes !== 'number' || typeof f.sha256 !== 'string') {
      return `${MANIFEST_FILE} does not describe ${name}`;
    }
  }
  return m as CacheManifest;
}

/** How thoroughly a hit is checked before use. */
export type VerifyLevel = 'size' | 'checksum';

/**
 * Checks the files of an entry against its manifest. Returns `null` when they match, else one
 * line naming the first problem (missing file, truncated file, checksum mismatch).
 */
export async function verifyFiles(
  dir: string,
  manifest: CacheManifest,
  level: VerifyLevel = 'checksum',
): Promise<string | null> {
  for (const name of DATASET_FILES) {
    const expected = manifest.files[name] as ManifestFile;
    const path = join(dir, name);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      return `${name} is missing`;
    }
    if (size !== expected.sizeBytes) return `${name}: expected ${expected.sizeBytes} bytes, found ${size}`;
  }
  if (level === 'checksum') {
    for (const name of DATASET_FILES) {
      const expected = manifest.files[name] as ManifestFile;
      const actual = await sha256File(join(dir, name));
      if (actual !== expected.sha256) return `${name}: sha256 ${actual.slice(0, 12)}… differs from the manifest`;
    }
  }
  return null;
}
