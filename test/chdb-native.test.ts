/**
 * chdb backend: LZ4 Native files partitioned by year, written through the embedded engine to a
 * local directory or S3 (s3rver on 127.0.0.1), loaded with file() / s3() and verified.
 * One chdb engine per process: every load here uses its own randomly named databases.
 */

import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChdbNativeSink } from '../src/backends/chdb-native.ts';
import { main } from '../src/cli.ts';
import { type ClickHouse, createClickHouse } from '../src/clickhouse/connect.ts';
import { countRows } from '../src/clickhouse/counts.ts';
import {
  classifyNativeFile,
  renderNativeLoad,
  renderNativeWrite,
  sortNativeFiles,
} from '../src/clickhouse/native-files.ts';
import { DEFAULT_SCHEMA_NAMES, schemaNamesFromConfig } from '../src/clickhouse/schema.ts';
import { resolveConfig } from '../src/config/index.ts';
import type { Config } from '../src/config/types.ts';
import { SinkError } from '../src/errors.ts';
import { TABLE_KEYS } from '../src/formats/tables.ts';
import { TAGS } from '../src/generate/data/music-taxonomy.ts';
import { planDataset } from '../src/generate/dataset.ts';
import { buildWorld } from '../src/generate/world.ts';
import { runNativeLoad } from '../src/load/native.ts';
import { runLoadDb } from '../src/run/runner.ts';
import { S3RVER_KEY, type StartedS3Server, startS3Server, TEST_SECRET } from './support/s3-server.ts';

const BUCKET = 'native';
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
  const dir = await mkdtemp(join(tmpdir(), 'xdl-native-'));
  dirs.push(dir);
  return dir;
}

/** A small dataset over three calendar years, written to `destination`, into fresh databases. */
function makeConfig(destination: string, overrides: Record<string, unknown> = {}): Config {
  const id = randomBytes(4).toString('hex');
  return resolveConfig(
    {
      backend: 'chdb',
      native_output_destination: destination,
      load_from_s3_after: true,
      s3_endpoint: server.endpoint,
      s3_key: S3RVER_KEY,
      s3_secret: TEST_SECRET,
      db_host: 'embedded',
      db_name: `xapi_${id}`,
      db_event_sink_name: `event_sink_${id}`,
      db_reporting_name: `reporting_${id}`,
      num_xapi_batches: 6,
      batch_size: 200,
      num_workers: 2,
      start_date: '2019-06-01',
      end_date: '2021-06-01',
      course_length_days: 200,
      num_organizations: 2,
      num_actors: 20,
      num_course_sizes: { small: 3 },
      course_size_makeup: {
        small: { actors: 6, problems: 5, videos: 4, chapters: 2, sequences: 3, verticals: 3, forum_posts: 3 },
      },
      ...overrides,
    },
    { source: 'test' },
  );
}

/** Rows per table of a config's dataset, keyed like {@link countRows}. */
function expectedCounts(config: Config): Record<string, number> {
  const plan = planDataset(buildWorld(config));
  return {
    xapi_events_all: plan.tables.xapi.rows,
    course_overviews: plan.tables.courseOverviews.rows,
    course_blocks: plan.tables.courseBlocks.rows,
    user_profile: plan.tables.userProfiles.rows,
    external_id: plan.tables.externalIds.rows,
    tag: plan.tables.tags.rows,
    taxonomy: plan.tables.taxonomies.rows,
    object_tag: plan.tables.objectTags.rows,
  };
}

async function counts(config: Config): Promise<Record<string, number>> {
  return { ...(await countRows(ch, schemaNamesFromConfig(config, config.dbReportingName))) };
}

async function queryOne<T>(query: string, params: Record<string, string>): Promise<T> {
  const rs = await ch.client.query({ query, query_params: params, format: 'JSONEachRow' });
  return (await rs.json<T>())[0] as T;
}

/** Count and an order-independent hash of event ids. */
interface IdDigest {
  n: string;
  h: string;
}

describe('chdb backend to a local directory, loaded with file()', () => {
  let dir: string;
  let config: Config;

  beforeAll(async () => {
    dir = await tempDir();
    config = makeConfig(dir);
    await runLoadDb(config, { sink: createChdbNativeSink(config, { engine: ch }) });
  }, 180_000);

  it('loads every table with exactly the rows of the plan', async () => {
    expect(await counts(config)).toEqual(expectedCounts(config));
  });

  it('writes the original names, one xAPI file per year and unit, each holding only its year', async () => {
    const names = (await readdir(dir)).sort();
    expect(names.every((n) => classifyNativeFile(n) !== null)).toBe(true);
    expect(names).toContain('tag.native.lz4');
    expect(names).toContain('taxonomy.native.lz4');
    expect(names).toContain('external_id.native.lz4');
    expect(names).toContain('course_overviews_publish_0.native.lz4');
    expect(names).toContain('course_blocks_1.native.lz4');
    expect(names).toContain('object_tag_3.native.lz4');
    expect(names).toContain('user_profile_0.native.lz4');
    const xapi = names.filter((n) => /^xapi_\d{4}_0\.native\.lz4$/.test(n));
    const years = xapi.map((n) => Number(n.slice(5, 9)));
    expect(years.length).toBeGreaterThan(1);
    expect(names.some((n) => /^initial_enrollments_xapi_\d{4}_0\.native\.lz4$/.test(n))).toBe(true);
    for (const name of names.filter((n) => n.includes('xapi_'))) {
      const year = Number(/xapi_(\d{4})_/.exec(name)?.[1]);
      const row = await queryOne<{ lo: number; hi: number }>(
        "SELECT min(toYear(emission_time, 'UTC')) AS lo, max(toYear(emission_time, 'UTC')) AS hi FROM file({p:String}, 'Native')",
        { p: join(dir, name) },
      );
      expect([row.lo, row.hi], name).toEqual([year, year]);
    }
  });

  it('holds the same event ids as a csv run of the same config and seed', async () => {
    const csvDir = await tempDir();
    await runLoadDb(resolveConfig({ ...configObject(config), backend: 'csv', csv_output_destination: csvDir }));
    const fromCsv = await queryOne<IdDigest>(
      "SELECT toString(count()) AS n, toString(sum(cityHash64(event_id))) AS h FROM file({p:String}, 'CSV', 'event_id String, t String, e String')",
      { p: join(csvDir, 'xapi.csv.gz') },
    );
    const fromNative = await queryOne<IdDigest>(
      "SELECT toString(count()) AS n, toString(sum(cityHash64(toString(event_id)))) AS h FROM file({p:String}, 'Native')",
      { p: join(dir, '*xapi_*.native.lz4') },
    );
    const loaded = await queryOne<IdDigest>(
      `SELECT toString(count()) AS n, toString(sum(cityHash64(toString(event_id)))) AS h FROM ${config.dbName}.xapi_events_all`,
      {},
    );
    expect(fromNative).toEqual(fromCsv);
    expect(loaded).toEqual(fromCsv);
  });

  it('keeps the lineage text of Cajón exactly (\\u00f3 kept, quirk Q15)', async () => {
    const cajon = TAGS.find((t) => t.value === 'Pyle Stringed Jam Cajón');
    expect(cajon?.lineage).toContain('\\u00f3');
    const row = await queryOne<{ lineage: string; value: string }>(
      `SELECT lineage, value FROM ${config.dbEventSinkName}.tag WHERE external_id = 'PYLE'`,
      {},
    );
    expect(row).toEqual({ lineage: cajon?.lineage, value: 'Pyle Stringed Jam Cajón' });
  });

  it('writes the same bytes again for the same config and seed (files only, no load)', async () => {
    const again = await tempDir();
    const other = makeConfig(again, { load_from_s3_after: false });
    const result = await runLoadDb(other, { sink: createChdbNativeSink(other, { engine: ch }) });
    expect(result.summary.clickhouse).toBeUndefined();
    expect(result.summary.notes.join('\n')).toMatch(/--load_db_only/);
    const names = (await readdir(dir)).sort();
    expect((await readdir(again)).sort()).toEqual(names);
    for (const name of names) {
      expect((await readFile(join(again, name))).equals(await readFile(join(dir, name))), name).toBe(true);
    }
  });

  it('2 shards into one folder write disjoint files that load as the unsharded dataset', async () => {
    const shared = await tempDir();
    for (const shard of [0, 1]) {
      const part = makeConfig(shared, { load_from_s3_after: false, shard_index: shard, shard_count: 2 });
      await runLoadDb(part, { sink: createChdbNativeSink(part, { engine: ch }) });
    }
    const whole = makeConfig(shared);
    const result = await runNativeLoad(whole, { clickhouse: ch });
    expect(result.note).toMatch(/the dataset this config describes/);
    expect(await counts(whole)).toEqual(expectedCounts(whole));
    const digest = (folder: string) =>
      queryOne<IdDigest>(
        "SELECT toString(count()) AS n, toString(sum(cityHash64(toString(event_id)))) AS h FROM file({p:String}, 'Native')",
        { p: join(folder, '*xapi_*.native.lz4') },
      );
    expect(await digest(shared)).toEqual(await digest(dir));
  });

  it('--load_db_only loads the files found and verifies them against the config', async () => {
    const other = makeConfig(dir);
    const result = await runNativeLoad(other, { clickhouse: ch });
    expect(result.note).toMatch(/the dataset this config describes/);
    expect(await counts(other)).toEqual(expectedCounts(other));
  });
});

/** The raw YAML-level object of a config built by {@link makeConfig}, for variations. */
function configObject(config: Config): Record<string, unknown> {
  return {
    backend: 'chdb',
    db_host: 'embedded',
    db_name: config.dbName,
    db_event_sink_name: config.dbEventSinkName,
    db_reporting_name: config.dbReportingName,
    num_xapi_batches: config.numXapiBatches,
    batch_size: config.batchSize,
    num_workers: 2,
    start_date: '2019-06-01',
    end_date: '2021-06-01',
    course_length_days: 200,
    num_organizations: 2,
    num_actors: 20,
    num_course_sizes: { small: 3 },
    course_size_makeup: {
      small: { actors: 6, problems: 5, videos: 4, chapters: 2, sequences: 3, verticals: 3, forum_posts: 3 },
    },
  };
}

describe('chdb backend to S3, loaded with s3()', () => {
  let config: Config;
  const logs: string[] = [];

  beforeAll(async () => {
    config = makeConfig(`s3://${BUCKET}/run1`);
    await runLoadDb(config, { sink: createChdbNativeSink(config, { engine: ch, log: (l) => logs.push(l) }) });
  }, 180_000);

  it('writes the files as objects under the prefix and loads the plan', async () => {
    const keys = await server.listKeys(BUCKET, 'run1/');
    expect(keys.length).toBeGreaterThan(10);
    expect(keys.every((k) => classifyNativeFile(k.slice('run1/'.length)) !== null)).toBe(true);
    expect(await counts(config)).toEqual(expectedCounts(config));
    expect(logs.join('\n')).not.toContain(TEST_SECRET);
  });

  it('--load_db_only lists the objects and loads the same counts as a direct load', async () => {
    const other = makeConfig(`s3://${BUCKET}/run1/`);
    const result = await runNativeLoad(other, { clickhouse: ch });
    expect(result.files).toBe((await server.listKeys(BUCKET, 'run1/')).length);
    expect(await counts(other)).toEqual(await counts(config));
  });

  it('defaults to s3://{s3_bucket}/{s3_prefix} like the original', async () => {
    const other = makeConfig('', { native_output_destination: null, s3_bucket: BUCKET, s3_prefix: 'run1' });
    const result = await runNativeLoad(other, { clickhouse: ch });
    expect(result.source).toBe(`s3://${BUCKET}/run1/`);
    expect(await counts(other)).toEqual(expectedCounts(other));
  });
});

describe('chdb backend failures', () => {
  it('a chunk the engine rejects fails the run naming the file, with the rows written', async () => {
    const dir = await tempDir();
    const config = makeConfig(dir, { load_from_s3_after: false });
    const sink = createChdbNativeSink(config, { engine: ch });
    await sink.preflight();
    await sink.open(planDataset(buildWorld(config)));
    const bad = Buffer.from('not-a-number,1,2,x,y,z,not-a-uuid,t\n');
    const spec = { table: 'tags', index: 0, count: 1, encoding: 'csv', gzipLevel: null, withIds: false } as const;
    await sink.write({ ...spec, rows: 1, rawBytes: bad.byteLength, data: bad, ids: [] });
    const closing = sink.close();
    await expect(closing).rejects.toThrowError(SinkError);
    await expect(closing).rejects.toThrowError(
      /^Writing tag\.native\.lz4 \(1 rows\) with embedded ClickHouse .* failed: /,
    );
    await sink.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it('a missing bucket fails before anything is generated, without printing the secret', async () => {
    const config = makeConfig('s3://no-such-bucket/x/');
    const run = runLoadDb(config, { sink: createChdbNativeSink(config, { engine: ch }) });
    await expect(run).rejects.toThrowError(/no-such-bucket/);
    await expect(run).rejects.not.toThrowError(new RegExp(TEST_SECRET));
  });
});

describe('load-db --load_db_only with the chdb backend', () => {
  it('exits 1 with a clear message when no Native file is there', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'tags.csv.gz'), 'not a Native file');
    await writeFile(
      join(dir, 'c.yaml'),
      [
        'backend: chdb',
        `native_output_destination: ${dir}`,
        `log_dir: ${dir}`,
        'num_xapi_batches: 1',
        'batch_size: 10',
        'start_date: 2020-01-01',
        'end_date: 2021-01-01',
        'course_length_days: 30',
        'num_organizations: 1',
        'num_actors: 4',
        'num_course_sizes: {small: 1}',
        'course_size_makeup:',
        '  small: {actors: 4, problems: 3, videos: 3, chapters: 2, sequences: 2, verticals: 2, forum_posts: 2}',
        '',
      ].join('\n'),
    );
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const code = await main(['load-db', '--load_db_only', '--config_file', join(dir, 'c.yaml')], {
      stdout,
      stderr,
      env: {},
    });
    expect(code, err).toBe(1);
    expect(err).toContain(`error: Cannot load: no Native files found in ${dir} (native_output_destination)`);
  });
});

describe('Native file names and SQL', () => {
  it.each([
    ['xapi_2015_7.native.lz4', 'xapi', [2015, 1, 7]],
    ['initial_enrollments_xapi_2015_3_12.native.lz4', 'xapi', [2015, 0, 3, 12]],
    ['initial_enrollments_xapi_2016_0.native.lz4', 'xapi', [2016, 0, 0]],
    ['course_overviews_publish_2.native.lz4', 'courseOverviews', [2]],
    ['course_blocks_10.native.lz4', 'courseBlocks', [10]],
    ['object_tag_1.native.lz4', 'objectTags', [1]],
    ['taxonomy.native.lz4', 'taxonomies', [0]],
    ['tag.native.lz4', 'tags', [0]],
    ['external_id.native.lz4', 'externalIds', [0]],
    ['user_profile_4.native.lz4', 'userProfiles', [4]],
  ] as const)('classifies %s', (name, table, order) => {
    expect(classifyNativeFile(name)).toEqual({ table, name, order });
  });

  it.each(['tags.csv.gz', 'xapi.csv.gz', 'tag.native', 'xapi_2015_7.native.lz4.partial-1', 'notes.txt'])(
    'ignores %s',
    (name) => {
      expect(classifyNativeFile(name)).toBeNull();
    },
  );

  it('loads event-sink files first, then xAPI year by year with enrolments first', () => {
    const names = [
      'xapi_2016_0.native.lz4',
      'xapi_2015_10.native.lz4',
      'initial_enrollments_xapi_2016_0.native.lz4',
      'xapi_2015_2.native.lz4',
      'tag.native.lz4',
      'course_blocks_10.native.lz4',
      'course_blocks_2.native.lz4',
    ];
    const files = names.map((n) => classifyNativeFile(n)).filter((f) => f !== null);
    expect(sortNativeFiles(files, TABLE_KEYS).map((f) => f.name)).toEqual([
      'course_blocks_2.native.lz4',
      'course_blocks_10.native.lz4',
      'tag.native.lz4',
      'xapi_2015_2.native.lz4',
      'xapi_2015_10.native.lz4',
      'initial_enrollments_xapi_2016_0.native.lz4',
      'xapi_2016_0.native.lz4',
    ]);
  });

  it('binds every value: paths, URLs, structures and credentials are parameters', () => {
    expect(renderNativeWrite('xapi')).toMatch(
      /^INSERT INTO FUNCTION file\(\{output:String\}, 'Native', \{structure:String\}, 'lz4'\) PARTITION BY toYear\(emission_time, 'UTC'\) SELECT \* FROM file\(\{input:String\}, 'CSV', \{structure:String\}\) SETTINGS input_format_parallel_parsing = 0, /,
    );
    expect(renderNativeWrite('tags')).not.toContain('PARTITION BY');
    const url = "https://b.s3.amazonaws.com/it's/xapi_2015_0.native.lz4";
    const load = renderNativeLoad('xapi', url, {
      local: false,
      credentials: { key: 'AKIA', secret: TEST_SECRET },
      cluster: 'prod',
      names: DEFAULT_SCHEMA_NAMES,
      chronological: true,
    });
    expect(load.query).toBe(
      "INSERT INTO xapi.xapi_events_all (`event_id`, `emission_time`, `event`) SELECT `event_id`, `emission_time`, `event` FROM s3Cluster('prod', {location:String}, {s3_key:String}, {s3_secret:String}, 'Native') ORDER BY `emission_time`, `event_id`",
    );
    expect(load.params).toEqual({ location: url, s3_key: 'AKIA', s3_secret: TEST_SECRET });
    expect(load.query).not.toContain(TEST_SECRET);
  });
});
