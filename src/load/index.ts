/**
 * THE load stage: every entry point that puts a dataset into ClickHouse (load-db's file loads,
 * load-db-from-s3, load_from_s3_after, seedAspects, report, the Action) calls
 * {@link loadDataset}. It owns the schema rule (`init_schema`), the guard and the load ledger,
 * the order (event-sink tables, dictionary reload, xAPI per `xapi_load_order`),
 * `OPTIMIZE … FINAL` per `optimize_final`, the verification of every table and the headlines.
 */

import type { ClickHouse } from '../clickhouse/connect.ts';
import type { NativeLocation } from '../clickhouse/native-files.ts';
import type { SchemaNames } from '../clickhouse/schema.ts';
import type { Config } from '../config/types.ts';
import type { DatasetPlan } from '../generate/dataset.ts';
import { bulkLoadCsv, type CsvBulkLoadResult, type CsvSource } from './csv.ts';

/** What is loaded: the eight CSV files (local or a URL ClickHouse reads), or Native files. */
export type DatasetInput =
  | { readonly kind: 'csv'; readonly source: CsvSource }
  | { readonly kind: 'native'; readonly location: NativeLocation };

/** Where it is loaded: an open ClickHouse and the schema's names. */
export interface LoadTarget {
  readonly clickhouse: ClickHouse;
  readonly names: SchemaNames;
}

export interface LoadOptions {
  /** The config: S3 credentials, `db_cluster`, `xapi_load_order`, `optimize_final`, `init_schema`, the dataset. */
  readonly config: Config;
  /** The dataset the input holds, when the caller knows it (it just wrote it). */
  readonly plan?: DatasetPlan;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export type LoadResult = CsvBulkLoadResult;

/**
 * Loads a dataset into ClickHouse, verified and recorded.
 *
 * @example
 * await using ch = await createClickHouse({ kind: 'embedded' });
 * const result = await loadDataset({ kind: 'csv', source }, { clickhouse: ch, names }, { config });
 */
export async function loadDataset(input: DatasetInput, target: LoadTarget, options: LoadOptions): Promise<LoadResult> {
  if (input.kind !== 'csv') throw new Error('loadDataset: native input not wired yet');
  return bulkLoadCsv(target.clickhouse, options.config, {
    source: input.source,
    ...(options.plan ? { plan: options.plan } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
