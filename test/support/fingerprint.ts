/**
 * Per-table fingerprints of a loaded Aspects schema: rows and an order-independent hash of every
 * row, for the eight loaded tables and the tables the materialized views fill. Two loads of the
 * same dataset must give equal fingerprints whatever entry point loaded them.
 */

import type { ClickHouseClient } from '@clickhouse/client';
import type { SchemaNames } from '../../src/clickhouse/schema.ts';

/** Tables compared: what a load writes, and what the MV chain derives from it. */
function fingerprintTables(names: SchemaNames): string[] {
  const sink = ['course_overviews', 'course_blocks', 'object_tag', 'taxonomy', 'tag', 'external_id', 'user_profile'];
  const xapi = [
    names.rawTable,
    'xapi_events_all_parsed',
    'enrollment_events',
    'problem_events',
    'video_playback_events',
  ];
  return [
    ...sink.map((t) => `${names.eventSinkDb}.${t}`),
    ...xapi.map((t) => `${names.xapiDb}.${t}`),
    `${names.reportingDb}.dim_most_recent_enrollment`,
  ];
}

export type Fingerprints = Record<string, string>;

/** `table → "rows:hash"` after FINAL (one row per key, as reports read). */
export async function fingerprints(client: ClickHouseClient, names: SchemaNames): Promise<Fingerprints> {
  const out: Fingerprints = {};
  for (const table of fingerprintTables(names)) {
    const rs = await client.query({
      query: `SELECT count() AS n, toString(sum(cityHash64(*))) AS h FROM ${table}`,
      format: 'JSONEachRow',
      // FINAL wherever the engine collapses rows (plain MergeTree tables have no FINAL).
      clickhouse_settings: { final: 1 },
    });
    const [row] = await rs.json<{ n: string; h: string }>();
    // The key names the table without its database, so schemas with other names compare.
    out[table.slice(table.indexOf('.') + 1)] = `${row?.n}:${row?.h}`;
  }
  return out;
}

/**
 * Per-table fingerprints of every MergeTree table of the given databases: row count and an
 * order-independent hash (collapsing engines read with FINAL), keyed by `db.table`. The load
 * ledger is left out: it records when each load ran, which differs between equal loads.
 */
export type TableFingerprints = Record<string, { rows: string; hash: string }>;

export async function tableFingerprints(
  client: ClickHouseClient,
  databases: readonly string[],
): Promise<TableFingerprints> {
  const rs = await client.query({
    query: `SELECT database, name, engine FROM system.tables
            WHERE database IN {databases: Array(String)} AND engine LIKE '%MergeTree' AND name != 'xapi_db_load_ledger' ORDER BY database, name`,
    query_params: { databases },
    format: 'JSONEachRow',
  });
  const out: TableFingerprints = {};
  for (const t of await rs.json<{ database: string; name: string; engine: string }>()) {
    const final = t.engine === 'MergeTree' ? '' : ' FINAL';
    const r = await client.query({
      query: `SELECT toString(count()) AS rows, toString(sum(cityHash64(*))) AS hash FROM ${t.database}.${t.name}${final}`,
      format: 'JSONEachRow',
    });
    out[`${t.database}.${t.name}`] = (await r.json<{ rows: string; hash: string }>())[0] as {
      rows: string;
      hash: string;
    };
  }
  return out;
}
