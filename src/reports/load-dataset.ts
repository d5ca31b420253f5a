/**
 * Loads a dataset directory (the eight gzipped CSV files of the csv backend, e.g. a restored
 * cache entry) through the load stage ({@link loadDataset}): the same order, settings,
 * `xapi_load_order`, `optimize_final`, guard, ledger and verification as every other entry
 * point, so a report baseline does not depend on which entry point loaded the data. The
 * embedded engine reads the files itself (`file()`); a server gets them streamed.
 */

import type { ClickHouse } from '../clickhouse/connect.ts';
import { countRows, type TableCounts } from '../clickhouse/counts.ts';
import { type SchemaNames, schemaNamesFromConfig } from '../clickhouse/schema.ts';
import type { Config } from '../config/types.ts';
import { loadDataset } from '../load/index.ts';
import { runLoadDb } from '../run/runner.ts';

export interface LoadDatasetOptions {
  /** Create the schema first. @default true */
  readonly initSchema?: boolean;
  /** Load into these databases instead of the config's (`db_name`, `db_event_sink_name`, `db_reporting_name`). */
  readonly names?: SchemaNames;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

/**
 * Loads `dir` (the dataset `config` describes) and returns the row counts after the load.
 *
 * @example
 * const counts = await loadDatasetDir(ch, '/tmp/dataset', config);
 */
export async function loadDatasetDir(
  ch: ClickHouse,
  dir: string,
  config: Config,
  options: LoadDatasetOptions = {},
): Promise<TableCounts> {
  const names = options.names ?? schemaNamesFromConfig(config, config.dbReportingName);
  await loadDataset(
    { kind: 'csv', source: { kind: 'local', directory: dir, from: 'dataset directory' }, stream: true },
    { clickhouse: ch, names },
    {
      config: {
        ...config,
        dbName: names.xapiDb,
        dbEventSinkName: names.eventSinkDb,
        dbReportingName: names.reportingDb,
      },
      initSchema: options.initSchema ?? true,
      ...(options.log ? { log: options.log } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
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
