/**
 * Loaded-database snapshots of the embedded engine (src/load/snapshot.ts through seedAspects):
 * a hit gives the same rows as a fresh load, copies in different processes are isolated (they
 * write, merge and mutate without touching the template or each other), and a stale or damaged
 * snapshot is rebuilt, never used.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCHEMA_NAMES } from '../src/clickhouse/schema.ts';
import { loadConfig } from '../src/config/load.ts';
import { EmbeddedSnapshots, SNAPSHOT_MANIFEST, type SnapshotManifest, snapshotKey } from '../src/load/snapshot.ts';
import { globalSeed, type SeedAspectsOptions, seedAspects, seedFromProvided } from '../src/testing/index.ts';
import { type TableFingerprints as Fingerprints, tableFingerprints } from './support/fingerprint.ts';

const run = promisify(execFile);
const TINY = new URL('../configs/presets/tiny.yaml', import.meta.url).pathname;
const DATABASES = [DEFAULT_SCHEMA_NAMES.xapiDb, DEFAULT_SCHEMA_NAMES.eventSinkDb, DEFAULT_SCHEMA_NAMES.reportingDb];
const TINY_STATEMENTS = 8100;

/**
 * A test file of its own: seeds `tiny` from the cache dir (argv[2]); with `write <marker>` it
 * then writes, merges and mutates its copy. Prints what it saw as JSON.
 */
const CHILD = `
const { seedAspects } = await import(${JSON.stringify(new URL('../src/testing/index.ts', import.meta.url).href)});
const { tableFingerprints } = await import(${JSON.stringify(new URL('./support/fingerprint.ts', import.meta.url).href)});
const [cacheDir, mode, marker] = process.argv.slice(2);
const options = { provider: 'embedded', cache: { dir: cacheDir, env: {} }, log: () => {} };
if (mode === 'concurrent') {
  // Two seeds at once in one process: one clones the snapshot, the other waits and shares that engine.
  const both = await Promise.all([seedAspects('tiny', options), seedAspects('tiny', { ...options, databaseSuffix: 'two' })]);
  console.log(JSON.stringify(both.map((a) => ({ snapshot: a.snapshot, path: a.connection.path, statements: a.counts.xapi_events_all }))));
  for (const a of both) await a.close();
  process.exit(0);
}
const started = performance.now();
const aspects = await seedAspects('tiny', options);
const seedMs = performance.now() - started;
const c = aspects.client;
const sql = (query) => c.command({ query, clickhouse_settings: { mutations_sync: '2' } });
const count = async (query) => Number((await (await c.query({ query, format: 'JSONEachRow' })).json())[0].n);
const out = { snapshot: aspects.snapshot, seedMs, path: aspects.connection.path };
if (mode === 'write') {
  await sql('CREATE TABLE xapi.marker (m String) ENGINE = MergeTree ORDER BY m');
  await sql(\`INSERT INTO xapi.marker VALUES ('\${marker}')\`);
  await sql('INSERT INTO xapi.xapi_events_all SELECT generateUUIDv4(), emission_time, event FROM xapi.xapi_events_all LIMIT 100');
  await sql('OPTIMIZE TABLE xapi.xapi_events_all FINAL');
  await sql("ALTER TABLE event_sink.course_overviews UPDATE display_name = 'changed' WHERE 1");
  await sql('ALTER TABLE xapi.problem_events DELETE WHERE 1');
  await sql('DELETE FROM event_sink.course_blocks WHERE 1');
  await sql('OPTIMIZE TABLE event_sink.course_blocks FINAL');
  out.markers = (await (await c.query({ query: 'SELECT m FROM xapi.marker ORDER BY m', format: 'JSONEachRow' })).json()).map((r) => r.m);
  out.statements = await count('SELECT count() AS n FROM xapi.xapi_events_all');
  out.courseBlocks = await count('SELECT count() AS n FROM event_sink.course_blocks');
  out.changedCourses = await count("SELECT count() AS n FROM event_sink.course_overviews WHERE display_name = 'changed'");
} else {
  out.fingerprints = await tableFingerprints(c, ['xapi', 'event_sink', 'reporting']);
  out.markerTables = await count("SELECT count() AS n FROM system.tables WHERE database = 'xapi' AND name = 'marker'");
}
await aspects.close();
console.log(JSON.stringify(out));
`;

let cacheDir: string;
let script: string;
let fresh: Fingerprints;

interface ChildResult {
  snapshot: string | null;
  statements?: number;
  seedMs: number;
  path: string;
  markers?: string[];
  courseBlocks?: number;
  changedCourses?: number;
  fingerprints?: Fingerprints;
  markerTables?: number;
}

async function child(...args: string[]): Promise<ChildResult> {
  const { stdout } = await run(process.execPath, [script, cacheDir, ...args], {
    env: { ...process.env, XAPI_DB_LOAD_CACHE_DIR: '' },
    maxBuffer: 1 << 24,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as ChildResult;
}

function options(lines: string[] = []): SeedAspectsOptions {
  return { provider: 'embedded', cache: { dir: cacheDir, env: {} }, log: (line) => lines.push(line) };
}

async function tinyKey() {
  return snapshotKey(await loadConfig(TINY), DEFAULT_SCHEMA_NAMES, (await seedInfo()).hash);
}

/** The dataset hash of tiny, without seeding. */
async function seedInfo() {
  const { datasetHash } = await import('../src/config/dataset-hash.ts');
  return { hash: datasetHash(await loadConfig(TINY)).hex };
}

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'xapi-db-load-snapshot-test-'));
  script = `${cacheDir}-child.mjs`;
  await writeFile(script, CHILD);
});
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
  await rm(script, { force: true });
});

// Each test starts engines in several processes: minutes on a busy shared machine.
describe('embedded snapshots', { timeout: 300_000 }, () => {
  it("the global setup builds once; a test file's copy and a fresh process's copy hold the rows of a fresh load", async () => {
    // Fresh load, no snapshot, in a data directory of its own.
    const freshDir = await mkdtemp(join(tmpdir(), 'xapi-db-load-fresh-'));
    try {
      const loaded = await seedAspects('tiny', { ...options(), snapshot: false, embeddedPath: freshDir });
      expect(loaded.snapshot).toBeNull();
      fresh = await tableFingerprints(loaded.client, DATABASES);
      await loaded.close();
    } finally {
      await rm(freshDir, { recursive: true, force: true });
    }
    // Every MergeTree table of the default (v8.0.0) schema but the ledger: v7.0.0's 34 without
    // dim_subsection_performance.
    expect(Object.keys(fresh)).toHaveLength(33);
    expect(fresh['xapi.xapi_events_all']?.rows).toBe(String(TINY_STATEMENTS));

    // What the Vitest/Jest global setups do: build the snapshot once, in a child process …
    const lines: string[] = [];
    const global = await globalSeed('tiny', {
      provider: 'embedded',
      cache: { dir: cacheDir, env: {} },
      log: (l) => lines.push(l),
    });
    expect(lines.some((l) => /snapshot [0-9a-f]{16} built in \d+ ms \(\d+ files/.test(l))).toBe(true);
    // … then each test file clones it into its own engine.
    const file = await seedFromProvided(global.provided);
    expect(file.snapshot).toBe('hit');
    expect(await tableFingerprints(file.client, DATABASES)).toEqual(fresh);
    const privateDir = file.connection.kind === 'embedded' ? file.connection.path : '';
    expect(privateDir).toMatch(/xapi-db-load-embedded-/);
    await file.close();
    await global.close();
    // The private copy goes with its handle; the template stays.
    await expect(readdir(privateDir)).rejects.toThrow(/ENOENT/);

    const hit = await child('read');
    expect(hit.snapshot).toBe('hit');
    expect(hit.fingerprints).toEqual(fresh);
  });

  it('two processes writing, merging and mutating their copies do not see each other, nor change the template', async () => {
    const [a, b] = await Promise.all([child('write', 'A'), child('write', 'B')]);
    expect(a.snapshot).toBe('hit');
    expect(b.snapshot).toBe('hit');
    expect(a.path).not.toBe(b.path);
    expect(a.markers).toEqual(['A']);
    expect(b.markers).toEqual(['B']);
    for (const r of [a, b]) {
      expect(r.statements).toBe(TINY_STATEMENTS + 100);
      expect(r.courseBlocks).toBe(0);
      expect(r.changedCourses).toBe(Number(fresh['event_sink.course_overviews']?.rows));
    }
    // Every template file still has its size and mtime (no write went through a hard link) …
    const snapshots = new EmbeddedSnapshots({ dir: join(cacheDir, 'snapshots') });
    expect(await snapshots.lookup(await tinyKey())).not.toBeNull();
    // … and a later copy holds exactly the loaded rows.
    const after = await child('read');
    expect(after.snapshot).toBe('hit');
    expect(after.markerTables).toBe(0);
    expect(after.fingerprints).toEqual(fresh);
  });

  it('two concurrent seeds in one process: one clones, the other shares its engine', async () => {
    const { stdout } = await run(process.execPath, [script, cacheDir, 'concurrent'], {
      env: { ...process.env, XAPI_DB_LOAD_CACHE_DIR: '' },
    });
    const [first, second] = JSON.parse(stdout.trim().split('\n').at(-1) as string) as ChildResult[];
    expect([first?.snapshot, second?.snapshot]).toEqual(['hit', null]);
    expect(second?.path).toBe(first?.path);
    expect(first?.statements).toBe(TINY_STATEMENTS);
    expect(second?.statements).toBe(TINY_STATEMENTS);
  });

  const damages: { what: string; damage: (dir: string) => Promise<void>; says: RegExp }[] = [
    {
      what: 'a truncated part file',
      damage: async (dir) => {
        const manifest = JSON.parse(await readFile(join(dir, SNAPSHOT_MANIFEST), 'utf8')) as SnapshotManifest;
        const part = manifest.files.find(([, size, , how]) => how === 'link' && size > 100);
        await truncate(join(dir, 'data', part?.[0] as string), 10);
      },
      says: /snapshot [0-9a-f]{16} removed: snapshot [0-9a-f]{16} is damaged \(store\/\S+: expected \d+ bytes, found 10\); removing it/,
    },
    {
      what: 'a snapshot built by another engine (stale key)',
      damage: async (dir) => {
        const file = join(dir, SNAPSHOT_MANIFEST);
        const manifest = JSON.parse(await readFile(file, 'utf8')) as SnapshotManifest;
        await writeFile(
          file,
          JSON.stringify({ ...manifest, keyParts: { ...manifest.keyParts, engine: 'chdb 0.0.1' } }),
        );
      },
      says: /snapshot [0-9a-f]{16} is stale or damaged \(built for another key\); removing it/,
    },
    {
      what: 'files that pass the checks but whose copy counts other rows',
      damage: async (dir) => {
        const file = join(dir, SNAPSHOT_MANIFEST);
        const manifest = JSON.parse(await readFile(file, 'utf8')) as SnapshotManifest;
        await writeFile(file, JSON.stringify({ ...manifest, counts: { ...manifest.counts, tag: 1 } }));
      },
      says: /snapshot [0-9a-f]{16} removed: copy of snapshot [0-9a-f]{16} has other counts: tag expected 1, found 29; removing it/,
    },
  ];

  it.each(damages)('rebuilds $what, never uses it', async ({ damage, says }) => {
    const key = await tinyKey();
    const dir = join(cacheDir, 'snapshots', key.short);
    await damage(dir);
    const lines: string[] = [];
    const rebuilt = await seedAspects('tiny', options(lines));
    try {
      expect(lines.some((l) => says.test(l))).toBe(true);
      expect(rebuilt.snapshot).toBe('built');
      expect(rebuilt.cacheHit).toBe(true); // the dataset files were reused, only the load ran again
      expect(await tableFingerprints(rebuilt.client, DATABASES)).toEqual(fresh);
    } finally {
      await rebuilt.close();
    }
  });

  it('keys the loaded state by load options, names, aspects version, engine and dataset', async () => {
    const config = await loadConfig(TINY);
    const { hash } = await seedInfo();
    const base = snapshotKey(config, DEFAULT_SCHEMA_NAMES, hash, 'chdb 1');
    expect(base.short).toMatch(/^[0-9a-f]{16}$/);
    const others = [
      snapshotKey({ ...config, optimizeFinal: !config.optimizeFinal }, DEFAULT_SCHEMA_NAMES, hash, 'chdb 1'),
      snapshotKey({ ...config, xapiLoadOrder: 'generation' }, DEFAULT_SCHEMA_NAMES, hash, 'chdb 1'),
      snapshotKey(config, { ...DEFAULT_SCHEMA_NAMES, xapiDb: 'xapi_other' }, hash, 'chdb 1'),
      snapshotKey(config, DEFAULT_SCHEMA_NAMES, hash, 'chdb 2'),
      snapshotKey(config, DEFAULT_SCHEMA_NAMES, `${'0'.repeat(63)}1`, 'chdb 1'),
      snapshotKey(config, { ...DEFAULT_SCHEMA_NAMES, aspectsVersion: '7.0.0' }, hash, 'chdb 1'),
    ];
    expect(new Set([base.hex, ...others.map((k) => k.hex)]).size).toBe(7);
    // Absent = the default release: the same key as naming it.
    expect(snapshotKey(config, { ...DEFAULT_SCHEMA_NAMES, aspectsVersion: '8.0.0' }, hash, 'chdb 1').hex).toBe(
      base.hex,
    );
    expect(others.at(-1)?.parts.aspectsDbt).toBe('v7.0.0');
  });
});
