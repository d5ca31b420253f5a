/**
 * `seedAspects` on the embedded engine (one chdb per process: every seed here uses its own
 * `databaseSuffix`), with a per-test cache directory and an injected generator that counts calls.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatasetGenerator, generateCsvDataset } from '../src/cache/index.ts';
import { ContainerUnavailableError } from '../src/clickhouse/connect.ts';
import { countRows } from '../src/clickhouse/counts.ts';
import { dropSchema } from '../src/clickhouse/schema.ts';
import { loadConfig } from '../src/config/load.ts';
import { loadDataset } from '../src/load/index.ts';
import { type SeedAspectsOptions, type SeededAspects, seedAspects } from '../src/testing/index.ts';
import { probeDocker } from '../src/testing/providers.ts';
import { fingerprints } from './support/fingerprint.ts';

/** The `tiny` preset's dataset, as `planDataset` computes it (see configs/presets/tiny.yaml). */
const TINY_COUNTS = {
  xapi_events_all: 8100,
  course_overviews: 12,
  course_blocks: 444,
  user_profile: 100,
  external_id: 50,
  tag: 29,
  taxonomy: 1,
  object_tag: 465,
};

/** `tiny` as an object (the YAML's keys), for variations. */
const TINY_OBJECT = {
  backend: 'csv',
  csv_output_destination: 'logs/',
  seed: 1,
  num_xapi_batches: 8,
  batch_size: 1000,
  num_workers: 2,
  start_date: '2023-01-01',
  end_date: '2023-12-31',
  course_length_days: 120,
  num_organizations: 2,
  num_actors: 50,
  num_actor_profile_changes: 2,
  num_course_publishes: 3,
  num_course_sizes: { small: 3, medium: 1 },
  course_size_makeup: {
    small: { actors: 20, problems: 10, videos: 5, chapters: 2, sequences: 4, verticals: 8, forum_posts: 10 },
    medium: { actors: 40, problems: 20, videos: 10, chapters: 3, sequences: 8, verticals: 16, forum_posts: 20 },
  },
};

let cacheDir: string;
const generated = { count: 0 };
/** The real generator, counted: a hit must never call it. */
const countingGenerator: DatasetGenerator = async (config, dir) => {
  generated.count++;
  await generateCsvDataset(config, dir);
};
const seeded: SeededAspects[] = [];

function options(extra: Partial<SeedAspectsOptions> = {}, lines: string[] = []): SeedAspectsOptions {
  return {
    provider: 'embedded',
    cache: { dir: cacheDir, env: {} },
    generate: countingGenerator,
    databaseSuffix: `t_${randomBytes(4).toString('hex')}`,
    log: (line) => lines.push(line),
    ...extra,
  };
}

async function seed(input: Parameters<typeof seedAspects>[0], opts: SeedAspectsOptions): Promise<SeededAspects> {
  const handle = await seedAspects(input, opts);
  seeded.push(handle);
  return handle;
}

async function scalar(aspects: SeededAspects, query: string): Promise<number> {
  const rs = await aspects.client.query({ query, format: 'JSONEachRow' });
  const rows = await rs.json<{ n: string | number }>();
  return Number(rows[0]?.n);
}

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'xapi-db-load-seed-test-'));
});
afterAll(async () => {
  for (const handle of seeded) {
    await dropSchema(handle.clickhouse, handle.names).catch(() => {});
    await handle.close();
  }
  await rm(cacheDir, { recursive: true, force: true });
});

describe('seedAspects (embedded)', () => {
  it('misses, generates and loads; then hits faster without generating', async () => {
    const before = generated.count;
    const missLines: string[] = [];
    const miss = await seed('tiny', options({}, missLines));
    expect(generated.count).toBe(before + 1);
    expect(miss.cacheHit).toBe(false);
    expect(miss.counts).toEqual(TINY_COUNTS);
    expect(miss.provider).toBe('embedded');
    expect(miss.datasetHash).toMatch(/^[0-9a-f]{64}$/);
    expect(missLines.some((l) => l.includes(`dataset ${miss.datasetHash.slice(0, 16)} generated into`))).toBe(true);

    const hitLines: string[] = [];
    const hit = await seed('tiny', options({}, hitLines));
    expect(generated.count).toBe(before + 1); // no generation on a hit
    expect(hit.cacheHit).toBe(true);
    expect(hit.counts).toEqual(TINY_COUNTS);
    expect(hit.datasetHash).toBe(miss.datasetHash);
    expect(hitLines.some((l) => l.includes('restored from the local cache'))).toBe(true);
    // The dataset step (generate vs verify a cache entry) is what the cache saves.
    console.log(
      `tiny dataset step: miss ${miss.timings.datasetMs.toFixed(0)} ms, hit ${hit.timings.datasetMs.toFixed(0)} ms; ` +
        `total: miss ${miss.timings.totalMs.toFixed(0)} ms, hit ${hit.timings.totalMs.toFixed(0)} ms`,
    );
    expect(hit.timings.datasetMs * 5).toBeLessThan(miss.timings.datasetMs);
  });

  it('gives a client on the Aspects schema with report tables filled', async () => {
    const aspects = await seed('tiny', options());
    const { xapi, reporting } = aspects.connection.databases;
    expect(aspects.connection).toEqual({
      kind: 'embedded',
      url: null,
      // The first seed of this process cloned a snapshot into a private data directory; later
      // seeds share that engine (chdb binds one directory per process).
      path: expect.stringMatching(/xapi-db-load-embedded-/),
      databases: { xapi, eventSink: aspects.names.eventSinkDb, reporting },
    });
    // The seeded dataset is fixed by the preset: these numbers are the dataset's, not the engine's.
    const registered = await scalar(
      aspects,
      `SELECT count() AS n FROM ${xapi}.xapi_events_all WHERE JSONExtractString(event, 'verb', 'id') LIKE '%/registered'`,
    );
    // At least one `registered` per initial enrollment: 3 small courses × 20 + 1 medium × 40 learners.
    expect(registered).toBeGreaterThanOrEqual(100);
    expect(registered).toBe(192);
    // The report table holds exactly one row per (course, learner) that ever enrolled.
    const pairs = await scalar(aspects, `SELECT uniqExact(course_key, actor_id) AS n FROM ${xapi}.enrollment_events`);
    const enrolled = await scalar(aspects, `SELECT count() AS n FROM ${reporting}.dim_most_recent_enrollment FINAL`);
    expect(enrolled).toBe(pairs);
    expect(enrolled).toBe(73);
  });

  it('misses when a generation key changes', async () => {
    const before = generated.count;
    const changed = await seed({ ...TINY_OBJECT, seed: 2 }, options());
    const tiny = seeded[0] as SeededAspects;
    expect(changed.cacheHit).toBe(false);
    expect(generated.count).toBe(before + 1);
    expect(changed.datasetHash).not.toBe(tiny.datasetHash);
  });

  it('two concurrent seeds of one config make one cache entry and both succeed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xapi-db-load-seed-concurrent-'));
    try {
      const before = generated.count;
      const config = { ...TINY_OBJECT, seed: 3 };
      const [a, b] = await Promise.all([
        seed(config, options({ cache: { dir, env: {} } })),
        seed(config, options({ cache: { dir, env: {} } })),
      ]);
      expect(generated.count).toBe(before + 1);
      expect([a.cacheHit, b.cacheHit].sort()).toEqual([false, true]);
      expect(a.counts).toEqual(b.counts);
      expect(await readdir(dir)).toEqual([a.datasetHash.slice(0, 16)]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('regenerates a truncated cache file and says so', async () => {
    const first = seeded[0] as SeededAspects;
    await truncate(join(first.datasetDir as string, 'xapi.csv.gz'), 100);
    const before = generated.count;
    const lines: string[] = [];
    const again = await seed('tiny', options({}, lines));
    expect(generated.count).toBe(before + 1);
    expect(again.cacheHit).toBe(false);
    expect(again.counts).toEqual(TINY_COUNTS);
    expect(
      lines.some((l) => /entry [0-9a-f]{16} is corrupt \(xapi\.csv\.gz: expected \d+ bytes, found 100\)/.test(l)),
    ).toBe(true);
  });

  it('auto picks embedded here and says why in one line', async () => {
    const docker = await probeDocker();
    if (docker.ok) return; // with Docker, auto picks the container (container test below)
    const lines: string[] = [];
    const aspects = await seed('tiny', options({ provider: 'auto', env: {} }, lines));
    expect(aspects.provider).toBe('embedded');
    const line = lines.find((l) => l.startsWith('xapi-db-load: provider auto'));
    expect(line).toMatch(/^xapi-db-load: provider auto → embedded \(chdb\): Docker is not available: .+$/);
  });

  it('seeds the aspects-dbt release of the aspectsVersion option', async () => {
    const v7 = await seed('tiny', options({ aspectsVersion: 'v7.0.0' }));
    expect(v7.names.aspectsVersion).toBe('7.0.0');
    // v7.0.0's dim_subsection_performance exists and holds rows; the default v8.0.0 has none.
    expect(
      await scalar(v7, `SELECT count() AS n FROM ${v7.names.reportingDb}.dim_subsection_performance`),
    ).toBeGreaterThan(0);
    const v8 = seeded[0] as SeededAspects;
    expect(v8.names.aspectsVersion).toBe('8.0.0');
    expect(
      await scalar(
        v8,
        `SELECT count() AS n FROM system.tables WHERE database = '${v8.names.reportingDb}' AND name = 'dim_subsection_performance'`,
      ),
    ).toBe(0);
    await expect(seedAspects('tiny', options({ aspectsVersion: '6' }))).rejects.toThrow(
      'aspectsVersion: got "6"; expected one of 7.0.0, 8.0.0',
    );
  });

  it('refuses an unknown preset name with the choices', async () => {
    await expect(seedAspects('huge', options())).rejects.toThrow(
      'config: got "huge"; expected a preset (tiny, small, medium), a path to a YAML file or an object',
    );
  });
});

describe('seedAspects (container)', async () => {
  const docker = await probeDocker();
  it.skipIf(!docker.ok)(
    `runs on a ClickHouse container${docker.ok ? '' : ` (skipped: Docker is not available: ${docker.reason})`}`,
    async () => {
      const aspects = await seed('tiny', options({ provider: 'container' }));
      expect(aspects.connection.kind).toBe('server');
      expect(aspects.counts).toEqual(TINY_COUNTS);
    },
  );

  it.runIf(!docker.ok)('asking for a container without Docker is one clear error', async () => {
    const error = await seedAspects('tiny', options({ provider: 'container' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContainerUnavailableError);
    expect((error as Error).message).toMatch(/^Docker is not available: /);
  });
});

describe('seedAspects (existing data)', () => {
  it('refuses to load twice into the same databases unless reset', async () => {
    const suffix = `twice_${randomBytes(4).toString('hex')}`;
    await seed('tiny', options({ databaseSuffix: suffix }));
    await expect(seedAspects('tiny', options({ databaseSuffix: suffix, reset: false }))).rejects.toThrow(
      /already hold \d+ rows; seeding again would duplicate them\. Pass `reset: true`/,
    );
    const again = await seed('tiny', options({ databaseSuffix: suffix, reset: true }));
    expect(again.counts).toEqual(TINY_COUNTS);
  });
});

describe('the server load path (files streamed through the client)', () => {
  it('gives the same tables, row for row, as the embedded file() load of the same cache entry', async () => {
    // Servers cannot read this machine's cache with file(); the streaming path is exercised here
    // on the embedded engine, whose client accepts the same insert calls.
    const source = await seed('tiny', options());
    const names = {
      xapiDb: `xapi_s_${randomBytes(3).toString('hex')}`,
      eventSinkDb: `event_sink_s_${randomBytes(3).toString('hex')}`,
      reportingDb: `reporting_s_${randomBytes(3).toString('hex')}`,
      rawTable: 'xapi_events_all',
    };
    const config = await loadConfig(new URL('../configs/presets/tiny.yaml', import.meta.url).pathname);
    try {
      const result = await loadDataset(
        {
          kind: 'csv',
          source: { kind: 'local', directory: source.datasetDir as string, from: 'test' },
          stream: 'always',
        },
        { clickhouse: source.clickhouse, names },
        {
          config: {
            ...config,
            dbName: names.xapiDb,
            dbEventSinkName: names.eventSinkDb,
            dbReportingName: names.reportingDb,
          },
        },
      );
      expect(result.verification).toBe('verified');
      expect(await countRows(source.clickhouse, names)).toEqual(TINY_COUNTS);
      const { xapi, eventSink, reporting } = source.connection.databases;
      expect(await fingerprints(source.clickhouse.client, names)).toEqual(
        await fingerprints(source.clickhouse.client, {
          xapiDb: xapi,
          eventSinkDb: eventSink,
          reportingDb: reporting,
          rawTable: 'xapi_events_all',
        }),
      );
    } finally {
      await dropSchema(source.clickhouse, names);
    }
  });
});
