/**
 * One dataset, every entry point, identical tables: the clickhouse backend (load-db), csv files
 * loaded with --load_db_only, the report/Action loader (loadDatasetDir, streamed as for a
 * server), and seedAspects all go through the same load stage order and settings, so their
 * per-table fingerprints (rows and a hash of every row, FINAL) are equal — including the tables
 * the materialized views fill and the reporting table reports read.
 */

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClickHouseSink } from '../src/backends/clickhouse.ts';
import { type ClickHouse, createClickHouse } from '../src/clickhouse/connect.ts';
import { type SchemaNames, schemaNamesFromConfig } from '../src/clickhouse/schema.ts';
import { resolveConfig } from '../src/config/index.ts';
import type { Config } from '../src/config/types.ts';
import { runCsvBulkLoad } from '../src/load/csv.ts';
import { loadDatasetDir } from '../src/reports/load-dataset.ts';
import { runLoadDb } from '../src/run/runner.ts';
import { seedAspects } from '../src/testing/index.ts';
import { fingerprints } from './support/fingerprint.ts';

let ch: ClickHouse;
const dirs: string[] = [];

beforeAll(async () => {
  ch = await createClickHouse({ kind: 'embedded' });
});
afterAll(async () => {
  await ch?.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const DATASET = {
  num_xapi_batches: 5,
  batch_size: 200,
  num_workers: 2,
  start_date: '2020-01-01',
  end_date: '2021-06-01',
  course_length_days: 90,
  num_organizations: 2,
  num_actors: 30,
  num_course_sizes: { small: 3 },
  course_size_makeup: {
    small: { actors: 12, problems: 4, videos: 3, chapters: 2, sequences: 2, verticals: 2, forum_posts: 2 },
  },
};

function config(backend: 'csv' | 'clickhouse', destination: string | null): Config {
  const id = randomBytes(4).toString('hex');
  return resolveConfig(
    {
      backend,
      ...(destination ? { csv_output_destination: destination } : {}),
      db_host: 'embedded',
      db_name: `xapi_${id}`,
      db_event_sink_name: `event_sink_${id}`,
      db_reporting_name: `reporting_${id}`,
      ...DATASET,
    },
    { source: 'test' },
  );
}

function names(c: Config): SchemaNames {
  return schemaNamesFromConfig(c, c.dbReportingName);
}

it('load-db (clickhouse), csv + --load_db_only, the report/Action loader and seedAspects give identical tables', async () => {
  // load-db with the clickhouse backend.
  const direct = config('clickhouse', null);
  await runLoadDb(direct, { sink: createClickHouseSink(direct, { clickhouse: ch }) });
  const expected = await fingerprints(ch.client, names(direct));
  // Every compared table holds rows: equal fingerprints are not equal emptiness.
  for (const [table, print] of Object.entries(expected)) expect(print, table).not.toMatch(/^0:/);

  // csv files, then load-db --load_db_only.
  const dir = await mkdtemp(join(tmpdir(), 'xdl-fp-'));
  dirs.push(dir);
  const files = config('csv', dir);
  await runLoadDb(files);
  await runCsvBulkLoad(files, { clickhouse: ch });
  expect(await fingerprints(ch.client, names(files))).toEqual(expected);

  // report and the Action: loadDatasetDir, the files streamed through the client as to a server.
  const report = config('csv', dir);
  await loadDatasetDir(ch, dir, report, { names: names(report) });
  expect(await fingerprints(ch.client, names(report))).toEqual(expected);

  // seedAspects (embedded), from its own cache of the same dataset.
  const cacheDir = await mkdtemp(join(tmpdir(), 'xdl-fp-cache-'));
  dirs.push(cacheDir);
  await using seeded = await seedAspects(config('csv', dir), {
    provider: 'embedded',
    cache: { dir: cacheDir, env: {} },
    databaseSuffix: `fp_${randomBytes(3).toString('hex')}`,
    log: () => {},
  });
  const { xapi, eventSink, reporting } = seeded.connection.databases;
  expect(
    await fingerprints(seeded.client, {
      xapiDb: xapi,
      eventSinkDb: eventSink,
      reportingDb: reporting,
      rawTable: 'xapi_events_all',
    }),
  ).toEqual(expected);
}, 300_000);
