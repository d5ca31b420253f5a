/**
 * CSV → S3 → ClickHouse: the csv backend writes to an S3-protocol server on 127.0.0.1 (s3rver,
 * started here) through `s3_endpoint`, and the embedded engine (chdb) loads the objects with
 * `s3()`. chdb reaches a path-style endpoint on 127.0.0.1 with no special settings.
 * One chdb engine per process: every load here uses its own randomly named databases.
 */

import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsvSink } from '../src/backends/csv.ts';
import { type ClickHouse, createClickHouse } from '../src/clickhouse/connect.ts';
import { countRows } from '../src/clickhouse/counts.ts';
import { DEFAULT_SCHEMA_NAMES, initSchema, schemaNamesFromConfig } from '../src/clickhouse/schema.ts';
import { resolveConfig } from '../src/config/index.ts';
import type { Config } from '../src/config/types.ts';
import { ConfigError, VerificationError } from '../src/errors.ts';
import { TABLE_KEYS, TABLES } from '../src/formats/tables.ts';
import { planDataset } from '../src/generate/dataset.ts';
import { buildWorld } from '../src/generate/world.ts';
import {
  bulkLoadCsv,
  type CsvBulkLoadResult,
  csvSourceFromConfig,
  formatBulkLoadSummary,
  joinUrl,
  renderCsvLoadStatements,
  runCsvBulkLoad,
} from '../src/load/csv.ts';
import { runLoadDb } from '../src/run/runner.ts';
import { MIN_PART_SIZE_BYTES, s3Destination, s3SettingsFromConfig } from '../src/storage/s3.ts';
import { S3RVER_KEY, type StartedS3Server, startS3Server, TEST_SECRET } from './support/s3-server.ts';

const BUCKET = 'aspects';
let server: StartedS3Server;
let ch: ClickHouse;
const dirs: string[] = [];

beforeAll(async () => {
  server = await startS3Server();
  await server.createBucket(BUCKET);
  ch = await createClickHouse({ kind: 'embedded' });
});
afterAll(async () => {
  await ch?.close();
  await server?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'xdl-s3-load-'));
  dirs.push(dir);
  return dir;
}

/** A config writing to `destination`, loading into fresh databases of the embedded engine. */
function makeConfig(destination: string, overrides: Record<string, unknown> = {}): Config {
  const id = randomBytes(4).toString('hex');
  return resolveConfig(
    {
      backend: 'csv',
      csv_output_destination: destination,
      s3_endpoint: server.endpoint,
      s3_key: S3RVER_KEY,
      s3_secret: TEST_SECRET,
      db_host: 'embedded',
      db_name: `xapi_${id}`,
      db_event_sink_name: `event_sink_${id}`,
      db_reporting_name: `reporting_${id}`,
      num_xapi_batches: 3,
      batch_size: 100,
      num_workers: 2,
      start_date: '2020-01-01',
      end_date: '2021-01-01',
      course_length_days: 60,
      num_organizations: 2,
      num_actors: 20,
      num_course_sizes: { small: 2 },
      course_size_makeup: {
        small: { actors: 6, problems: 5, videos: 4, chapters: 2, sequences: 3, verticals: 3, forum_posts: 3 },
      },
      ...overrides,
    },
    { source: 'test' },
  );
}

/** Rows per table in `result`, keyed by the table's file. */
function loadedByFile(result: CsvBulkLoadResult): Record<string, number> {
  return Object.fromEntries(result.tables.map((t) => [TABLES[t.table].csvFile, t.loaded]));
}

describe('csv backend to S3, loaded with s3() into the embedded engine', () => {
  // 64,000 random statements make an xapi.csv.gz of about 6 MiB: more than one 5 MiB part.
  const big = { num_xapi_batches: 64, batch_size: 1000 };
  const logs: string[] = [];
  const log = (line: string) => logs.push(line);
  let localDir: string;
  let localConfig: Config;
  let s3Config: Config;
  let s3Result: CsvBulkLoadResult;

  beforeAll(async () => {
    localDir = await tempDir();
    localConfig = makeConfig(localDir, big);
    s3Config = makeConfig(`s3://${BUCKET}/round-trip`, big);
    await runLoadDb(localConfig);
    const sink = createCsvSink(
      s3Config,
      s3Destination(s3Config.csvOutputDestination as string, s3SettingsFromConfig(s3Config), {
        partSizeBytes: MIN_PART_SIZE_BYTES,
      }),
    );
    const run = await runLoadDb(s3Config, { sink, log });
    await initSchema(ch, schemaNamesFromConfig(s3Config, s3Config.dbReportingName));
    s3Result = await bulkLoadCsv(ch, s3Config, { plan: run.plan, log });
  }, 240_000);

  it('writes S3 objects byte-identical to the files of a local run of the same config and seed', async () => {
    expect(await server.listKeys(BUCKET, 'round-trip/')).toEqual(
      TABLE_KEYS.map((k) => `round-trip/${TABLES[k].csvFile}`).sort(),
    );
    for (const key of TABLE_KEYS) {
      const name = TABLES[key].csvFile;
      const local = await readFile(join(localDir, name));
      const remote = await server.getObject(BUCKET, `round-trip/${name}`);
      expect(remote.equals(local), name).toBe(true);
    }
  });

  it('uploads xapi.csv.gz (larger than one part) as a multipart upload', async () => {
    const size = (await readFile(join(localDir, 'xapi.csv.gz'))).byteLength;
    expect(size).toBeGreaterThan(MIN_PART_SIZE_BYTES);
    expect(server.created.find((c) => c.key === 'round-trip/xapi.csv.gz')?.how).toBe('Post');
  });

  it('loads every table with exactly the rows of the plan', async () => {
    expect(s3Result.verification).toBe('verified');
    for (const t of s3Result.tables) expect(t.loaded, t.target).toBe(t.expected);
    // E initial enrollments + 64 batches of 1,000.
    expect(s3Result.tables.find((t) => t.table === 'xapi')?.loaded).toBeGreaterThan(64_000);
    const counts = await countRows(ch, schemaNamesFromConfig(s3Config, s3Config.dbReportingName));
    expect(counts.xapi_events_all).toBe(s3Result.tables.find((t) => t.table === 'xapi')?.expected);
  });

  it('loads event-sink tables first, xAPI last, logging URLs without credentials', () => {
    const inserts = logs.filter((l) => l.startsWith('Inserting from '));
    expect(inserts).toHaveLength(8);
    expect(inserts[7]).toBe(
      `Inserting from ${server.endpoint}/${BUCKET}/round-trip/xapi.csv.gz into ${s3Config.dbName}.xapi_events_all`,
    );
    expect(inserts[0]).toContain(`into ${s3Config.dbEventSinkName}.course_overviews`);
    expect(logs.join('\n')).not.toContain(TEST_SECRET);
    expect(formatBulkLoadSummary(s3Result)).not.toContain(TEST_SECRET);
  });

  it('gives the same counts as loading the local files with file()', async () => {
    const local = await runCsvBulkLoad(localConfig, { clickhouse: ch });
    expect(local.verification).toBe('verified');
    expect(loadedByFile(local)).toEqual(loadedByFile(s3Result));
    const a = await countRows(ch, schemaNamesFromConfig(localConfig, localConfig.dbReportingName));
    const b = await countRows(ch, schemaNamesFromConfig(s3Config, s3Config.dbReportingName));
    expect(a).toEqual(b);
  });
});

describe('load-only (load-db-from-s3) from S3', () => {
  let written: Config;

  beforeAll(async () => {
    written = makeConfig(`s3://${BUCKET}/small/`);
    await runLoadDb(written);
  }, 120_000);

  it('verifies against the config when the files were generated from it', async () => {
    const result = await runCsvBulkLoad(makeConfig(`s3://${BUCKET}/small/`), { clickhouse: ch });
    expect(result.verification).toBe('verified');
    expect(result.note).toMatch(/the files' first event id matches/);
    for (const t of result.tables) expect(t.loaded).toBe(t.expected);
  });

  it('reads s3_source_location (https URL, no trailing slash) rather than the destination', async () => {
    const config = makeConfig('unused-local-dir/', { s3_source_location: `${server.endpoint}/${BUCKET}/small` });
    const result = await runCsvBulkLoad(config, { clickhouse: ch });
    expect(result.source).toBe(`${server.endpoint}/${BUCKET}/small/`);
    expect(result.verification).toBe('verified');
  });

  it('reports counts without verifying when the files come from another config', async () => {
    const result = await runCsvBulkLoad(makeConfig(`s3://${BUCKET}/small/`, { seed: 99 }), { clickhouse: ch });
    expect(result.verification).toBe('reported');
    expect(result.note).toMatch(/^not verified: the files were not generated from this config/);
    expect(result.tables.every((t) => t.expected === null)).toBe(true);
    expect(result.tables.find((t) => t.table === 'tags')?.loaded).toBe(29);
    expect(formatBulkLoadSummary(result)).toMatch(/not verified/);
  });

  it('fails with the counts when the files hold a different dataset size than the run says', async () => {
    const config = makeConfig(`s3://${BUCKET}/small/`);
    await initSchema(ch, schemaNamesFromConfig(config, config.dbReportingName));
    const plan = planDataset(buildWorld(makeConfig('unused/', { num_xapi_batches: 4 })));
    const result = bulkLoadCsv(ch, config, { plan });
    await expect(result).rejects.toThrowError(VerificationError);
    await expect(result).rejects.toThrowError(
      new RegExp(
        `Verification failed on .*: 1 of 8 tables .*${config.dbName}\\.xapi_events_all expected [0-9,]+, found [0-9,]+`,
      ),
    );
  });

  it('lists every missing file before loading anything', async () => {
    for (const key of ['courses.csv.gz', 'blocks.csv.gz', 'tags.csv.gz', 'taxonomies.csv.gz', 'external_ids.csv.gz']) {
      await server.putObject(BUCKET, `partial/${key}`, await server.getObject(BUCKET, `small/${key}`));
    }
    const config = makeConfig(`s3://${BUCKET}/partial/`);
    const names = schemaNamesFromConfig(config, config.dbReportingName);
    await initSchema(ch, names);
    await expect(bulkLoadCsv(ch, config)).rejects.toThrowError(
      `Cannot load: 3 of 8 CSV files missing at ${server.endpoint}/${BUCKET}/partial/ (csv_output_destination): object_tags.csv.gz, user_profiles.csv.gz, xapi.csv.gz.`,
    );
    expect((await countRows(ch, names)).course_overviews).toBe(0);
  });

  it('says so when no file is there, or the bucket does not exist', async () => {
    await expect(runCsvBulkLoad(makeConfig(`s3://${BUCKET}/nothing-here/`), { clickhouse: ch })).rejects.toThrowError(
      /8 of 8 CSV files missing at .*\/nothing-here\/ .* No file was found: check csv_output_destination/,
    );
    await expect(runCsvBulkLoad(makeConfig('s3://no-such-bucket/x/'), { clickhouse: ch })).rejects.toThrowError(
      `Cannot load: bucket "no-such-bucket" does not exist at endpoint ${server.endpoint} (csv_output_destination: s3://no-such-bucket/x/)`,
    );
  });
});

describe('CSV load SQL and sources', () => {
  const source = { kind: 'url' as const, baseUrl: 'https://b.s3.us-east-1.amazonaws.com/run/', from: 'x' };

  it('binds URL, key, secret and structure; names only validated identifiers', () => {
    const [first, ...rest] = renderCsvLoadStatements(source, DEFAULT_SCHEMA_NAMES, {
      credentials: { key: 'AKIA', secret: TEST_SECRET },
      cluster: null,
      chronological: true,
    });
    expect(first?.query).toBe(
      'INSERT INTO event_sink.course_overviews (`org`, `course_key`, `display_name`, `course_start`, `course_end`, ' +
        '`enrollment_start`, `enrollment_end`, `self_paced`, `course_data_json`, `created`, `modified`, `dump_id`, ' +
        '`time_last_dumped`) SELECT `org`, `course_key`, `display_name`, `course_start`, `course_end`, `enrollment_start`, ' +
        '`enrollment_end`, `self_paced`, `course_data_json`, `created`, `modified`, `dump_id`, `time_last_dumped` ' +
        "FROM s3({location:String}, {s3_key:String}, {s3_secret:String}, 'CSV', {structure:String})",
    );
    expect(first?.params).toMatchObject({
      location: 'https://b.s3.us-east-1.amazonaws.com/run/courses.csv.gz',
      s3_key: 'AKIA',
      s3_secret: TEST_SECRET,
    });
    const xapi = rest.at(-1);
    expect(xapi?.target).toBe('xapi.xapi_events_all');
    expect(xapi?.query).toMatch(/ORDER BY `emission_time`, `event_id`$/);
    for (const s of [first, ...rest]) expect(s?.query).not.toContain(TEST_SECRET);
  });

  it('uses s3Cluster with db_cluster, no credentials when none are set, file() for a directory', () => {
    const [clustered] = renderCsvLoadStatements(source, DEFAULT_SCHEMA_NAMES, {
      credentials: null,
      cluster: 'aspects_cluster',
      chronological: false,
    });
    expect(clustered?.query).toMatch(
      /FROM s3Cluster\('aspects_cluster', \{location:String\}, 'CSV', \{structure:String\}\)$/,
    );
    const local = renderCsvLoadStatements({ kind: 'local', directory: '/data/run', from: 'x' }, DEFAULT_SCHEMA_NAMES, {
      credentials: { key: 'AKIA', secret: TEST_SECRET },
      cluster: null,
      chronological: false,
    });
    expect(local.at(-1)?.query).toMatch(/FROM file\(\{location:String\}, 'CSV', \{structure:String\}\)$/);
    expect(local.at(-1)?.params).toEqual({ location: '/data/run/xapi.csv.gz', structure: expect.any(String) });
  });

  it('rejects names that are not identifiers', () => {
    expect(() =>
      renderCsvLoadStatements(
        source,
        { ...DEFAULT_SCHEMA_NAMES, xapiDb: 'x; DROP' },
        { credentials: null, cluster: null, chronological: false },
      ),
    ).toThrowError(ConfigError);
  });

  it.each([
    { base: 'https://b.example.com/logs/run1', expected: 'https://b.example.com/logs/run1/xapi.csv.gz' },
    { base: 'https://b.example.com/logs/run1/', expected: 'https://b.example.com/logs/run1/xapi.csv.gz' },
  ])('joins $base with a normalized slash (quirk Q14)', ({ base, expected }) => {
    expect(joinUrl(base, 'xapi.csv.gz')).toBe(expected);
  });

  const sourceOf = (overrides: Record<string, unknown>) =>
    csvSourceFromConfig({
      backend: 'csv',
      s3SourceLocation: null,
      csvOutputDestination: null,
      s3Endpoint: null,
      s3Region: 'eu-west-1',
      s3Key: null,
      s3Secret: null,
      ...overrides,
    } as Config);

  it.each([
    {
      what: 'an s3:// destination on AWS (virtual-hosted)',
      overrides: { csvOutputDestination: 's3://bucket/p/' },
      url: 'https://bucket.s3.eu-west-1.amazonaws.com/p/',
    },
    {
      what: 'a dotted bucket on AWS (path-style)',
      overrides: { csvOutputDestination: 's3://my.bucket/p/' },
      url: 'https://s3.eu-west-1.amazonaws.com/my.bucket/p/',
    },
    {
      what: 'an s3:// source on s3_endpoint (path-style)',
      overrides: { s3SourceLocation: 's3://bucket/p/', s3Endpoint: 'http://minio:9000/' },
      url: 'http://minio:9000/bucket/p/',
    },
    {
      what: 'an https source as given',
      overrides: { s3SourceLocation: 'https://x.example.com/p/', csvOutputDestination: 's3://other/' },
      url: 'https://x.example.com/p/',
    },
  ])('resolves $what', ({ overrides, url }) => {
    expect(sourceOf(overrides)).toMatchObject({ kind: 'url', baseUrl: url });
  });

  it('resolves a local destination to a directory and rejects glob characters', () => {
    expect(sourceOf({ csvOutputDestination: '/tmp/out/' })).toEqual({
      kind: 'local',
      directory: '/tmp/out',
      from: 'csv_output_destination',
    });
    expect(() => sourceOf({ s3SourceLocation: 'https://x.example.com/run*/' })).toThrowError(
      /s3_source_location: got "https:\/\/x.example.com\/run\*\/"; the folder must not contain/,
    );
    expect(() => sourceOf({ backend: 'clickhouse' })).toThrowError(/s3_source_location: missing/);
  });

  it('refuses local files for a ClickHouse server, which cannot read them', async () => {
    const server = { kind: 'url', description: 'ClickHouse server at http://ch:8123' } as ClickHouse;
    await expect(bulkLoadCsv(server, makeConfig('/tmp/out/'))).rejects.toThrowError(
      /only the embedded engine \(db_host: embedded\) can load local files, ClickHouse server at http:\/\/ch:8123 cannot read them/,
    );
  });
});
