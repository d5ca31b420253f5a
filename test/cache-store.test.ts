/**
 * The local dataset cache on its own, with a fake producer writing small files: concurrency,
 * corruption, LRU eviction, the restore/save interface, cache-dir resolution.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DATASET_FILES,
  LocalDatasetCache,
  MANIFEST_FILE,
  type ManifestInput,
  resolveCacheDir,
} from '../src/cache/index.ts';
import { TABLE_KEYS, type TableKey } from '../src/formats/tables.ts';

const ROWS = Object.fromEntries(TABLE_KEYS.map((k) => [k, 1])) as Record<TableKey, number>;
const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);
const HASH_C = 'c'.repeat(64);

function input(hash: string): ManifestInput {
  return { datasetHash: hash, hashInput: `["test","${hash.slice(0, 4)}"]`, dataFormatVersion: 1, rows: ROWS };
}

/** A producer that writes `bytes` bytes per file and counts its calls. */
function fakeProducer(hash: string, bytes = 100, delayMs = 0) {
  const calls = { count: 0 };
  return {
    calls,
    producer: {
      input: input(hash),
      async produce(dir: string) {
        calls.count++;
        if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
        for (const name of DATASET_FILES) await writeFile(join(dir, name), Buffer.alloc(bytes, name.length));
      },
    },
  };
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'xapi-db-load-cache-test-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function cache(extra: Partial<ConstructorParameters<typeof LocalDatasetCache>[0]> = {}, lines: string[] = []) {
  return new LocalDatasetCache({ dir: root, env: {}, log: (l) => lines.push(l), lockPollMs: 10, ...extra });
}

describe('LocalDatasetCache', () => {
  it('generates on a miss, then hits without generating', async () => {
    const c = cache();
    const { producer, calls } = fakeProducer(HASH_A);
    const first = await c.getOrCreate(HASH_A, producer);
    const second = await c.getOrCreate(HASH_A, producer);
    expect([first.hit, second.hit, calls.count]).toEqual([false, true, 1]);
    expect(second.entry.dir).toBe(join(root, HASH_A.slice(0, 16)));
    const manifest = JSON.parse(await readFile(join(second.entry.dir, MANIFEST_FILE), 'utf8'));
    expect(manifest).toMatchObject({ manifestVersion: 1, datasetHash: HASH_A, dataFormatVersion: 1, rows: ROWS });
    expect(Object.keys(manifest.files).sort()).toEqual([...DATASET_FILES].sort());
    expect(manifest.files['xapi.csv.gz']).toEqual({ sizeBytes: 100, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('misses for another hash', async () => {
    const c = cache();
    await c.getOrCreate(HASH_A, fakeProducer(HASH_A).producer);
    expect(await c.lookup(HASH_B)).toBeNull();
  });

  it('generates once when several callers seed the same hash concurrently', async () => {
    const { producer, calls } = fakeProducer(HASH_A, 100, 200);
    const results = await Promise.all([1, 2, 3, 4].map(() => cache().getOrCreate(HASH_A, producer)));
    expect(calls.count).toBe(1);
    expect(results.filter((r) => !r.hit)).toHaveLength(1);
    expect(new Set(results.map((r) => r.entry.dir)).size).toBe(1);
    // One entry, no temporary directory or lock left behind.
    expect(await readdir(root)).toEqual([HASH_A.slice(0, 16)]);
  });

  it('detects a truncated file, says so, and regenerates', async () => {
    const lines: string[] = [];
    const c = cache({}, lines);
    const { producer, calls } = fakeProducer(HASH_A);
    const { entry } = await c.getOrCreate(HASH_A, producer);
    await truncate(join(entry.dir, 'xapi.csv.gz'), 10);
    const again = await c.getOrCreate(HASH_A, producer);
    expect(again.hit).toBe(false);
    expect(calls.count).toBe(2);
    expect(lines).toContain(
      `xapi-db-load cache: entry ${HASH_A.slice(0, 16)} is corrupt (xapi.csv.gz: expected 100 bytes, found 10); removing it and regenerating`,
    );
  });

  it('detects same-size corruption by checksum', async () => {
    const lines: string[] = [];
    const c = cache({}, lines);
    const { producer } = fakeProducer(HASH_A);
    const { entry } = await c.getOrCreate(HASH_A, producer);
    await writeFile(join(entry.dir, 'tags.csv.gz'), Buffer.alloc(100, 0xff));
    expect(await c.lookup(HASH_A)).toBeNull();
    expect(lines[0]).toMatch(/is corrupt \(tags\.csv\.gz: sha256 [0-9a-f]{12}… differs from the manifest\)/);
  });

  it('treats a missing or broken manifest as corrupt', async () => {
    const c = cache();
    const { entry } = await c.getOrCreate(HASH_A, fakeProducer(HASH_A).producer);
    await writeFile(join(entry.dir, MANIFEST_FILE), '{ half');
    expect(await c.lookup(HASH_A)).toBeNull();
  });

  it('evicts least-recently-used entries beyond maxBytes and keeps the one in use', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const lines: string[] = [];
    // 8 files × 100 bytes = 800 bytes per entry; room for two.
    const now = () => {
      clock += 1000;
      return new Date(clock);
    };
    const c = cache({ maxBytes: 1_700, now }, lines);
    await c.getOrCreate(HASH_A, fakeProducer(HASH_A).producer);
    await c.getOrCreate(HASH_B, fakeProducer(HASH_B).producer);
    await c.getOrCreate(HASH_A, fakeProducer(HASH_A).producer); // touch A: B is now least recently used
    await c.getOrCreate(HASH_C, fakeProducer(HASH_C).producer);
    const left = (await c.entries()).map((e) => e.hash);
    expect(left.sort()).toEqual([HASH_A, HASH_C]);
    expect(await c.sizeBytes()).toBe(1_600);
    expect(lines.some((l) => l.startsWith(`xapi-db-load cache: evicted ${HASH_B.slice(0, 16)} (800 bytes`))).toBe(true);
  });

  it('restores to and saves from a directory (the interface remote stores implement)', async () => {
    const a = cache();
    await a.getOrCreate(HASH_A, fakeProducer(HASH_A).producer);
    const out = join(root, 'restored');
    expect(await a.restore(HASH_A, out)).toBe(true);
    expect(await a.restore(HASH_B, join(root, 'none'))).toBe(false);
    const otherRoot = join(root, 'other');
    const b = new LocalDatasetCache({ dir: otherRoot, env: {} });
    await b.save(HASH_A, out);
    expect((await b.lookup(HASH_A))?.manifest.datasetHash).toBe(HASH_A);
    // A directory whose files do not match its manifest is refused.
    await truncate(join(out, 'xapi.csv.gz'), 1);
    await expect(b.save(HASH_B, out)).rejects.toThrow('xapi.csv.gz: expected 100 bytes, found 1');
  });

  it('breaks a stale generation lock left by a dead process', async () => {
    const lines: string[] = [];
    const c = cache({ lockStaleMs: 200 }, lines);
    const lock = join(root, `.${HASH_A.slice(0, 16)}.lock`);
    await mkdir(root, { recursive: true });
    await writeFile(lock, '{"pid":999999}');
    const old = new Date(Date.now() - 10_000);
    await utimes(lock, old, old);
    const { producer, calls } = fakeProducer(HASH_A);
    const result = await c.getOrCreate(HASH_A, producer);
    expect([result.hit, calls.count]).toEqual([false, 1]);
    expect(lines.some((l) => l.includes('broke a stale generation lock'))).toBe(true);
  });

  it('cleans up and rethrows when the producer fails', async () => {
    const c = cache();
    const failing = {
      input: input(HASH_A),
      async produce() {
        throw new Error('generator exploded');
      },
    };
    await expect(c.getOrCreate(HASH_A, failing)).rejects.toThrow('generator exploded');
    expect(await readdir(root)).toEqual([]);
  });
});

describe('resolveCacheDir', () => {
  it.each([
    {
      what: 'XAPI_DB_LOAD_CACHE_DIR wins',
      options: { env: { XAPI_DB_LOAD_CACHE_DIR: '/x/cache' }, dir: '/y' },
      expected: '/x/cache',
    },
    { what: 'then the configured dir', options: { env: {}, dir: '/y' }, expected: '/y' },
    {
      what: 'then the nearest node_modules',
      options: { env: {}, cwd: join(process.cwd(), 'src', 'cache') },
      expected: join(process.cwd(), 'node_modules', '.cache', 'xapi-db-load'),
    },
    {
      what: 'then the OS cache dir',
      options: { env: { XDG_CACHE_HOME: '/xdg' }, cwd: '/' },
      expected: '/xdg/xapi-db-load',
    },
  ])('$what', ({ options, expected }) => {
    expect(resolveCacheDir(options)).toBe(expected);
  });
});
