/**
 * Loads a dataset directory (the eight gzipped CSV files of the csv backend, e.g. a restored
 * cache entry) into an Aspects schema, in the order that gives correct reports: event-sink
 * tables, dictionary reload, xAPI, then `OPTIMIZE … FINAL`.
 *
 * The embedded engine reads the files itself (`file()`); a server gets them streamed over
 * HTTP. The xAPI insert runs on one thread so the materialized views see the same blocks on
 * every run (MV results depend on insert blocks, reference §2.4).
 */

import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { ClickHouseSettings } from '@clickhouse/client';
import type { ClickHouse } from '../clickhouse/connect.ts';
import { countRows, type TableCounts } from '../clickhouse/counts.ts';
import { initSchema, optimizeFinal, reloadDictionaries, type SchemaNames } from '../clickhouse/schema.ts';
import type { Config } from '../config/types.ts';
import { describeError, SinkError } from '../errors.ts';
import { LOAD_ORDER, TABLES, type TableKey } from '../formats/tables.ts';
import { runLoadDb } from '../run/runner.ts';

/** One thread end to end: identical insert blocks, hence identical MV output, on every run. */
export const DETERMINISTIC_INSERT: ClickHouseSettings = {
  max_threads: 1,
  max_insert_threads: '1',
  input_format_parallel_parsing: 0,
};

/** One statement with its bound values and settings, as sent to ClickHouse. */
export interface BoundStatement {
  readonly sql: string;
  readonly params: Readonly<Record<string, string>>;
  readonly settings: ClickHouseSettings;
}

/**
 * The INSERT that loads one dataset file into its table on an engine that reads the files
 * itself (`file()`: the embedded engine). xAPI goes in by emission time, as production receives
 * it: ReplacingMergeTree MVs keep the latest state per key, and "latest" must mean the same as in
 * a deployment.
 */
export function fileInsertStatement(key: TableKey, dir: string, names: SchemaNames): BoundStatement {
  const layout = TABLES[key];
  const db = layout.database === 'xapi' ? names.xapiDb : names.eventSinkDb;
  const table = layout.database === 'xapi' ? names.rawTable : layout.table;
  const columnList = layout.columns.map((c) => `\`${c.name}\``).join(', ');
  const structure = layout.columns.map((c) => `${c.name} ${c.type}`).join(', ');
  const order = key === 'xapi' ? ' ORDER BY emission_time, event_id' : '';
  return {
    sql: `INSERT INTO ${db}.${table} (${columnList}) SELECT * FROM file({path:String}, 'CSV', {structure:String})${order}`,
    params: { path: resolve(join(dir, layout.csvFile)), structure },
    settings: DETERMINISTIC_INSERT,
  };
}

export interface LoadDatasetOptions {
  /** Create the schema first. @default true */
  readonly initSchema?: boolean;
  readonly log?: (line: string) => void;
}

/**
 * Loads `dir` into the schema `names` and returns the row counts after `OPTIMIZE … FINAL`.
 *
 * @example
 * const counts = await loadDatasetDir(ch, '/tmp/dataset', DEFAULT_SCHEMA_NAMES);
 */
export async function loadDatasetDir(
  ch: ClickHouse,
  dir: string,
  names: SchemaNames,
  options: LoadDatasetOptions = {},
): Promise<TableCounts> {
  const log = options.log ?? (() => {});
  if (options.initSchema ?? true) await initSchema(ch, names);
  const written: Record<string, number> = {};
  const loadOne = async (key: TableKey) => {
    const layout = TABLES[key];
    const path = resolve(join(dir, layout.csvFile));
    try {
      await stat(path);
    } catch (error) {
      throw new SinkError(`Dataset file ${path} is missing: ${describeError(error)}`, written, { cause: error });
    }
    const db = layout.database === 'xapi' ? names.xapiDb : names.eventSinkDb;
    const table = layout.database === 'xapi' ? names.rawTable : layout.table;
    const columns = layout.columns.map((c) => c.name);
    const columnList = columns.map((c) => `\`${c}\``).join(', ');
    const structure = layout.columns.map((c) => `${c.name} ${c.type}`).join(', ');
    // xAPI by emission time, as in fileInsertStatement.
    const order = key === 'xapi' ? ' ORDER BY emission_time, event_id' : '';
    try {
      if (ch.kind === 'embedded') {
        const statement = fileInsertStatement(key, dir, names);
        await ch.client.command({
          query: statement.sql,
          query_params: statement.params,
          clickhouse_settings: statement.settings,
        });
      } else if (order === '') {
        await ch.client.insert({
          table: `${db}.${table}`,
          values: createReadStream(path).pipe(createGunzip()),
          format: 'CSV',
          columns: columns as [string, ...string[]],
          clickhouse_settings: DETERMINISTIC_INSERT,
        });
      } else {
        // A server cannot read this machine's files: stream into a staging table, then move the
        // rows over in time order.
        const stage = `${names.xapiDb}.xapi_db_load_report_stage_${randomBytes(4).toString('hex')}`;
        await ch.client.command({ query: `CREATE TABLE ${stage} (${structure}) ENGINE = MergeTree ORDER BY tuple()` });
        try {
          await ch.client.insert({
            table: stage,
            values: createReadStream(path).pipe(createGunzip()),
            format: 'CSV',
            columns: columns as [string, ...string[]],
          });
          await ch.client.command({
            query: `INSERT INTO ${db}.${table} (${columnList}) SELECT * FROM ${stage}${order}`,
            clickhouse_settings: DETERMINISTIC_INSERT,
          });
        } finally {
          await ch.client.command({ query: `DROP TABLE IF EXISTS ${stage} SYNC` });
        }
      }
    } catch (error) {
      throw new SinkError(
        `Cannot load ${layout.csvFile} into ${db}.${table} on ${ch.description}: ${describeError(error)}`,
        written,
        { cause: error },
      );
    }
    written[key] = 1;
    log(`Loaded ${layout.csvFile} into ${db}.${table}`);
  };
  for (const key of LOAD_ORDER) {
    if (key === 'xapi') continue;
    await loadOne(key);
  }
  await reloadDictionaries(ch, names);
  await loadOne('xapi');
  await optimizeFinal(ch, names);
  return countRows(ch, names);
}

/**
 * Generates the dataset of `config` as gzipped CSV files into `dir` (the csv backend, whatever
 * backend the config names): the form that is cached and loaded by {@link loadDatasetDir}.
 */
export async function generateDatasetDir(
  config: Config,
  dir: string,
  options: { readonly log?: (line: string) => void } = {},
): Promise<void> {
  const csvConfig: Config = Object.freeze({
    ...config,
    backend: 'csv',
    csvOutputDestination: dir.endsWith('/') ? dir : `${dir}/`,
    loadFromS3After: false,
  });
  await runLoadDb(csvConfig, options.log ? { log: options.log } : {});
}
