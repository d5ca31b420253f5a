/**
 * The load ledger: one row per load in `{db_name}.xapi_db_load_ledger`, so the next load can
 * say precisely what the databases hold before it writes anything.
 *
 * ```sql
 * CREATE TABLE {db_name}.xapi_db_load_ledger (
 *   load_id String,                -- random, one per load
 *   version UInt32,                -- bumped at every state change (ReplacingMergeTree keeps the last)
 *   dataset_hash String,           -- datasetHash(config).hex
 *   shard String,                  -- "i/n" of a sharded load, "" otherwise
 *   config_summary String,         -- JSON: seed, backend, input, xapi_load_order, optimize_final
 *   started_at DateTime64(3, 'UTC'),
 *   updated_at DateTime64(3, 'UTC'),
 *   state LowCardinality(String),  -- loading | complete | failed | interrupted
 *   phase String,                  -- the step it was at: event sink, xAPI, OPTIMIZE, verification
 *   rows Map(String, UInt64),      -- rows per table this load put in, at updated_at
 *   message String                 -- why it failed or stopped
 * ) ENGINE = ReplacingMergeTree(version) ORDER BY load_id
 * ```
 *
 * A process killed without a chance to write (SIGKILL, power loss) leaves its row in `loading`:
 * the next load reads that as "partially loaded, interrupted at <phase>".
 */

import { randomBytes } from 'node:crypto';
import type { ClickHouse } from '../clickhouse/connect.ts';
import type { SchemaNames } from '../clickhouse/schema.ts';
import { describeError, XapiDbLoadError } from '../errors.ts';

export const LEDGER_TABLE = 'xapi_db_load_ledger';

export type LedgerState = 'loading' | 'complete' | 'failed' | 'interrupted';

/** One load as the ledger holds it. */
export interface LedgerEntry {
  readonly loadId: string;
  readonly datasetHash: string;
  readonly shard: string;
  readonly configSummary: string;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly state: LedgerState;
  readonly phase: string;
  readonly rows: Readonly<Record<string, number>>;
  readonly message: string;
}

/** `db.xapi_db_load_ledger` of a schema. */
export function ledgerTable(names: SchemaNames): string {
  return `${names.xapiDb}.${LEDGER_TABLE}`;
}

/** The ledger's DDL (documented in the README's "Load ledger" section). */
export function ledgerDdl(names: SchemaNames): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${ledgerTable(names)} (` +
    'load_id String, version UInt32, dataset_hash String, shard String, config_summary String, ' +
    "started_at DateTime64(3, 'UTC'), updated_at DateTime64(3, 'UTC'), state LowCardinality(String), " +
    'phase String, rows Map(String, UInt64), message String' +
    ') ENGINE = ReplacingMergeTree(version) ORDER BY load_id'
  );
}

/** Every load recorded in the schema's ledger, oldest first; empty when there is no ledger. */
export async function readLedger(ch: ClickHouse, names: SchemaNames): Promise<LedgerEntry[]> {
  const exists = await ch.client.query({
    query: 'SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = {table:String}',
    query_params: { db: names.xapiDb, table: LEDGER_TABLE },
    format: 'JSONEachRow',
  });
  if (Number((await exists.json<{ n: string | number }>())[0]?.n ?? 0) === 0) return [];
  const rs = await ch.client.query({
    query:
      'SELECT load_id, dataset_hash, shard, config_summary, ' +
      "formatDateTime(started_at, '%Y-%m-%d %H:%i:%S UTC', 'UTC') AS started_at, " +
      "formatDateTime(updated_at, '%Y-%m-%d %H:%i:%S UTC', 'UTC') AS updated_at, " +
      `state, phase, rows, message FROM ${ledgerTable(names)} FINAL ORDER BY started_at, load_id`,
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{
    load_id: string;
    dataset_hash: string;
    shard: string;
    config_summary: string;
    started_at: string;
    updated_at: string;
    state: LedgerState;
    phase: string;
    rows: Record<string, string | number>;
    message: string;
  }>();
  return rows.map((r) => ({
    loadId: r.load_id,
    datasetHash: r.dataset_hash,
    shard: r.shard,
    configSummary: r.config_summary,
    startedAt: r.started_at,
    updatedAt: r.updated_at,
    state: r.state,
    phase: r.phase,
    rows: Object.fromEntries(Object.entries(r.rows).map(([k, v]) => [k, Number(v)])),
    message: r.message,
  }));
}

export interface LedgerStart {
  readonly datasetHash: string;
  /** `i/n` of a sharded load. */
  readonly shard?: string;
  /** Short JSON of what determines the load (never secrets). */
  readonly configSummary: string;
}

/** A load being recorded: every call writes a new version of its row. */
export interface LedgerRecord {
  readonly loadId: string;
  /** The step now running (recorded, so an interrupted load says where it stopped). */
  phase(phase: string, rows?: Readonly<Record<string, number>>): Promise<void>;
  /** Terminal state. Never throws: a ledger write failure is logged, the load's own outcome stands. */
  finish(
    state: Exclude<LedgerState, 'loading'>,
    rows: Readonly<Record<string, number>>,
    message?: string,
  ): Promise<void>;
}

/**
 * Creates the ledger if missing and records a new load in state `loading`.
 *
 * @example
 * const record = await beginLoad(ch, names, { datasetHash: hash.hex, configSummary: '{}' }, log);
 * await record.phase('xAPI');
 * await record.finish('complete', { xapi_events_all: 8100 });
 */
export async function beginLoad(
  ch: ClickHouse,
  names: SchemaNames,
  start: LedgerStart,
  log: (line: string) => void = () => {},
): Promise<LedgerRecord> {
  const loadId = randomBytes(8).toString('hex');
  const startedAt = new Date().toISOString();
  let version = 0;
  let phase = 'starting';
  let rows: Readonly<Record<string, number>> = {};
  const write = async (state: LedgerState, message: string): Promise<void> => {
    version += 1;
    await ch.client.insert({
      table: ledgerTable(names),
      format: 'JSONEachRow',
      values: [
        {
          load_id: loadId,
          version,
          dataset_hash: start.datasetHash,
          shard: start.shard ?? '',
          config_summary: start.configSummary,
          started_at: startedAt,
          updated_at: new Date().toISOString(),
          state,
          phase,
          rows,
          message,
        },
      ],
      clickhouse_settings: { date_time_input_format: 'best_effort' },
    });
  };
  try {
    await ch.client.command({ query: ledgerDdl(names) });
    await write('loading', '');
  } catch (error) {
    throw new XapiDbLoadError(
      `Cannot record the load in ${ledgerTable(names)} on ${ch.description}: ${ch.redact(describeError(error))}`,
      { cause: error },
    );
  }
  return {
    loadId,
    async phase(next, nextRows) {
      phase = next;
      if (nextRows) rows = nextRows;
      await write('loading', '');
    },
    async finish(state, finalRows, message = '') {
      rows = finalRows;
      try {
        await write(state, message);
      } catch (error) {
        log(`Could not mark the load ${state} in ${ledgerTable(names)}: ${ch.redact(describeError(error))}`);
      }
    },
  };
}
