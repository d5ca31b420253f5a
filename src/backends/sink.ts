/**
 * A sink receives the dataset's chunks in load order (event-sink tables first, xAPI last) and
 * writes them somewhere: files, ClickHouse, Ralph, a Vector log. One interface, one file per
 * implementation, `createSink` picks one.
 */

import type { TableKey } from '../formats/tables.ts';
import type { DatasetPlan } from '../generate/dataset.ts';
import type { ChunkEncoding } from '../generate/encode.ts';
import type { TableCountsByKey } from '../load/verify.ts';
import type { ChunkResult } from './chunk.ts';

/** How a sink wants a table's chunks made. */
export interface ChunkFormat {
  readonly encoding: ChunkEncoding;
  /** gzip level, or `null` for plain text. */
  readonly gzipLevel: number | null;
  readonly withIds: boolean;
  /**
   * Consecutive chunks made and delivered as one (one gzip member, one write). Must depend on
   * the config only, never on the worker count, so output bytes stay the same.
   */
  readonly group: number;
}

export interface TableWriteSummary {
  readonly rows: number;
  /** Bytes written (compressed when the sink compresses). */
  readonly bytes: number;
  /** Bytes of encoded text before compression. */
  readonly rawBytes: number;
  /** File path, URL or `db.table` the rows went to. */
  readonly location: string;
}

/** What a load left in ClickHouse: counts per table and numbers read back from the reports. */
export interface ClickHouseLoadSummary {
  /** Rows per table in ClickHouse after the load (verified against the plan). */
  readonly counts: Partial<TableCountsByKey>;
  /** Rows per table before the load, when the tables were not empty. */
  readonly before?: Partial<TableCountsByKey>;
  /** Headline numbers read back from the reporting tables. */
  readonly headlines?: {
    readonly enrolledLearners: number;
    readonly videoPlays: number;
    readonly problemAttempts: number;
  };
}

export interface SinkSummary {
  readonly tables: Partial<Record<TableKey, TableWriteSummary>>;
  /** Extra lines for the final summary (e.g. Ralph's inserted / already present counts). */
  readonly notes: readonly string[];
  /** Set by backends that load ClickHouse: the summary then shows an "in ClickHouse" column. */
  readonly clickhouse?: ClickHouseLoadSummary;
}

export interface Sink {
  /** Printable description of where data goes (no secrets). */
  readonly description: string;
  /** Cheap checks that must fail before any generation starts (writable dir, reachable server…). */
  preflight(): Promise<void>;
  /** Which tables this sink writes, in order; the runner generates only these. */
  tables(): readonly TableKey[];
  /**
   * How chunks of `table` starting at `index` are made. A sink may answer differently for the
   * xAPI table's enrollment chunks (`index < plan.enrollmentChunks`) and its random batches; a
   * group must not span that boundary.
   */
  chunkFormat(table: TableKey, index: number): ChunkFormat;
  open(plan: DatasetPlan): Promise<void>;
  write(chunk: ChunkResult): Promise<void>;
  /** Called once every chunk of `table` was written (e.g. to reload dictionaries before xAPI). */
  endTable?(table: TableKey): Promise<void>;
  /** Finishes every table; after this the data is complete and visible. */
  close(): Promise<SinkSummary>;
  /** Undoes what can be undone (temporary files) after a failure (`reason`), and records it. Never throws. */
  abort(reason?: unknown): Promise<void>;
}
