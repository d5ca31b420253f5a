/**
 * Bulk-load SQL of the clickhouse backend: where each generated table goes, the xAPI staging
 * table and its chronological move into the raw table, and the headline numbers read back from
 * the reporting tables. Values are bound (`{name:Type}`); identifiers come from validated
 * {@link SchemaNames} or from the constant table layouts.
 */

import { randomBytes } from 'node:crypto';
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import type { Config } from '../config/types.ts';
import { TABLES, type TableKey } from '../formats/tables.ts';
import { type ClickHouseTarget, targetFromConfig } from './connect.ts';
import { IDENTIFIER_PATTERN, type SchemaNames } from './schema.ts';

/**
 * The config's target, with an embedded data directory made absolute against the working
 * directory (`embedded:.xapi-db-load/chdb` lands where the command was run, not next to the
 * config file, which for the packaged default lives inside node_modules).
 */
export function resolveTarget(
  config: Pick<Config, 'dbHost' | 'dbPort' | 'dbUsername' | 'dbPassword' | 'dbName'> &
    Partial<Pick<Config, 'dbConnectTimeout'>>,
  cwd: string = process.cwd(),
): ClickHouseTarget {
  return targetFromConfig(config, cwd);
}

/** `db.table` a generated table is loaded into. */
export function qualifiedTable(names: SchemaNames, key: TableKey): string {
  const layout = TABLES[key];
  if (key === 'xapi') return `${names.xapiDb}.${names.rawTable}`;
  return `${layout.database === 'xapi' ? names.xapiDb : names.eventSinkDb}.${layout.table}`;
}

/** The CSV columns of a table, back-quoted (`order` is a keyword), in file order. */
export function insertColumns(key: TableKey): readonly string[] {
  return TABLES[key].columns.map((c) => `\`${c.name}\``);
}

/** `file()` / `input()` structure of a table's headerless CSV: `` `name` Type, … `` in file order. */
export function csvStructure(key: TableKey): string {
  return TABLES[key].columns.map((c) => `\`${c.name}\` ${c.type}`).join(', ');
}

/**
 * Settings of every bulk insert.
 *
 * - `date_time_input_format`: emission times carry a `+00:00` offset.
 * - `max_partitions_per_insert_block`: a block of statements spread over ten years touches
 *   ~120 monthly partitions of the raw and per-domain tables; the default limit (100) is meant
 *   for hand-written inserts.
 * - `min_insert_block_size_*`: blocks of ~64 MiB reach the materialized views. Measured on the
 *   embedded engine: 1M statements moved in 20 s with 64 MiB blocks vs 28 s with the default
 *   (1M rows / 256 MiB), and the peak memory of the MVs' window functions follows the block size.
 */
export const BULK_INSERT_SETTINGS: ClickHouseSettings = Object.freeze({
  date_time_input_format: 'best_effort',
  max_partitions_per_insert_block: '0',
  min_insert_block_size_rows: '0',
  min_insert_block_size_bytes: String(64 * 1024 * 1024),
});

/**
 * How chronological xAPI reaches the raw table, on every load path: by emission time, ties
 * broken by event id, so every entry point feeds the materialized views the same row order.
 */
export const CHRONOLOGICAL_ORDER = 'ORDER BY `emission_time`, `event_id`';

/** Name of a staging table for one load: unique, so concurrent loads never share one. */
export function stagingTableName(names: SchemaNames): string {
  const name = `_xapi_db_load_staging_${randomBytes(4).toString('hex')}`;
  checkIdentifier(names.xapiDb);
  return `${names.xapiDb}.${name}`;
}

/**
 * Creates the xAPI staging table: the raw table's columns, no materialized views, sorted by
 * emission time so the chronological move reads it in order instead of sorting it. The
 * deduplication window makes a retried insert of the same block (after a dropped connection)
 * a no-op instead of a duplicate.
 */
export async function createStagingTable(client: ClickHouseClient, staging: string): Promise<void> {
  await client.command({
    query:
      `CREATE TABLE ${staging} (event_id UUID, emission_time DateTime64(6), event String) ` +
      'ENGINE = MergeTree ORDER BY emission_time SETTINGS non_replicated_deduplication_window = 1000',
  });
}

export async function dropTable(client: ClickHouseClient, table: string): Promise<void> {
  await client.command({ query: `DROP TABLE IF EXISTS ${table} SYNC` });
}

/** Consecutive days of staged statements moved by one INSERT … SELECT. */
export interface MoveRange {
  /** First day, `YYYY-MM-DD` (inclusive). */
  readonly first: string;
  /** Last day, `YYYY-MM-DD` (inclusive). */
  readonly last: string;
  readonly rows: number;
}

/**
 * Splits the staged statements into day ranges of about `targetRows` rows (a single day is
 * never split), in time order. Ranges bound the time of one statement (an HTTP request) and
 * let a failure name the period it hit.
 */
export async function planMoves(
  client: ClickHouseClient,
  staging: string,
  targetRows: number,
): Promise<readonly MoveRange[]> {
  const rs = await client.query({
    query: `SELECT toString(toDate(emission_time)) AS day, count() AS rows FROM ${staging} GROUP BY day ORDER BY day`,
    format: 'JSONEachRow',
  });
  const days = await rs.json<{ day: string; rows: string | number }>();
  return packDays(
    days.map((d) => ({ day: d.day, rows: Number(d.rows) })),
    targetRows,
  );
}

/** Greedy packing of per-day counts into consecutive ranges of at least `targetRows` rows. */
export function packDays(days: readonly { day: string; rows: number }[], targetRows: number): MoveRange[] {
  const ranges: MoveRange[] = [];
  let first: string | null = null;
  let last = '';
  let rows = 0;
  for (const d of days) {
    first ??= d.day;
    last = d.day;
    rows += d.rows;
    if (rows >= targetRows) {
      ranges.push({ first, last, rows });
      first = null;
      rows = 0;
    }
  }
  if (first !== null) ranges.push({ first, last, rows });
  return ranges;
}

/**
 * Moves one day range from staging into the raw table in emission-time order, so the
 * materialized views see time-ordered blocks and the ReplacingMergeTree "most recent" tables
 * keep the latest row, as with a production event stream.
 */
export async function moveRange(
  client: ClickHouseClient,
  staging: string,
  raw: string,
  range: MoveRange,
): Promise<void> {
  await client.command({
    query:
      `INSERT INTO ${raw} (event_id, emission_time, event) ` +
      `SELECT event_id, emission_time, event FROM ${staging} ` +
      `WHERE toDate(emission_time) BETWEEN {first:Date} AND {last:Date} ${CHRONOLOGICAL_ORDER}`,
    query_params: { first: range.first, last: range.last },
    clickhouse_settings: BULK_INSERT_SETTINGS,
  });
}

/** Three numbers read back from the tables Aspects' dashboards read. */
export interface Headlines {
  /** Learners whose latest enrollment state is `registered` (reporting.dim_most_recent_enrollment). */
  readonly enrolledLearners: number;
  /** `played` statements in xapi.video_playback_events. */
  readonly videoPlays: number;
  /** `evaluated` statements (problem submissions) in xapi.problem_events. */
  readonly problemAttempts: number;
}

export const VERB_REGISTERED_STATUS = 'registered';
export const VERB_PLAYED = 'https://w3id.org/xapi/video/verbs/played';
export const VERB_EVALUATED = 'https://w3id.org/xapi/acrossx/verbs/evaluated';

/** Reads the {@link Headlines} in one query (FINAL: one row per learner and course). */
export async function readHeadlines(client: ClickHouseClient, names: SchemaNames): Promise<Headlines> {
  for (const db of [names.xapiDb, names.reportingDb]) checkIdentifier(db);
  const rs = await client.query({
    query: `SELECT
  (SELECT count() FROM ${names.reportingDb}.dim_most_recent_enrollment FINAL WHERE enrollment_status = {registered:String}) AS enrolled,
  (SELECT count() FROM ${names.xapiDb}.video_playback_events WHERE verb_id = {played:String}) AS plays,
  (SELECT count() FROM ${names.xapiDb}.problem_events WHERE verb_id = {evaluated:String}) AS attempts`,
    query_params: { registered: VERB_REGISTERED_STATUS, played: VERB_PLAYED, evaluated: VERB_EVALUATED },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ enrolled: string; plays: string; attempts: string }>();
  return {
    enrolledLearners: Number(row?.enrolled ?? 0),
    videoPlays: Number(row?.plays ?? 0),
    problemAttempts: Number(row?.attempts ?? 0),
  };
}

function checkIdentifier(name: string): void {
  if (!IDENTIFIER_PATTERN.test(name)) {
    throw new Error(`invalid ClickHouse identifier ${JSON.stringify(name)}; expected ${IDENTIFIER_PATTERN}`);
  }
}

/** Fields of the first row of a headerless CSV chunk (RFC 4180 quoting), or `[]` when empty. */
export function firstCsvRow(data: Uint8Array): string[] {
  const text = Buffer.from(data.buffer, data.byteOffset, Math.min(data.byteLength, 1 << 20)).toString('utf8');
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      break;
    } else {
      field += c;
    }
  }
  if (field !== '' || fields.length > 0) fields.push(field);
  return fields;
}

/**
 * Whether `course_overviews` already holds the row with this dump id: dump ids derive from the
 * seed, so a hit means this very dataset was loaded into these tables before.
 */
export async function hasCourseOverviewDump(
  client: ClickHouseClient,
  names: SchemaNames,
  dumpId: string,
): Promise<boolean> {
  checkIdentifier(names.eventSinkDb);
  const rs = await client.query({
    query: `SELECT count() AS n FROM ${names.eventSinkDb}.course_overviews WHERE dump_id = {dumpId:UUID}`,
    query_params: { dumpId },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ n: string | number }>();
  return Number(row?.n ?? 0) > 0;
}
