/**
 * Sharding: n runs with shard i/n together write exactly the dataset one run writes — the same
 * statements (event ids) and the same event-sink rows — and load together as one dataset.
 */

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/index.ts';
import type { Config } from '../src/config/types.ts';
import { TABLE_KEYS, TABLES } from '../src/formats/tables.ts';
import { planDataset, shardBatchRange } from '../src/generate/dataset.ts';
import { buildWorld } from '../src/generate/world.ts';
import { runCsvBulkLoad } from '../src/load/csv.ts';
import { runLoadDb } from '../src/run/runner.ts';
import { parseCsv } from './support/csv-files.ts';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tempDir() {
  const d = await mkdtemp(join(tmpdir(), 'xdl-shard-'));
  dirs.push(d);
  return d;
}

function config(dest: string, changes: Record<string, unknown> = {}): Config {
  return resolveConfig({
    backend: 'csv',
    csv_output_destination: dest,
    num_xapi_batches: 10,
    batch_size: 50,
    num_workers: 2,
    start_date: '2020-01-01',
    end_date: '2022-01-01',
    course_length_days: 60,
    num_organizations: 2,
    num_actors: 30,
    num_course_publishes: 2,
    num_course_sizes: { small: 3 },
    course_size_makeup: {
      small: { actors: 6, problems: 4, videos: 4, chapters: 2, sequences: 3, verticals: 3, forum_posts: 2 },
    },
    db_host: 'embedded',
    ...changes,
  });
}

const rowsOf = async (file: string) => parseCsv(gunzipSync(await readFile(file)).toString('utf8'));

describe('shards', () => {
  it('split the random batches into disjoint ranges that cover them all', () => {
    for (const [batches, n] of [
      [10, 4],
      [3, 4],
      [1000, 7],
      [0, 2],
    ] as const) {
      const covered: number[] = [];
      for (let i = 0; i < n; i++) {
        const { first, end } = shardBatchRange(batches, i, n);
        for (let b = first; b < end; b++) covered.push(b);
      }
      expect(covered).toEqual(Array.from({ length: batches }, (_, b) => b));
    }
  });

  it('plans event-sink tables and enrollments on shard 0 only', () => {
    const whole = planDataset(buildWorld(config('x/')));
    const plans = [0, 1, 2, 3].map((i) => planDataset(buildWorld(config('x/', { shard_index: i, shard_count: 4 }))));
    for (const key of TABLE_KEYS) {
      expect(
        plans.reduce((n, p) => n + p.tables[key].rows, 0),
        key,
      ).toBe(whole.tables[key].rows);
    }
    expect(plans.slice(1).every((p) => p.tables.courseBlocks.rows === 0 && p.enrollmentStatements === 0)).toBe(true);
  });

  it('4 sharded csv runs hold exactly the statements and rows of one unsharded run, and load as one dataset', async () => {
    const [whole, sharded] = [await tempDir(), await tempDir()];
    await runLoadDb(config(whole));
    for (let i = 0; i < 4; i++) await runLoadDb(config(sharded, { shard_index: i, shard_count: 4 }));

    expect((await readdir(sharded)).sort()).toEqual(
      [
        ...TABLE_KEYS.filter((k) => k !== 'xapi').map((k) => TABLES[k].csvFile),
        ...[0, 1, 2, 3].map((i) => `xapi.shard-${i}-of-4.csv.gz`),
      ].sort(),
    );
    // Event-sink files are written by shard 0, byte for byte the unsharded ones.
    for (const key of TABLE_KEYS.filter((k) => k !== 'xapi')) {
      const file = TABLES[key].csvFile;
      expect((await readFile(join(sharded, file))).equals(await readFile(join(whole, file))), file).toBe(true);
    }
    // The shards' statements, in shard order, are the unsharded file's statements.
    const wholeRows = await rowsOf(join(whole, 'xapi.csv.gz'));
    const shardRows = (
      await Promise.all([0, 1, 2, 3].map((i) => rowsOf(join(sharded, `xapi.shard-${i}-of-4.csv.gz`))))
    ).flat();
    expect(shardRows.map((r) => r[0])).toEqual(wholeRows.map((r) => r[0]));
    expect(shardRows).toEqual(wholeRows);

    // Loading the sharded folder gives the counts of the whole dataset, verified.
    const result = await runCsvBulkLoad(config(sharded, { shard_count: 4 }));
    const expected = planDataset(buildWorld(config(whole)));
    for (const t of result.tables) {
      expect(t.loaded, t.target).toBe(t.expected);
    }
    const xapi = result.tables.find((t) => t.target.endsWith('xapi_events_all'));
    expect(xapi?.loaded).toBe(expected.tables.xapi.rows);
  });
});
