/**
 * Two real processes seeding the same dataset into one cache directory at once: one generates,
 * the other waits for the published entry; both end with the same, complete entry.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';

const run = promisify(execFile);
const CACHED_DATASET = new URL('../src/cache/cached-dataset.ts', import.meta.url).href;
const DATASET_CACHE = new URL('../src/cache/dataset-cache.ts', import.meta.url).href;
const LOAD = new URL('../src/config/load.ts', import.meta.url).href;
const TINY = new URL('../configs/presets/tiny.yaml', import.meta.url).pathname;

/** One seeder: prints `<source> <entry dir>`. */
const CHILD = `
const { cachedDataset } = await import(${JSON.stringify(CACHED_DATASET)});
const { LocalDatasetCache } = await import(${JSON.stringify(DATASET_CACHE)});
const { loadConfig } = await import(${JSON.stringify(LOAD)});
const config = await loadConfig(${JSON.stringify(TINY)});
const cache = new LocalDatasetCache({ dir: process.argv[2], env: {}, lockPollMs: 20 });
const { source, entry } = await cachedDataset(config, { cache });
console.log(source, entry.dir);
`;

let dir: string;
let script: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xapi-db-load-cache-processes-'));
  // A file, not `-e`: the generator's worker threads inherit the parent's execArgv.
  script = join(`${dir}-seeder.mjs`);
  await writeFile(script, CHILD);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(script, { force: true });
});

it('two processes seeding one config concurrently: one generates, one waits, one entry', async () => {
  const seeders = [1, 2].map(() =>
    run(process.execPath, [script, dir], {
      env: { ...process.env, XAPI_DB_LOAD_CACHE_DIR: '' },
    }),
  );
  const outputs = (await Promise.all(seeders)).map((r) => r.stdout.trim().split(' '));
  expect(outputs.map(([source]) => source).sort()).toEqual(['generated', 'local']);
  expect(new Set(outputs.map(([, entry]) => entry)).size).toBe(1);
  const entries = await readdir(dir);
  expect(entries).toHaveLength(1);
  expect((await readdir(join(dir, entries[0] as string))).sort()).toEqual([
    'blocks.csv.gz',
    'courses.csv.gz',
    'external_ids.csv.gz',
    'manifest.json',
    'object_tags.csv.gz',
    'tags.csv.gz',
    'taxonomies.csv.gz',
    'user_profiles.csv.gz',
    'xapi.csv.gz',
  ]);
}, 120_000);
