/**
 * Loads a directory of the eight gzipped CSV files into an Aspects schema, in the order that
 * gives correct reports: event-sink tables, dictionary reload, then xAPI in time order.
 *
 * - embedded engine: the shared bulk loader (`bulkLoadCsv`, `INSERT … SELECT FROM file(path)`):
 *   the engine reads the files itself, no bytes cross the JS boundary, and it verifies counts;
 * - servers: the cache lives on this machine, not the server's, so `file()` cannot reach it; the
 *   files are streamed (gunzipped) through the client instead, and xAPI goes through a staging
 *   table so it is re-inserted in time order.
 */

import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { qualifiedTable } from '../clickhouse/bulk.ts';
import type { ClickHouse } from '../clickhouse/connect.ts';
import { reloadDictionaries, type SchemaNames } from '../clickhouse/schema.ts';
import { describeError, XapiDbLoadError } from '../errors.ts';
import { TABLE_KEYS, TABLES, type TableKey, type TableLayout } from '../formats/tables.ts';

function structure(layout: TableLayout): string {
  return layout.columns.map((c) => `${c.name} ${c.type}`).join(', ');
}

function columnList(layout: TableLayout): string {
  return layout.columns.map((c) => `\`${c.name}\``).join(', ');
}

export interface LoadFilesOptions {
  /**
   * Insert xAPI by `emission_time` (what production sees, so ReplacingMergeTree MVs keep the
   * latest state) rather than in file order.
   * @default true
   */
  readonly chronological?: boolean;
}

/**
 * Streams `dir` (the eight `.csv.gz` files) into the schema `names` on a server. The schema must
 * exist.
 *
 * @example
 * await streamDatasetFiles(ch, DEFAULT_SCHEMA_NAMES, entry.dir);
 */
export async function streamDatasetFiles(
  ch: ClickHouse,
  names: SchemaNames,
  dir: string,
  options: LoadFilesOptions = {},
): Promise<void> {
  const chronological = options.chronological ?? true;
  for (const key of TABLE_KEYS) {
    if (key === 'xapi') {
      // Event-sink rows are in: the xAPI MVs join course and block names through dictionaries.
      await reloadDictionaries(ch, names);
    }
    const path = join(dir, TABLES[key].csvFile);
    try {
      await loadByStreaming(ch, key, names, path, chronological);
    } catch (error) {
      throw new XapiDbLoadError(
        `Cannot load ${TABLES[key].csvFile} into ${qualifiedTable(names, key)} on ${ch.description}: ${describeError(error)}`,
        { cause: error },
      );
    }
  }
}

async function loadByStreaming(
  ch: ClickHouse,
  key: TableKey,
  names: SchemaNames,
  path: string,
  chronological: boolean,
): Promise<void> {
  const layout = TABLES[key];
  const columns = layout.columns.map((c) => c.name) as [string, ...string[]];
  const target = qualifiedTable(names, key);
  if (key !== 'xapi' || !chronological) {
    await ch.client.insert({
      table: target,
      values: createReadStream(path).pipe(createGunzip()),
      format: 'CSV',
      columns,
    });
    return;
  }
  const stage = `${names.xapiDb}.xapi_db_load_stage_${randomBytes(4).toString('hex')}`;
  await ch.client.command({
    query: `CREATE TABLE ${stage} (${structure(layout)}) ENGINE = MergeTree ORDER BY (emission_time, event_id)`,
  });
  try {
    await ch.client.insert({
      table: stage,
      values: createReadStream(path).pipe(createGunzip()),
      format: 'CSV',
      columns,
    });
    await ch.client.command({
      query: `INSERT INTO ${target} (${columnList(layout)}) SELECT * FROM ${stage} ORDER BY emission_time, event_id`,
    });
  } finally {
    await ch.client.command({ query: `DROP TABLE IF EXISTS ${stage} SYNC` });
  }
}
