/** Picks the sink for a config's backend. */

import type { Config } from '../config/types.ts';
import { ConfigError } from '../errors.ts';
import { TABLE_KEYS } from '../formats/tables.ts';
import { localDestination } from '../storage/local.ts';
import { s3DestinationFromConfig } from '../storage/s3.ts';
import { createChdbNativeSink } from './chdb-native.ts';
import { createClickHouseSink } from './clickhouse.ts';
import { createCsvSink } from './csv.ts';
import { createRalphSink } from './ralph.ts';
import type { Sink } from './sink.ts';
import { createVectorSink } from './vector.ts';

/**
 * The ClickHouse part of the ralph and vector backends: event-sink tables and initial
 * enrollments. Its verification leaves the raw xAPI table out: Ralph (when it writes to the same
 * ClickHouse) or Vector may add statements to it while the run goes on; Ralph's acknowledgements
 * are that table's check.
 */
function clickhousePart(config: Config, options: CreateSinkOptions): Sink {
  return createClickHouseSink(config, {
    verifyTables: TABLE_KEYS.filter((key) => key !== 'xapi'),
    ...loadOptions(options),
  });
}

/** The options a sink that loads ClickHouse takes from the run. */
function loadOptions(options: CreateSinkOptions): {
  log?: (line: string) => void;
  signal?: AbortSignal;
  reset?: boolean;
} {
  return {
    ...(options.log ? { log: options.log } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.reset ? { reset: true } : {}),
  };
}

export interface CreateSinkOptions {
  /** Where `vector_output: -` writes. @default process.stdout */
  readonly stdout?: NodeJS.WritableStream;
  /** Informational lines from the sink (e.g. Ralph retries); never data. @default no output */
  readonly log?: (line: string) => void;
  /** The run's abort signal: a sink waiting on the network (Ralph) gives up when it fires. */
  readonly signal?: AbortSignal;
  /**
   * The ClickHouse part of the ralph and vector backends (event-sink tables, initial
   * enrollments). @default a ClickHouse sink built from the config
   */
  readonly clickhouse?: Sink;
  /** `--reset`: drop and recreate the databases when they hold data, instead of refusing. */
  readonly reset?: boolean;
}

/**
 * The sink of `config.backend`: csv (local or s3:// files), clickhouse, chdb (Native files),
 * ralph or vector (the last two with a ClickHouse part for the event-sink tables).
 *
 * @example
 * const result = await runLoadDb(config, { sink: createSink(config, { log: console.error }) });
 */
export function createSink(config: Config, options: CreateSinkOptions = {}): Sink {
  switch (config.backend) {
    case 'csv': {
      const dest = config.csvOutputDestination as string;
      if (dest.startsWith('s3://')) return createCsvSink(config, s3DestinationFromConfig(config, dest));
      return createCsvSink(config, localDestination(dest, 'csv_output_destination', options.log));
    }
    case 'ralph':
      return createRalphSink(config, {
        clickhouse: options.clickhouse ?? clickhousePart(config, options),
        ...(options.log ? { log: options.log } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    case 'vector':
      return createVectorSink(config, {
        clickhouse: options.clickhouse ?? clickhousePart(config, options),
        ...(options.stdout ? { stdout: options.stdout } : {}),
      });
    case 'clickhouse':
      return createClickHouseSink(config, loadOptions(options));
    case 'chdb':
      return createChdbNativeSink(config, loadOptions(options));
    default:
      throw new ConfigError([
        { key: 'backend', message: `backend: got "${config.backend}"; this backend is not available yet, use csv` },
      ]);
  }
}

export type { Sink, SinkSummary } from './sink.ts';
