/**
 * Verification after a load: expected rows per table (from the plan) against the rows in
 * ClickHouse. The comparison itself is pure; the last tests run it on the embedded engine
 * (one chdb directory for this file).
 */

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouse, createClickHouse } from '../src/clickhouse/connect.ts';
import { DEFAULT_SCHEMA_NAMES, type SchemaNames, schemaNamesFromConfig } from '../src/clickhouse/schema.ts';
import { resolveConfig } from '../src/config/index.ts';
import { VerificationError } from '../src/errors.ts';
import { TABLE_KEYS, type TableKey } from '../src/formats/tables.ts';
import type { DatasetPlan } from '../src/generate/dataset.ts';
import {
  compareCounts,
  countLoadedTables,
  formatVerification,
  verificationError,
  verifyLoad,
} from '../src/load/verify.ts';
import { runLoadDb } from '../src/run/runner.ts';

/** A plan with the given rows per table (chunks do not matter to verification). */
function planWith(rows: Partial<Record<TableKey, number>>): DatasetPlan {
  const tables = Object.fromEntries(
    TABLE_KEYS.map((key) => [key, { key, chunks: 1, rows: rows[key] ?? 10 }]),
  ) as unknown as DatasetPlan['tables'];
  return {
    tables,
    enrollmentChunks: 1,
    enrollmentStatements: 5,
    randomStatements: 5,
    firstRandomBatch: 0,
    shard: { index: 0, count: 1 },
  };
}

const all = (n: number): Record<TableKey, number> =>
  Object.fromEntries(TABLE_KEYS.map((key) => [key, n])) as Record<TableKey, number>;

describe('compareCounts', () => {
  it('passes when every table holds the planned rows', () => {
    const report = compareCounts(planWith({}), DEFAULT_SCHEMA_NAMES, all(10));
    expect(report.ok).toBe(true);
    expect(report.tables.map((t) => t.table)).toContain('xapi.xapi_events_all');
    expect(report.tables.map((t) => t.table)).toContain('event_sink.object_tag');
  });

  it('marks each table whose count differs, in either direction', () => {
    const report = compareCounts(planWith({ tags: 29, xapi: 1000 }), DEFAULT_SCHEMA_NAMES, {
      ...all(10),
      tags: 28,
      xapi: 1001,
    });
    expect(report.ok).toBe(false);
    expect(report.tables.filter((t) => !t.ok).map((t) => [t.key, t.expected, t.loaded])).toEqual([
      ['tags', 29, 28],
      ['xapi', 1000, 1001],
    ]);
  });

  it('counts what the load added when the tables held rows before', () => {
    const before = { ...all(0), xapi: 500 };
    expect(compareCounts(planWith({ xapi: 100 }), DEFAULT_SCHEMA_NAMES, { ...all(10), xapi: 600 }, { before }).ok).toBe(
      true,
    );
    const collapsed = compareCounts(
      planWith({ xapi: 100 }),
      DEFAULT_SCHEMA_NAMES,
      { ...all(10), xapi: 500 },
      { before },
    );
    expect(collapsed.ok).toBe(false);
    expect(collapsed.tables.find((t) => t.key === 'xapi')).toMatchObject({ before: 500, after: 500, loaded: 0 });
  });

  it('checks only the tables asked for', () => {
    const report = compareCounts(planWith({ xapi: 1000 }), DEFAULT_SCHEMA_NAMES, all(10), {
      tables: TABLE_KEYS.filter((k) => k !== 'xapi'),
    });
    expect(report.ok).toBe(true);
    expect(report.tables).toHaveLength(7);
  });

  it('uses the configured database and raw table names', () => {
    const names: SchemaNames = { xapiDb: 'x1', eventSinkDb: 'es1', reportingDb: 'r1', rawTable: 'raw1' };
    const report = compareCounts(planWith({}), names, all(10));
    expect(report.tables.map((t) => t.table)).toEqual([
      'es1.course_overviews',
      'es1.course_blocks',
      'es1.object_tag',
      'es1.taxonomy',
      'es1.tag',
      'es1.external_id',
      'es1.user_profile',
      'x1.raw1',
    ]);
  });
});

describe('verificationError', () => {
  it('prints both numbers for every table, and says which differ', () => {
    const report = compareCounts(planWith({ tags: 29, xapi: 1_000 }), DEFAULT_SCHEMA_NAMES, {
      ...all(10),
      tags: 25,
      xapi: 1_000,
    });
    const error = verificationError(report, 'embedded ClickHouse (chdb, /tmp/x)');
    expect(error).toBeInstanceOf(VerificationError);
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain('Verification failed on embedded ClickHouse (chdb, /tmp/x)');
    expect(error.message).toContain('1 of 8 tables');
    expect(error.message).toContain('event_sink.tag expected 29, found 25');
    expect(error.message).toMatch(/event_sink\.tag\s+29\s+25\s+MISMATCH \(−4\)/);
    expect(error.message).toMatch(/xapi\.xapi_events_all\s+1,000\s+1,000\s+ok/);
    expect(error.message).not.toContain('held rows before');
  });

  it('shows the rows present before the load, and why a reload collapses', () => {
    const report = compareCounts(
      planWith({ xapi: 100 }),
      DEFAULT_SCHEMA_NAMES,
      { ...all(10), xapi: 100 },
      { before: { xapi: 100 } },
    );
    const text = verificationError(report).message;
    expect(text).toMatch(/table\s+expected\s+in ClickHouse\s+before load\s+added/);
    expect(text).toMatch(/xapi\.xapi_events_all\s+100\s+100\s+100\s+0\s+MISMATCH \(−100\)/);
    expect(text).toContain('held rows before this load');
    expect(formatVerification(report).split('\n')).toHaveLength(9);
  });
});

describe('verifyLoad on the embedded engine', () => {
  let dir: string;
  let ch: ClickHouse;
  let names: SchemaNames;
  let plan: DatasetPlan;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'xdl-verify-'));
    const id = randomBytes(4).toString('hex');
    const config = resolveConfig(
      {
        backend: 'clickhouse',
        db_host: `embedded:${join(dir, 'chdb')}`,
        db_name: `xapi_${id}`,
        db_event_sink_name: `event_sink_${id}`,
        db_reporting_name: `reporting_${id}`,
        optimize_final: false,
        num_xapi_batches: 2,
        batch_size: 100,
        num_workers: 1,
        start_date: '2020-01-01',
        end_date: '2021-01-01',
        course_length_days: 60,
        num_organizations: 1,
        num_actors: 6,
        num_course_publishes: 2,
        num_course_sizes: { small: 1 },
        course_size_makeup: {
          small: { actors: 4, problems: 3, videos: 2, chapters: 1, sequences: 2, verticals: 2, forum_posts: 2 },
        },
      },
      { source: 'verify.test' },
    );
    names = schemaNamesFromConfig(config, config.dbReportingName);
    plan = (await runLoadDb(config)).plan;
    ch = await createClickHouse({ kind: 'embedded', path: join(dir, 'chdb') });
  });

  afterAll(async () => {
    await ch?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('passes right after a load, with the counts of every table', async () => {
    const report = await verifyLoad(ch, names, plan);
    expect(report.ok).toBe(true);
    expect(report.tables.map((t) => [t.key, t.after])).toEqual(TABLE_KEYS.map((key) => [key, plan.tables[key].rows]));
  });

  it('fails with both numbers once rows are deleted', async () => {
    await ch.client.command({
      query: `ALTER TABLE ${names.eventSinkDb}.tag DELETE WHERE id <= 3`,
      clickhouse_settings: { mutations_sync: '2' },
    });
    const counts = await countLoadedTables(ch, names);
    expect(counts.tags).toBe(26);
    const error = await verifyLoad(ch, names, plan).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    const message = (error as VerificationError).message;
    expect(message).toContain(`${names.eventSinkDb}.tag expected 29, found 26`);
    expect(message).toMatch(/tag\s+29\s+26\s+MISMATCH \(−3\)/);
    expect(message).toContain(ch.description);
  });
});
