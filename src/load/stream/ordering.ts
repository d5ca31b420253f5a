/**
 * The order in which a streamed load's xAPI statements reach the raw table.
 *
 * - `generation`: batches go straight into the raw table as generated.
 * - chronological, embedded (`file` path): each generated row goes to a temporary file of its
 *   emission month; at the end the months are loaded in order, each range sorted as ClickHouse
 *   reads it (every row parsed once, no staging table written).
 * - chronological, servers (`client` path): batches go to a staging table without materialized
 *   views, then move into the raw table day range by day range, in time order; the staging
 *   table is dropped at the end (and on failure).
 *
 * In time order, "most recent" views keep the latest row, as with a production event stream.
 */

import {
  CHRONOLOGICAL_ORDER,
  createStagingTable,
  dropTable,
  type MoveRange,
  moveRange,
  planMoves,
  qualifiedTable,
  stagingTableName,
} from '../../clickhouse/bulk.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { createMonthFiles, formatMonth, type MonthFiles } from '../../clickhouse/month-files.ts';
import type { SchemaNames } from '../../clickhouse/schema.ts';
import { formatInt } from '../../util/format.ts';
import type { CsvChunk } from './batching.ts';
import { insertCsv, withRetry } from './insert-path.ts';

/** What an ordering needs from the load it is part of. */
export interface OrderingContext {
  readonly ch: ClickHouse;
  readonly names: SchemaNames;
  readonly log: (line: string) => void;
  /** Wraps a failure with what the load already wrote. */
  readonly failure: (what: string, error: unknown) => Error;
  /** Throws when the run was aborted (checked between ranges). */
  readonly stopIfAborted: () => void;
  /** Rows that reached the raw table. */
  readonly commit: (rows: number) => void;
  /** Cancels the statement running when the run is aborted. */
  readonly signal?: AbortSignal;
}

export interface XapiOrdering {
  /** Table xAPI batches are inserted into, or `null` when the ordering takes the chunks itself. */
  readonly batchInto: string | null;
  /** Where held statements wait, for messages ("temporary month files", the staging table). */
  readonly heldIn: string;
  /** Takes a chunk (orderings with `batchInto: null` only). */
  accept(chunk: CsvChunk): Promise<void>;
  /** Moves every held statement into the raw table, in order. */
  finish(): Promise<void>;
  /** Removes what it holds (staging table); the caller removes the temporary directory. Never throws. */
  abort(): Promise<void>;
}

/** Statements go into the raw table as generated. */
export function generationOrder(names: SchemaNames): XapiOrdering {
  return {
    batchInto: qualifiedTable(names, 'xapi'),
    heldIn: 'nowhere',
    async accept() {
      throw new Error('generation order: chunks are batched, not held');
    },
    async finish() {},
    async abort() {},
  };
}

/** Chronological on the embedded engine: month files in `dir`, loaded in ranges of about `moveBytes`. */
export function monthFileOrder(context: OrderingContext, dir: string, moveBytes: number): XapiOrdering {
  const { ch, names, log, failure } = context;
  const files: MonthFiles = createMonthFiles(dir);
  const raw = qualifiedTable(names, 'xapi');
  return {
    batchInto: null,
    heldIn: 'temporary month files',
    async accept(chunk) {
      try {
        await files.add(chunk.data);
      } catch (error) {
        throw failure(`Writing xAPI chunk ${chunk.index} to the temporary month files`, error);
      }
    },
    async finish() {
      try {
        await files.finish();
      } catch (error) {
        throw failure('Writing the temporary xAPI month files', error);
      }
      const ranges = files.ranges(moveBytes);
      if (ranges.length > 0) {
        log(
          `Loading ${formatInt(files.rows)} xAPI statements into ${raw} in time order ` +
            `(${ranges.length} range${ranges.length === 1 ? '' : 's'}, ${formatMonth(ranges[0]?.first ?? 0)} … ${formatMonth(ranges.at(-1)?.last ?? 0)})`,
        );
      }
      for (const range of ranges) {
        // Ctrl-C stops between ranges, and cancels the one running (issue #9, D7).
        context.stopIfAborted();
        try {
          await insertCsv(ch, 'xapi', raw, { path: range.path }, log, {
            orderBy: CHRONOLOGICAL_ORDER,
            ...(context.signal ? { signal: context.signal } : {}),
          });
        } catch (error) {
          context.stopIfAborted();
          throw failure(
            `Loading the xAPI statements of ${formatMonth(range.first)} … ${formatMonth(range.last)} (${formatInt(range.rows)} rows) into ${raw}`,
            error,
          );
        }
        context.commit(range.rows);
      }
    },
    abort: () => files.abort(),
  };
}

/** Chronological on a server: a staging table, moved in day ranges of about `moveRows` rows. */
export async function stagingOrder(context: OrderingContext, moveRows: number): Promise<XapiOrdering> {
  const { ch, names, log, failure } = context;
  const client = ch.client;
  const raw = qualifiedTable(names, 'xapi');
  const name = stagingTableName(names);
  try {
    await createStagingTable(client, name);
  } catch (error) {
    throw failure(`Creating the xAPI staging table ${name}`, error);
  }
  let staging: string | undefined = name;
  return {
    batchInto: name,
    heldIn: name,
    async accept() {
      throw new Error('staging order: chunks are batched, not held');
    },
    async finish() {
      if (!staging) return;
      const from = staging;
      let ranges: readonly MoveRange[];
      try {
        ranges = await planMoves(client, from, moveRows);
      } catch (error) {
        throw failure(`Reading the staged xAPI statements in ${from}`, error);
      }
      if (ranges.length > 0) {
        const rows = ranges.reduce((n, r) => n + r.rows, 0);
        log(
          `Moving ${formatInt(rows)} xAPI statements into ${raw} in time order ` +
            `(${ranges.length} range${ranges.length === 1 ? '' : 's'}, ${ranges[0]?.first} … ${ranges.at(-1)?.last})`,
        );
      }
      for (const range of ranges) {
        // Ctrl-C stops between ranges, not after the whole move (issue #9, D7).
        context.stopIfAborted();
        try {
          await withRetry(ch, `move ${range.first}…${range.last}`, () => moveRange(client, from, raw, range), log);
        } catch (error) {
          throw failure(
            `Moving the xAPI statements of ${range.first} … ${range.last} (${formatInt(range.rows)} rows) from ${from} into ${raw}`,
            error,
          );
        }
        context.commit(range.rows);
      }
      try {
        await dropTable(client, from);
      } catch (error) {
        throw failure(`Dropping the staging table ${from}`, error);
      }
      staging = undefined;
    },
    async abort() {
      if (!staging) return;
      const table = staging;
      staging = undefined;
      try {
        await dropTable(client, table);
      } catch (error) {
        // abort never throws: the original failure is what the caller reports.
        log(`cleanup after failure also failed: dropping ${table}: ${String(error)}`);
      }
    },
  };
}
