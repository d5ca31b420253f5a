/**
 * Row counts of the tables a load writes, for verification (expected = actual) and summaries.
 */

import type { ClickHouseClient } from '@clickhouse/client';
import { describeError, XapiDbLoadError } from '../errors.ts';
import type { ClickHouse } from './connect.ts';
import { IDENTIFIER_PATTERN, type SchemaNames } from './schema.ts';

/** The tables a load writes: the raw xAPI table and the seven event-sink tables. */
export const LOADED_TABLES = [
  'xapi_events_all',
  'course_overviews',
  'course_blocks',
  'user_profile',
  'external_id',
  'tag',
  'taxonomy',
  'object_tag',
] as const;

export type LoadedTable = (typeof LOADED_TABLES)[number];

/**
 * Rows per loaded table. The key `xapi_events_all` stands for the raw table whatever its
 * configured name (`SchemaNames.rawTable`).
 */
export type TableCounts = Readonly<Record<LoadedTable, number>>;

export interface CountRowsOptions {
  /**
   * Count after collapsing duplicates (`FINAL`) instead of rows as inserted.
   * @default false
   */
  readonly final?: boolean;
}

/**
 * Counts the rows of the eight loaded tables in one query.
 *
 * @example
 * const counts = await countRows(ch, DEFAULT_SCHEMA_NAMES);
 * // → { xapi_events_all: 1000, course_overviews: 10, course_blocks: 640, … }
 */
export async function countRows(
  target: ClickHouse | ClickHouseClient,
  names: SchemaNames,
  options: CountRowsOptions = {},
): Promise<TableCounts> {
  const client = 'description' in target && 'client' in target ? target.client : (target as ClickHouseClient);
  for (const name of [names.xapiDb, names.eventSinkDb, names.rawTable]) {
    if (!IDENTIFIER_PATTERN.test(name)) {
      throw new XapiDbLoadError(`Invalid schema name ${JSON.stringify(name)}; expected ${IDENTIFIER_PATTERN}`);
    }
  }
  const final = options.final ? ' FINAL' : '';
  const parts = LOADED_TABLES.map((table) => {
    const qualified =
      table === 'xapi_events_all' ? `${names.xapiDb}.${names.rawTable}` : `${names.eventSinkDb}.${table}`;
    return `SELECT '${table}' AS table, count() AS rows FROM ${qualified}${final}`;
  });
  let rows: { table: string; rows: string | number }[];
  try {
    const rs = await client.query({ query: parts.join('\nUNION ALL\n'), format: 'JSONEachRow' });
    rows = await rs.json<{ table: string; rows: string | number }>();
  } catch (error) {
    const where = 'description' in target ? ` on ${target.description}` : '';
    throw new XapiDbLoadError(`Cannot count loaded rows${where}: ${describeError(error)}`, { cause: error });
  }
  const counts = Object.fromEntries(LOADED_TABLES.map((t) => [t, 0])) as Record<LoadedTable, number>;
  for (const row of rows) {
    // count() is UInt64, which JSON output quotes.
    counts[row.table as LoadedTable] = Number(row.rows);
  }
  return Object.freeze(counts);
}
