/**
 * Verification after every load, whatever the backend: the rows the dataset plan says each
 * table gets, against the rows ClickHouse actually holds. A mismatch is a
 * {@link VerificationError} that prints both numbers for every table.
 *
 * Counts are deltas when the tables held rows before the load (`before`), so a load that adds
 * to existing data (another seed, another shard) verifies what it added.
 *
 * @example
 * const before = await countLoadedTables(ch, names);
 * // … load …
 * const report = await verifyLoad(ch, names, plan, { before }); // throws on a mismatch
 */

import type { ClickHouseClient } from '@clickhouse/client';
import { qualifiedTable } from '../clickhouse/bulk.ts';
import type { ClickHouse } from '../clickhouse/connect.ts';
import { countRows, type LoadedTable } from '../clickhouse/counts.ts';
import type { SchemaNames } from '../clickhouse/schema.ts';
import { VerificationError } from '../errors.ts';
import { TABLE_KEYS, type TableKey } from '../formats/tables.ts';
import type { DatasetPlan } from '../generate/dataset.ts';
import { formatInt } from '../util/format.ts';
import { optimizeFinalCancellable } from './stream/cancel.ts';

export type TableCountsByKey = Readonly<Record<TableKey, number>>;

export interface TableVerification {
  readonly key: TableKey;
  /** `db.table` in ClickHouse. */
  readonly table: string;
  /** Rows the plan says this load adds. */
  readonly expected: number;
  /** Rows the table held before the load. */
  readonly before: number;
  /** Rows the table holds now. */
  readonly after: number;
  /** `after − before`: what this load added. */
  readonly loaded: number;
  readonly ok: boolean;
}

export interface VerificationReport {
  readonly ok: boolean;
  readonly tables: readonly TableVerification[];
}

export interface VerifyOptions {
  /** Counts taken before the load; zero when absent. */
  readonly before?: Partial<TableCountsByKey>;
  /** Tables to check (a backend that writes only some of them). @default every table */
  readonly tables?: readonly TableKey[];
  /** Where the counts came from, for the error message, e.g. the ClickHouse description. */
  readonly where?: string;
}

/** ClickHouse table name → our table key (the raw xAPI table stands under `xapi_events_all`). */
export const LOADED_TABLE_OF: Readonly<Record<TableKey, LoadedTable>> = {
  courseOverviews: 'course_overviews',
  courseBlocks: 'course_blocks',
  objectTags: 'object_tag',
  taxonomies: 'taxonomy',
  tags: 'tag',
  externalIds: 'external_id',
  userProfiles: 'user_profile',
  xapi: 'xapi_events_all',
};

/**
 * Counts by table key as counts by ClickHouse table name (`course_overviews`, …,
 * `xapi_events_all`): the one spelling users see (the Action's `counts` output, summaries).
 */
export function countsByTableName(counts: Readonly<Partial<Record<TableKey, number>>>): Record<LoadedTable, number> {
  return Object.fromEntries(TABLE_KEYS.map((key) => [LOADED_TABLE_OF[key], counts[key] ?? 0])) as Record<
    LoadedTable,
    number
  >;
}

/** Rows now in the eight loaded tables, by table key. */
export async function countLoadedTables(
  target: ClickHouse | ClickHouseClient,
  names: SchemaNames,
): Promise<TableCountsByKey> {
  const counts = await countRows(target, names);
  return Object.freeze(
    Object.fromEntries(TABLE_KEYS.map((key) => [key, counts[LOADED_TABLE_OF[key]]])) as Record<TableKey, number>,
  );
}

/** Compares counts with the plan; pure, never throws. */
export function compareCounts(
  plan: DatasetPlan,
  names: SchemaNames,
  after: Partial<TableCountsByKey>,
  options: Pick<VerifyOptions, 'before' | 'tables'> = {},
): VerificationReport {
  const keys = options.tables ?? TABLE_KEYS;
  const tables = keys.map((key): TableVerification => {
    const before = options.before?.[key] ?? 0;
    const now = after[key] ?? 0;
    const expected = plan.tables[key].rows;
    return {
      key,
      table: qualifiedTable(names, key),
      expected,
      before,
      after: now,
      loaded: now - before,
      ok: now - before === expected,
    };
  });
  return { ok: tables.every((t) => t.ok), tables };
}

/** A table of expected vs actual rows, one line per table, mismatches marked. */
export function formatVerification(report: VerificationReport): string {
  const withBefore = report.tables.some((t) => t.before > 0);
  const header = ['table', 'expected', 'in ClickHouse', ...(withBefore ? ['before load', 'added'] : []), ''];
  const rows = report.tables.map((t) => [
    t.table,
    formatInt(t.expected),
    formatInt(t.after),
    ...(withBefore ? [formatInt(t.before), formatInt(t.loaded)] : []),
    t.ok ? 'ok' : `MISMATCH (${signed(t.loaded - t.expected)})`,
  ]);
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((r) => (r[col] ?? '').length)));
  return all
    .map((r) =>
      r
        .map((cell, col) =>
          col === 0 || col === r.length - 1 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The error for a failed report: every table with both numbers, and a hint when data pre-existed. */
export function verificationError(report: VerificationReport, where?: string): VerificationError {
  const bad = report.tables.filter((t) => !t.ok);
  const lines = [
    `Verification failed${where ? ` on ${where}` : ''}: ${bad.length} of ${report.tables.length} tables ` +
      `do not hold the rows the dataset plan expects (${bad.map((t) => `${t.table} expected ${formatInt(t.expected)}, found ${formatInt(t.loaded)}`).join('; ')})`,
    formatVerification(report),
  ];
  if (report.tables.some((t) => t.before > 0)) {
    lines.push(
      'The tables held rows before this load. Loading the same dataset again (same seed) collapses rows with the ' +
        'same keys in ReplacingMergeTree tables: load into empty databases (drop them, pick new db_name / ' +
        'db_event_sink_name / db_reporting_name, or delete the embedded data directory).',
    );
  }
  return new VerificationError(lines.join('\n'), { tables: report.tables });
}

/**
 * Counts the loaded tables and compares them with the plan.
 * @throws VerificationError listing expected and actual rows per table when any differs.
 */
export async function verifyLoad(
  target: ClickHouse | ClickHouseClient,
  names: SchemaNames,
  plan: DatasetPlan,
  options: VerifyOptions = {},
): Promise<VerificationReport> {
  const after = await countLoadedTables(target, names);
  const report = compareCounts(plan, names, after, options);
  const where = options.where ?? ('description' in target ? target.description : undefined);
  if (!report.ok) throw verificationError(report, where);
  return report;
}

export interface FinishLoadOptions extends VerifyOptions {
  /** Run `OPTIMIZE … FINAL` first (`optimize_final`). */
  readonly optimize: boolean;
  /** Cancels a running `OPTIMIZE` (Ctrl-C). */
  readonly signal?: AbortSignal;
  readonly log: (line: string) => void;
  /** Wraps a ClickHouse error with what was being done (the sink's own error with counts). */
  readonly failure: (what: string, error: unknown) => Error;
}

/**
 * The end of every load into ClickHouse: `OPTIMIZE … FINAL` when asked, then the rows are
 * counted and compared with the plan. Returns the counts after the load.
 * @throws VerificationError on a mismatch; `failure(…)` for a ClickHouse error.
 */
export async function finishLoad(
  ch: ClickHouse,
  names: SchemaNames,
  plan: DatasetPlan,
  options: FinishLoadOptions,
): Promise<TableCountsByKey> {
  if (options.optimize) {
    options.log('OPTIMIZE … FINAL on the ReplacingMergeTree tables, so reports read one row per key');
    try {
      await optimizeFinalCancellable(ch, names, options.signal);
    } catch (error) {
      throw options.failure('OPTIMIZE … FINAL', error);
    }
  }
  let after: TableCountsByKey;
  try {
    after = await countLoadedTables(ch, names);
  } catch (error) {
    throw options.failure('Counting the loaded rows', error);
  }
  const report = compareCounts(plan, names, after, options);
  if (!report.ok) throw verificationError(report, options.where ?? ch.description);
  options.log(`Verified: every table holds the rows the dataset plan expects (${report.tables.length} tables)`);
  return after;
}

function signed(n: number): string {
  return n > 0 ? `+${formatInt(n)}` : `−${formatInt(-n)}`;
}
