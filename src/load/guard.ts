/**
 * The guard every load passes before it writes a row: the target's eight tables must be empty,
 * or hold only other shards of this very dataset. Anything else is refused with what is there
 * ("already loaded (complete)", "partially loaded, interrupted at …", "holds other data") and
 * only advice that cannot corrupt data: new database names, `--reset` (which says what it drops),
 * or a fresh directory for the embedded engine. Loading a second dataset into the same tables is
 * never advised: the fixed-id rows (taxonomy, tag, user_profile, object_tag) of both datasets
 * would collapse into each other (issue #9, D6).
 */

import { qualifiedTable } from '../clickhouse/bulk.ts';
import type { ClickHouse, ClickHouseTarget } from '../clickhouse/connect.ts';
import { dropSchema, type SchemaNames } from '../clickhouse/schema.ts';
import { describeError, LedgerStateError, XapiDbLoadError } from '../errors.ts';
import { TABLE_KEYS } from '../formats/tables.ts';
import { formatInt } from '../util/format.ts';
import { type LedgerEntry, ledgerTable, readLedger } from './ledger.ts';
import { countLoadedTables, type TableCountsByKey } from './verify.ts';

/** What the target holds, as the guard found it. */
export type TargetState =
  | { readonly kind: 'empty'; readonly ledger: readonly LedgerEntry[] }
  | { readonly kind: 'other-shards'; readonly ledger: readonly LedgerEntry[]; readonly counts: TableCountsByKey }
  | { readonly kind: 'complete'; readonly entry: LedgerEntry; readonly counts: TableCountsByKey }
  | { readonly kind: 'partial'; readonly entry: LedgerEntry; readonly counts: TableCountsByKey }
  | { readonly kind: 'other'; readonly counts: TableCountsByKey; readonly entry?: LedgerEntry };

/** The target is not empty: nothing was written. Exit code 1. */
export class TargetNotEmptyError extends LedgerStateError<TargetState> {}

export interface GuardOptions {
  /** `datasetHash(config).hex` of the dataset about to be loaded. */
  readonly datasetHash: string;
  /** `i/n` when this load is one shard of a sharded dataset. */
  readonly shard?: string;
  /** The target as configured, for the advice (the embedded engine's directory). */
  readonly target?: ClickHouseTarget;
  /** `--reset`: drop and recreate the project's databases instead of refusing. */
  readonly reset?: boolean;
  /** Recreates the schema after a reset (the caller's schema rule). */
  readonly recreate?: () => Promise<void>;
  readonly log?: (line: string) => void;
}

/** Whether the schema's raw xAPI table exists (a load guarded before the schema is created has nothing to check). */
export async function schemaExists(ch: ClickHouse, names: SchemaNames): Promise<boolean> {
  const rs = await ch.client.query({
    query: 'SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = {table:String}',
    query_params: { db: names.xapiDb, table: names.rawTable },
    format: 'JSONEachRow',
  });
  return Number((await rs.json<{ n: string | number }>())[0]?.n ?? 0) > 0;
}

/** Reads the eight tables' counts and the ledger, and classifies what the target holds. */
export async function inspectTarget(
  ch: ClickHouse,
  names: SchemaNames,
  datasetHash: string,
  shard?: string,
): Promise<TargetState> {
  let counts: TableCountsByKey;
  try {
    counts = await countLoadedTables(ch, names);
  } catch (error) {
    // countRows adds "Cannot count … on <target>"; the server's own words are enough here.
    const reason = describeError(error instanceof Error && error.cause !== undefined ? error.cause : error).trim();
    throw new XapiDbLoadError(
      `The Aspects tables are missing or unreadable on ${ch.description} (${ch.redact(reason)}); ` +
        'create them with `xapi-db-load init-schema` or set `init_schema: true`',
      { cause: error },
    );
  }
  const ledger = await readLedger(ch, names);
  const total = TABLE_KEYS.reduce((acc, key) => acc + counts[key], 0);
  // A failed load that wrote nothing left nothing to protect: loading again is safe.
  if (total === 0) return { kind: 'empty', ledger };
  const unfinished = ledger.find((e) => e.state !== 'complete');
  if (unfinished) return { kind: 'partial', entry: unfinished, counts };
  const foreign = ledger.find((e) => e.datasetHash !== datasetHash);
  if (ledger.length === 0 || foreign) return { kind: 'other', counts, ...(foreign ? { entry: foreign } : {}) };
  const same = ledger.find((e) => e.shard === '' || e.shard === (shard ?? ''));
  if (same) return { kind: 'complete', entry: same, counts };
  return { kind: 'other-shards', ledger, counts };
}

function describeCounts(names: SchemaNames, counts: TableCountsByKey): string {
  const filled = TABLE_KEYS.filter((key) => counts[key] > 0);
  if (filled.length === 0) return 'no rows';
  return filled.map((key) => `${qualifiedTable(names, key)} ${formatInt(counts[key])}`).join(', ');
}

/** The three ways out that cannot corrupt anything. */
export function safeAdvice(names: SchemaNames, target?: ClickHouseTarget): string {
  const fresh =
    target?.kind === 'embedded' && target.path !== undefined && target.path !== ':memory:'
      ? `, or point db_host at a fresh directory (embedded:<new dir>) instead of ${target.path}`
      : '';
  return (
    'Nothing was written. To load this dataset: set db_name, db_event_sink_name and db_reporting_name to new ' +
    `databases; or run again with --reset, which drops and recreates ${names.xapiDb}, ${names.eventSinkDb} and ` +
    `${names.reportingDb} (everything in them)${fresh}.`
  );
}

/** One line saying what the target holds. */
export function describeTargetState(state: TargetState, names: SchemaNames): string {
  const ledger = ledgerTable(names);
  switch (state.kind) {
    case 'empty':
      return 'empty';
    case 'other-shards':
      return `other shards of this dataset (${state.ledger.map((e) => e.shard).join(', ')})`;
    case 'complete':
      return (
        `already loaded (complete): this dataset (${state.entry.datasetHash.slice(0, 16)}` +
        `${state.entry.shard ? `, shard ${state.entry.shard}` : ''}) was loaded on ${state.entry.updatedAt} ` +
        `(${ledger}, load ${state.entry.loadId}; ${describeCounts(names, state.counts)})`
      );
    case 'partial': {
      const e = state.entry;
      const how = e.state === 'failed' ? `failed at ${e.phase}` : `interrupted at ${e.phase}`;
      const why = e.message ? `: ${e.message}` : e.state === 'loading' ? ' (the process stopped without a word)' : '';
      return (
        `partially loaded, ${how}${why} (load ${e.loadId} of dataset ${e.datasetHash.slice(0, 16)}, started ` +
        `${e.startedAt}, last recorded ${e.updatedAt}; now ${describeCounts(names, state.counts)})`
      );
    }
    case 'other':
      return state.entry
        ? `holds other data: dataset ${state.entry.datasetHash.slice(0, 16)} loaded on ${state.entry.updatedAt} ` +
            `(${describeCounts(names, state.counts)})`
        : `holds other data (${describeCounts(names, state.counts)}; no load recorded in ${ledger})`;
  }
}

/**
 * Refuses a load into tables that hold data, before anything is written; with `reset`, says what
 * it drops, drops the three databases and recreates the schema. Returns the counts before the load.
 * @throws TargetNotEmptyError saying what the target holds and the safe ways out.
 */
export async function guardTarget(
  ch: ClickHouse,
  names: SchemaNames,
  options: GuardOptions,
): Promise<TableCountsByKey> {
  const log = options.log ?? (() => {});
  const state = await inspectTarget(ch, names, options.datasetHash, options.shard);
  if (state.kind === 'empty') {
    // Earlier loads that left no rows (failed at once, or reset) are history: the ledger then
    // lists exactly the loads whose rows the tables hold.
    if (state.ledger.length > 0) await ch.client.command({ query: `TRUNCATE TABLE ${ledgerTable(names)}` });
    return Object.fromEntries(TABLE_KEYS.map((k) => [k, 0])) as TableCountsByKey;
  }
  if (state.kind === 'other-shards') return state.counts;
  const what = describeTargetState(state, names);
  if (options.reset) {
    log(
      `--reset: ${ch.description} ${what}. Dropping the databases ${names.reportingDb}, ${names.xapiDb} and ` +
        `${names.eventSinkDb} with everything in them, then recreating the schema`,
    );
    await dropSchema(ch, names);
    if (options.recreate) await options.recreate();
    return Object.fromEntries(TABLE_KEYS.map((k) => [k, 0])) as TableCountsByKey;
  }
  throw new TargetNotEmptyError(
    `Refusing to load into ${names.xapiDb} / ${names.eventSinkDb} on ${ch.description}: ${what}. ` +
      safeAdvice(names, options.target),
    state,
  );
}
