/**
 * The clickhouse backend against the embedded engine (chdb): real SQL, real materialized views.
 * chdb binds one data directory per process, so every load in this file uses ONE directory,
 * each with its own randomly named databases; CLI runs are child processes with their own.
 */

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouseSink } from '../src/backends/clickhouse.ts';
import type { Sink } from '../src/backends/sink.ts';
import { firstCsvRow, packDays } from '../src/clickhouse/bulk.ts';
import { type ClickHouse, createClickHouse } from '../src/clickhouse/connect.ts';
import { formatInitSchemaReport, initSchemaWithReport } from '../src/clickhouse/init-report.ts';
import { createMonthFiles, formatMonth } from '../src/clickhouse/month-files.ts';
import { ASPECTS_DBT_VERSION, initSchema, type SchemaNames, schemaNamesFromConfig } from '../src/clickhouse/schema.ts';
import { resolveConfig } from '../src/config/index.ts';
import type { Config } from '../src/config/types.ts';
import { SinkError, VerificationError, XapiDbLoadError } from '../src/errors.ts';
import { TABLE_KEYS } from '../src/formats/tables.ts';
import { planDataset, xapiChunk } from '../src/generate/dataset.ts';
import { buildWorld } from '../src/generate/world.ts';
import { TargetNotEmptyError } from '../src/load/guard.ts';
import { countLoadedTables } from '../src/load/verify.ts';
import { runLoadDb } from '../src/run/runner.ts';
import { formatSummary } from '../src/run/summary.ts';

const run = promisify(execFile);
const CLI = new URL('../src/cli.ts', import.meta.url).pathname;

let dir: string;
let ch: ClickHouse;
const dirs: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xdl-ch-backend-'));
  dirs.push(dir);
  ch = await createClickHouse({ kind: 'embedded', path: join(dir, 'chdb') });
});

afterAll(async () => {
  await ch?.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A small dataset (2 courses, ~1,000 statements) into fresh databases of the shared engine. */
function smallConfig(overrides: Record<string, unknown> = {}): Config {
  const id = randomBytes(4).toString('hex');
  return resolveConfig(
    {
      backend: 'clickhouse',
      db_host: `embedded:${join(dir, 'chdb')}`,
      db_name: `xapi_${id}`,
      db_event_sink_name: `event_sink_${id}`,
      db_reporting_name: `reporting_${id}`,
      optimize_final: false,
      num_xapi_batches: 5,
      batch_size: 200,
      num_workers: 2,
      start_date: '2020-01-01',
      end_date: '2021-06-01',
      course_length_days: 90,
      num_organizations: 2,
      num_actors: 20,
      num_actor_profile_changes: 2,
      num_course_publishes: 3,
      num_course_sizes: { small: 2 },
      course_size_makeup: {
        small: { actors: 8, problems: 6, videos: 4, chapters: 2, sequences: 3, verticals: 4, forum_posts: 3 },
      },
      ...overrides,
    },
    { source: 'clickhouse-backend.test' },
  );
}

const namesOf = (config: Config): SchemaNames => schemaNamesFromConfig(config, config.dbReportingName);

async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const rs = await ch.client.query({ query, query_params: params, format: 'JSONEachRow' });
  return rs.json<T>();
}

async function count(query: string, params: Record<string, unknown> = {}): Promise<number> {
  const [row] = await rows<{ n: string }>(query, params);
  return Number(row?.n);
}

/** Rows of the raw table whose verb is one of `verbs`, read from the statement JSON itself. */
async function rawWithVerbs(names: SchemaNames, verbs: readonly string[]): Promise<number> {
  return count(
    `SELECT count() AS n FROM ${names.xapiDb}.${names.rawTable} WHERE JSON_VALUE(event, '$.verb.id') IN {verbs:Array(String)}`,
    { verbs },
  );
}

async function stagingTables(names: SchemaNames): Promise<string[]> {
  const found = await rows<{ name: string }>(
    "SELECT name FROM system.tables WHERE database = {db:String} AND name LIKE '\\_xapi\\_db\\_load\\_staging%'",
    { db: names.xapiDb },
  );
  return found.map((r) => r.name);
}

const VERB = {
  registered: 'http://adlnet.gov/expapi/verbs/registered',
  unregistered: 'http://id.tincanapi.com/verb/unregistered',
  evaluated: 'https://w3id.org/xapi/acrossx/verbs/evaluated',
  passed: 'http://adlnet.gov/expapi/verbs/passed',
  asked: 'http://adlnet.gov/expapi/verbs/asked',
  navigated: 'https://w3id.org/xapi/dod-isd/verbs/navigated',
  played: 'https://w3id.org/xapi/video/verbs/played',
};

describe('chronological helpers', () => {
  const row = (id: number, time: string) => `${String(id).padStart(8, '0')}-0000-4000-8000-000000000000,${time},"{}"\n`;

  it('month files split rows by emission month and pack whole months into ranges', async () => {
    const temp = await mkdtemp(join(tmpdir(), 'xdl-months-'));
    dirs.push(temp);
    const files = createMonthFiles(temp);
    await files.add(Buffer.from(row(1, '2020-03-05 10:00:00+00:00') + row(2, '2019-12-31 23:59:59+00:00')));
    await files.add(Buffer.from(row(3, '2020-03-01 00:00:00+00:00') + row(4, '2020-01-15 08:00:00+00:00')));
    await files.finish();
    expect(files.rows).toBe(4);
    expect((await readdir(temp)).sort()).toEqual(['xapi-201912.csv', 'xapi-202001.csv', 'xapi-202003.csv']);
    const one = files.ranges(Number.MAX_SAFE_INTEGER);
    expect(one.map((r) => [r.first, r.last, r.rows])).toEqual([[201912, 202003, 4]]);
    expect(one[0]?.path).toBe(join(temp, 'xapi-{201912,202001,202003}.csv'));
    const each = files.ranges(1);
    expect(each.map((r) => [r.first, r.last, r.rows])).toEqual([
      [201912, 201912, 1],
      [202001, 202001, 1],
      [202003, 202003, 2],
    ]);
    expect(formatMonth(202003)).toBe('2020-03');
  });

  it('month files reject a row that is not <uuid>,<time>,…', async () => {
    const temp = await mkdtemp(join(tmpdir(), 'xdl-months-'));
    dirs.push(temp);
    await expect(createMonthFiles(temp).add(Buffer.from('not-a-uuid,2020-01-01,"{}"\n'))).rejects.toThrow(
      /unexpected xAPI CSV row/,
    );
  });

  it('staging moves pack whole days into ranges of at least the target rows', () => {
    const days = [
      { day: '2020-01-01', rows: 3 },
      { day: '2020-01-02', rows: 1 },
      { day: '2020-01-05', rows: 5 },
      { day: '2020-02-01', rows: 1 },
    ];
    expect(packDays(days, 4)).toEqual([
      { first: '2020-01-01', last: '2020-01-02', rows: 4 },
      { first: '2020-01-05', last: '2020-01-05', rows: 5 },
      { first: '2020-02-01', last: '2020-02-01', rows: 1 },
    ]);
    expect(packDays([], 4)).toEqual([]);
  });

  it('reads the first CSV row with quoted fields', () => {
    expect(firstCsvRow(Buffer.from('a,"b, ""c""",,d\nx,y\n'))).toEqual(['a', 'b, "c"', '', 'd']);
  });
});

describe('clickhouse backend: a load', () => {
  let config: Config;
  let names: SchemaNames;
  let result: Awaited<ReturnType<typeof runLoadDb>>;
  const lines: string[] = [];

  beforeAll(async () => {
    config = smallConfig({ optimize_final: true });
    names = namesOf(config);
    result = await runLoadDb(config, { log: (line) => lines.push(line) });
  });

  it('leaves every table with exactly the rows of the plan', async () => {
    const counts = await countLoadedTables(ch, names);
    for (const key of TABLE_KEYS) expect(counts[key], key).toBe(result.plan.tables[key].rows);
    expect(result.plan.tables.xapi.rows).toBe(result.plan.enrollmentStatements + 1000);
    expect(result.summary.clickhouse?.counts).toEqual(counts);
  });

  it('fills the parsed and per-domain tables in agreement with the raw table', async () => {
    const raw = `${names.xapiDb}.${names.rawTable}`;
    expect(await count(`SELECT count() AS n FROM ${names.xapiDb}.xapi_events_all_parsed`)).toBe(
      await count(`SELECT count() AS n FROM ${raw}`),
    );
    const enrollments = await rawWithVerbs(names, [VERB.registered, VERB.unregistered]);
    expect(enrollments).toBeGreaterThanOrEqual(result.plan.enrollmentStatements);
    expect(await count(`SELECT count() AS n FROM ${names.xapiDb}.enrollment_events`)).toBe(enrollments);
    const problems = await rawWithVerbs(names, [VERB.evaluated, VERB.passed, VERB.asked]);
    expect(problems).toBeGreaterThan(0);
    expect(await count(`SELECT count() AS n FROM ${names.xapiDb}.problem_events`)).toBe(problems);
    const navigation = await rawWithVerbs(names, [VERB.navigated]);
    expect(navigation).toBeGreaterThan(0);
    expect(await count(`SELECT count() AS n FROM ${names.xapiDb}.navigation_events`)).toBe(navigation);
  });

  it('keeps the latest enrollment per learner: statements reached the views in time order', async () => {
    expect(await staleEnrollments(names)).toBe(0);
    expect(await count(`SELECT count() AS n FROM ${names.reportingDb}.dim_most_recent_enrollment FINAL`)).toBe(
      await count(
        `SELECT count() AS n FROM (SELECT DISTINCT org, course_key, actor_id FROM ${names.xapiDb}.enrollment_events)`,
      ),
    );
  });

  it('drops its staging table and reports headline numbers read back from the reporting tables', async () => {
    expect(await stagingTables(names)).toEqual([]);
    const headlines = result.summary.clickhouse?.headlines;
    expect(headlines?.problemAttempts).toBe(await rawWithVerbs(names, [VERB.evaluated]));
    expect(headlines?.videoPlays).toBe(await rawWithVerbs(names, [VERB.played]));
    expect(headlines?.enrolledLearners).toBe(
      await count(
        `SELECT count() AS n FROM ${names.reportingDb}.dim_most_recent_enrollment FINAL WHERE enrollment_status = 'registered'`,
      ),
    );
    expect(headlines?.enrolledLearners).toBeGreaterThan(0);
    const summary = formatSummary(result);
    expect(summary).toMatch(/table\s+rows\s+expected\s+in ClickHouse/);
    const planned = result.plan.tables.xapi.rows.toLocaleString('en-US');
    expect(summary).toMatch(new RegExp(`xapi_events_all\\s+${planned}\\s+${planned}\\s+${planned}\\s`));
    expect(summary).toContain(`Aspects reports: ${headlines?.enrolledLearners} learners enrolled`);
    expect(summary).toContain(`problem attempts (${names.xapiDb}.problem_events)`);
    expect(lines.join('\n')).toMatch(/Loading [\d,]+ xAPI statements into .* in time order/);
    expect(lines.join('\n')).toContain('OPTIMIZE');
  });

  it('refuses to load the same dataset into the same tables again, before writing anything', async () => {
    const error = await runLoadDb(config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetNotEmptyError);
    const message = (error as TargetNotEmptyError).message;
    expect(message).toContain('already loaded (complete)');
    expect(message).toContain('Nothing was written');
    // Only advice that cannot mix two datasets (D6): never "change seed".
    expect(message).toContain('--reset');
    expect(message).not.toMatch(/change seed/);
    const counts = await countLoadedTables(ch, names);
    for (const key of TABLE_KEYS) expect(counts[key], key).toBe(result.plan.tables[key].rows);
    expect(await stagingTables(names)).toEqual([]);
  });
});

describe('clickhouse backend: load paths', () => {
  it.each([
    ['generation order', { xapi_load_order: 'generation' }, {}],
    ['chronological order through streamed client inserts (the server path)', {}, { insertPath: 'client' as const }],
    [
      'chronological order in several month ranges and small batches',
      {},
      { moveBytes: 200_000, segmentBytes: 64 * 1024 },
    ],
    [
      'chronological order in several staging moves (the server path)',
      {},
      { insertPath: 'client' as const, moveRows: 150 },
    ],
  ])('%s gives the planned counts', async (_what, keys, options) => {
    const config = smallConfig(keys);
    const names = namesOf(config);
    const lines: string[] = [];
    const temp = await mkdtemp(join(tmpdir(), 'xdl-ch-temp-'));
    dirs.push(temp);
    const result = await runLoadDb(config, {
      sink: createClickHouseSink(config, { ...options, tempDir: temp, log: (line) => lines.push(line) }),
    });
    expect(await readdir(temp)).toEqual([]);
    const counts = await countLoadedTables(ch, names);
    for (const key of TABLE_KEYS) expect(counts[key], key).toBe(result.plan.tables[key].rows);
    expect(await count(`SELECT count() AS n FROM ${names.xapiDb}.xapi_events_all_parsed`)).toBe(counts.xapi);
    expect(await stagingTables(names)).toEqual([]);
    if ('moveRows' in options || 'moveBytes' in options) {
      expect(lines.join('\n')).toMatch(/in time order \(([2-9]|\d\d+) ranges/);
    }
    if ('xapi_load_order' in keys) expect(lines.join('\n')).not.toMatch(/Moving|Loading/);
  });
});

describe('clickhouse backend: why chronological order', () => {
  // 8,000 statements in several inserts (one per 4,096-statement group, one per month range).
  const many = { num_xapi_batches: 8, batch_size: 1000 };

  it('in time order, "most recent" enrollments are the latest ones, however many inserts', async () => {
    const config = smallConfig(many);
    await runLoadDb(config, { sink: createClickHouseSink(config, { segmentBytes: 1, moveBytes: 100_000 }) });
    expect(await staleEnrollments(namesOf(config))).toBe(0);
  });

  it('in generation order with several inserts, some are not (the check has teeth)', async () => {
    const config = smallConfig({ ...many, xapi_load_order: 'generation' });
    await runLoadDb(config, { sink: createClickHouseSink(config, { segmentBytes: 1 }) });
    expect(await staleEnrollments(namesOf(config))).toBeGreaterThan(0);
  });
});

describe('clickhouse backend: failures', () => {
  it('a batch ClickHouse rejects fails the run naming the table and chunks, with the rows written so far', async () => {
    const config = smallConfig();
    const names = namesOf(config);
    await initSchema(ch, names);
    // Every generated block has an `order`; some are ≥ 2, which this constraint rejects.
    await ch.client.command({
      query: `ALTER TABLE ${names.eventSinkDb}.course_blocks ADD CONSTRAINT few_blocks CHECK \`order\` < 2`,
    });
    const error = await runLoadDb(config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkError);
    const e = error as SinkError;
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(
      new RegExp(`Inserting course_blocks chunks? 0(–1)? \\([\\d,]+ rows\\) into ${names.eventSinkDb}\\.course_blocks`),
    );
    expect(e.message).toContain('few_blocks');
    expect(e.message).toMatch(/Rows in ClickHouse from this load before the failure: courseOverviews=6\b/);
    expect(e.written).toEqual({ courseOverviews: 6 });
    expect(await count(`SELECT count() AS n FROM ${names.eventSinkDb}.course_overviews`)).toBe(6);
    expect(await count(`SELECT count() AS n FROM ${names.eventSinkDb}.course_blocks`)).toBe(0);
  });

  it('a column the insert needs is missing: the run fails naming the table', async () => {
    const config = smallConfig({ xapi_load_order: 'generation' });
    const names = namesOf(config);
    await initSchema(ch, names);
    await ch.client.command({ query: `ALTER TABLE ${names.eventSinkDb}.external_id DROP COLUMN username` });
    const error = (await runLoadDb(config).catch((e: unknown) => e)) as SinkError;
    expect(error).toBeInstanceOf(SinkError);
    expect(error.message).toContain(`Inserting external_id chunk 0 (20 rows) into ${names.eventSinkDb}.external_id`);
    expect(error.message).toContain('username');
    expect(error.written.tags).toBe(29);
    expect(error.written.courseOverviews).toBe(6);
    expect(error.written.xapi).toBeUndefined();
  });

  it('xAPI rejected by the raw table in generation order names the xAPI chunks', async () => {
    const config = smallConfig({ xapi_load_order: 'generation' });
    const names = namesOf(config);
    await initSchema(ch, names);
    await ch.client.command({
      query: `ALTER TABLE ${names.xapiDb}.${names.rawTable} ADD CONSTRAINT no_video_plays CHECK position(event, 'video/verbs/played') = 0`,
    });
    const error = (await runLoadDb(config).catch((e: unknown) => e)) as SinkError;
    expect(error, String(error)).toBeInstanceOf(SinkError);
    expect(error.message).toMatch(
      new RegExp(`Inserting xapi_events_all chunks 0–\\d+ \\([\\d,]+ rows\\) into ${names.xapiDb}\\.xapi_events_all`),
    );
    expect(error.message).toContain('no_video_plays');
    for (const key of TABLE_KEYS.filter((k) => k !== 'xapi')) expect(error.written[key], key).toBeGreaterThan(0);
    expect(error.written.xapi).toBeUndefined();
  });

  it('xAPI rejected while moving from staging in time order names the period; the staging table is dropped', async () => {
    const config = smallConfig();
    const names = namesOf(config);
    // One insert per chunk (segmentBytes 1), so every statement is staged when the xAPI table ends.
    const inner = createClickHouseSink(config, { insertPath: 'client', moveRows: 100, segmentBytes: 1 });
    // Once every statement is staged, the raw table starts rejecting the later half of them.
    const rejectingLater: Sink = {
      ...inner,
      async endTable(table) {
        if (table === 'xapi') await rejectFrom(names, await medianDay(config));
        await inner.endTable?.(table);
      },
    };
    const error = (await runLoadDb(config, { sink: rejectingLater }).catch((e: unknown) => e)) as SinkError;
    expect(error, String(error)).toBeInstanceOf(SinkError);
    expect(error.message).toMatch(
      /Moving the xAPI statements of 20\d\d-\d\d-\d\d … 20\d\d-\d\d-\d\d \([\d,]+ rows\) from \S+ into \S+xapi_events_all/,
    );
    expect(error.message).toContain('early_half');
    expect(error.message).toMatch(/[\d,]+ xAPI statements staged in \S+_xapi_db_load_staging_\w+ were not moved/);
    // The ranges before the median went in; the count in the error is what the raw table holds.
    const inRaw = await count(`SELECT count() AS n FROM ${names.xapiDb}.${names.rawTable}`);
    expect(inRaw, error.message).toBeGreaterThan(0);
    expect(error.written.xapi).toBe(inRaw);
    expect(await stagingTables(names)).toEqual([]);
  });

  it('xAPI rejected while loading month files in time order names the months', async () => {
    const config = smallConfig();
    const names = namesOf(config);
    await initSchema(ch, names);
    await rejectFrom(names, await medianDay(config));
    const temp = await mkdtemp(join(tmpdir(), 'xdl-ch-temp-'));
    dirs.push(temp);
    const error = (await runLoadDb(config, {
      sink: createClickHouseSink(config, { moveBytes: 100_000, tempDir: temp }),
    }).catch((e: unknown) => e)) as SinkError;
    expect(await readdir(temp)).toEqual([]);
    expect(error, String(error)).toBeInstanceOf(SinkError);
    expect(error.message).toMatch(
      /Loading the xAPI statements of 20\d\d-\d\d … 20\d\d-\d\d \([\d,]+ rows\) into \S+xapi_events_all/,
    );
    expect(error.message).toContain('early_half');
    expect(error.message).toMatch(/[\d,]+ xAPI statements staged in temporary month files were not moved/);
    const inRaw = await count(`SELECT count() AS n FROM ${names.xapiDb}.${names.rawTable}`);
    expect(inRaw, error.message).toBeGreaterThan(0);
    expect(error.written.xapi).toBe(inRaw);
  });

  it('a plan the data does not match fails verification with both numbers per table', async () => {
    const config = smallConfig();
    const inner = createClickHouseSink(config);
    // The sink is told the tags table gets one row more than is generated.
    const lying: Sink = {
      ...inner,
      open: (plan) =>
        inner.open({
          ...plan,
          tables: { ...plan.tables, tags: { ...plan.tables.tags, rows: plan.tables.tags.rows + 1 } },
        }),
    };
    const error = await runLoadDb(config, { sink: lying }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    const message = (error as VerificationError).message;
    expect(message).toContain(`${namesOf(config).eventSinkDb}.tag expected 30, found 29`);
    expect(message).toMatch(/tag\s+30\s+29\s+MISMATCH \(−1\)/);
    expect(message).toMatch(/xapi_events_all\s+[\d,]+\s+[\d,]+\s+ok/);
    expect((error as VerificationError).exitCode).toBe(1);
  });

  it('without the schema and with init_schema: false, preflight says how to create it', async () => {
    const config = smallConfig({ init_schema: false });
    const sink = createClickHouseSink(config);
    const error = await sink.preflight().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XapiDbLoadError);
    expect((error as Error).message, String(error)).toMatch(
      /The Aspects tables are missing .*\(Database xapi_\w+ does not exist[^)]*\); create them with `xapi-db-load init-schema` or set `init_schema: true`/,
    );
    await sink.abort();
    expect(
      await count(`SELECT count() AS n FROM system.databases WHERE name = {db:String}`, { db: config.dbName }),
    ).toBe(0);
  });

  it('an unreachable server fails preflight naming host and port, never the password', async () => {
    const port = await closedPort();
    const config = smallConfig({ db_host: '127.0.0.1', db_port: port, db_password: 'pw-S3cret-771' });
    const sink = createClickHouseSink(config);
    const error = await sink.preflight().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XapiDbLoadError);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect((error as Error).message).not.toContain('pw-S3cret-771');
    await sink.abort();
  });
});

describe('init-schema', () => {
  it('is idempotent and reports what it created, replaced and kept', async () => {
    const names = namesOf(smallConfig());
    const first = await initSchemaWithReport(ch, names);
    expect(first.aspectsDbtVersion).toBe(ASPECTS_DBT_VERSION);
    const created = first.objects.filter((o) => o.status === 'created').map((o) => o.name);
    expect(created).toEqual(expect.arrayContaining([names.xapiDb, `${names.xapiDb}.${names.rawTable}`]));
    expect(created).toContain(`${names.reportingDb}.dim_most_recent_enrollment_mv`);
    await ch.client.command({
      query: `INSERT INTO ${names.eventSinkDb}.taxonomy (id, name, dump_id, time_last_dumped) VALUES (1, 'x', generateUUIDv4(), '2020-01-01')`,
    });
    const second = await initSchemaWithReport(ch, names);
    expect(second.objects.filter((o) => o.status === 'created')).toEqual([]);
    expect(second.objects.find((o) => o.name === `${names.eventSinkDb}.taxonomy`)?.status).toBe('kept');
    expect(second.objects.find((o) => o.name === `${names.reportingDb}.fact_enrollments`)?.status).toBe('replaced');
    expect(await count(`SELECT count() AS n FROM ${names.eventSinkDb}.taxonomy`)).toBe(1);
    expect(formatInitSchemaReport(second)).toMatch(/0 created, \d+ replaced .*, \d+ already present/);
  });

  it('runs from the CLI twice on the configured target, printing the aspects-dbt version', async () => {
    const work = await mkdtemp(join(tmpdir(), 'xdl-init-cli-'));
    dirs.push(work);
    await writeFile(
      join(work, 'c.yaml'),
      [
        'backend: clickhouse',
        'db_host: embedded:data/chdb',
        'db_name: xapi_cli',
        'num_xapi_batches: 1',
        'batch_size: 10',
        'start_date: 2020-01-01',
        'end_date: 2021-01-01',
        'course_length_days: 30',
        'num_organizations: 1',
        'num_actors: 4',
        'num_course_sizes: {small: 1}',
        'course_size_makeup:',
        '  small: {actors: 2, problems: 1, videos: 1, chapters: 1, sequences: 1, verticals: 1, forum_posts: 1}',
        '',
      ].join('\n'),
    );
    const cli = () => run(process.execPath, [CLI, 'init-schema', '--config_file', 'c.yaml'], { cwd: work });
    const first = await cli();
    expect(first.stdout).toContain(`aspects-dbt ${ASPECTS_DBT_VERSION}`);
    expect(first.stdout).toContain(join(work, 'data', 'chdb'));
    expect(first.stdout).toMatch(/created\s+table\s+xapi_cli\.xapi_events_all/);
    expect(first.stdout).toMatch(/(\d+) objects: \1 created, 0 replaced/);
    const second = await cli();
    expect(second.stdout).toMatch(/kept\s+table\s+xapi_cli\.xapi_events_all/);
    expect(second.stdout).toMatch(/objects: 0 created/);
  });

  it('load-db to an unreachable server exits 1 naming host and port, without the password', async () => {
    const work = await mkdtemp(join(tmpdir(), 'xdl-unreachable-'));
    dirs.push(work);
    const port = await closedPort();
    await writeFile(
      join(work, 'c.yaml'),
      `backend: clickhouse\ndb_host: 127.0.0.1\ndb_port: ${port}\nnum_xapi_batches: 1\nbatch_size: 10\n` +
        'start_date: 2020-01-01\nend_date: 2021-01-01\ncourse_length_days: 30\nnum_organizations: 1\nnum_actors: 4\n' +
        'num_course_sizes: {small: 1}\ncourse_size_makeup:\n' +
        '  small: {actors: 2, problems: 1, videos: 1, chapters: 1, sequences: 1, verticals: 1, forum_posts: 1}\n',
    );
    const result = await run(process.execPath, [CLI, 'load-db', '--config_file', 'c.yaml', '--progress', 'none'], {
      cwd: work,
      env: { ...process.env, XAPI_DB_LOAD_CLICKHOUSE_PASSWORD: 'env-Pa55word-93' },
    }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`127.0.0.1:${port}`);
    expect(result.stderr + result.stdout).not.toContain('env-Pa55word-93');
  });
});

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** The middle day of the dataset's emission times, `YYYY-MM-DD`, from the generator itself. */
async function medianDay(config: Config): Promise<string> {
  const world = buildWorld(config);
  const plan = planDataset(world);
  const times: number[] = [];
  for (let i = 0; i < plan.tables.xapi.chunks; i++)
    for (const s of xapiChunk(world, plan, i)) times.push(s.emissionTime);
  times.sort((a, b) => a - b);
  return new Date((times[Math.floor(times.length / 2)] as number) * 1000).toISOString().slice(0, 10);
}

/** Makes the raw table reject every statement from `day` on (DDL takes no bound parameters). */
async function rejectFrom(names: SchemaNames, day: string): Promise<void> {
  expect(day).toMatch(/^\d{4}-\d\d-\d\d$/);
  await ch.client.command({
    query: `ALTER TABLE ${names.xapiDb}.${names.rawTable} ADD CONSTRAINT early_half CHECK toDate(emission_time) < '${day}'`,
  });
}

/**
 * Learners whose row in reporting.dim_most_recent_enrollment (merged) is not their latest
 * enrollment event: what a ReplacingMergeTree without a version gives when inserts are not in
 * time order.
 */
async function staleEnrollments(names: SchemaNames): Promise<number> {
  await ch.client.command({ query: `OPTIMIZE TABLE ${names.reportingDb}.dim_most_recent_enrollment FINAL` });
  return count(
    `SELECT count() AS n FROM (
       SELECT org, course_key, actor_id, max(emission_time) AS latest
       FROM ${names.xapiDb}.enrollment_events GROUP BY org, course_key, actor_id) AS e
     INNER JOIN (SELECT org, course_key, actor_id, emission_time
                 FROM ${names.reportingDb}.dim_most_recent_enrollment FINAL) AS d
     USING (org, course_key, actor_id)
     WHERE d.emission_time != e.latest`,
  );
}
