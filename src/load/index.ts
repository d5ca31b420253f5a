/**
 * THE load stage: every entry point that loads files into ClickHouse (load-db --load_db_only,
 * load-db-from-s3, load_from_s3_after, seedAspects, report, the Action) calls
 * {@link loadDataset}. In this order it owns:
 *
 * 1. the schema rule (`init_schema`; by default yes on the embedded engine and containers);
 * 2. the input checks (every file there, its dataset known), which read and never write;
 * 3. the guard ({@link guardTarget}): a target that holds data is refused before anything is
 *    written, or dropped and recreated with `reset`;
 * 4. the ledger row ({@link beginLoad}), updated at every phase;
 * 5. event-sink tables, the dictionary reload, then xAPI (`ORDER BY emission_time, event_id`
 *    with `xapi_load_order: chronological`);
 * 6. `OPTIMIZE … FINAL` per `optimize_final`, verification of every table (expected vs actual),
 *    the headline numbers, and the ledger marked complete.
 *
 * A failure or an interruption marks the ledger (`failed` / `interrupted`, with the phase and
 * rows per table) and the error lists the tables the load already filled.
 */

import { type Headlines, readHeadlines } from '../clickhouse/bulk.ts';
import type { ClickHouse, ClickHouseTarget } from '../clickhouse/connect.ts';
import type { NativeFile, NativeLocation } from '../clickhouse/native-files.ts';
import { dictionaryNames, initSchema, type SchemaNames } from '../clickhouse/schema.ts';
import { datasetHash } from '../config/dataset-hash.ts';
import type { Config } from '../config/types.ts';
import { describeError, InterruptedError, SinkError, VerificationError, XapiDbLoadError } from '../errors.ts';
import { TABLE_KEYS, type TableKey } from '../formats/tables.ts';
import type { DatasetPlan } from '../generate/dataset.ts';
import { type Clock, systemClock } from '../util/clock.ts';
import { formatInt } from '../util/format.ts';
import { type CsvSource, prepareCsvInput } from './csv.ts';
import { guardTarget, safeAdvice } from './guard.ts';
import { beginLoad, ledgerTable } from './ledger.ts';
import { prepareNativeInput } from './native.ts';
import { optimizeFinalCancellable } from './stream/cancel.ts';
import {
  compareCounts,
  countLoadedTables,
  LOADED_TABLE_OF,
  type TableCountsByKey,
  verificationError,
} from './verify.ts';

export {
  describeTargetState,
  guardTarget,
  inspectTarget,
  safeAdvice,
  TargetNotEmptyError,
  type TargetState,
} from './guard.ts';
export { beginLoad, type LedgerEntry, type LedgerState, ledgerDdl, ledgerTable, readLedger } from './ledger.ts';

/** What is loaded: the eight CSV files (a local directory or a URL ClickHouse reads), or Native files. */
export type DatasetInput =
  | {
      readonly kind: 'csv';
      readonly source: CsvSource;
      /**
       * A local directory on a server: stream the files through the client (the server cannot
       * read them). `always`: stream on the embedded engine too (tests of the server path).
       */
      readonly stream?: boolean | 'always';
    }
  | {
      readonly kind: 'native';
      readonly location: NativeLocation;
      /** The files, when the caller listed them already. */
      readonly files?: readonly NativeFile[];
    };

/** Where it is loaded: an open ClickHouse and the schema's names. */
export interface LoadTarget {
  readonly clickhouse: ClickHouse;
  readonly names: SchemaNames;
  /** The target as configured (for advice naming the embedded data directory). */
  readonly configured?: ClickHouseTarget;
}

export interface LoadOptions {
  /** S3 credentials, `db_cluster`, `xapi_load_order`, `optimize_final`, `init_schema`, and the dataset it describes. */
  readonly config: Config;
  /** The dataset the input holds, when the caller knows (it just wrote it). @default the config's, when the files match it */
  readonly plan?: DatasetPlan;
  /** Overrides `init_schema` (callers that created the schema themselves pass `false`). */
  readonly initSchema?: boolean;
  /** Drop and recreate the project's databases when they hold data, instead of refusing. @default false */
  readonly reset?: boolean;
  /** Informational lines (never data, never secrets). */
  readonly log?: (line: string) => void;
  /** Aborting stops the load between statements (and cancels a server's running query). */
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
}

/** Options of the commands that open the config's ClickHouse and load (`--load_db_only`, `load-db-from-s3`). */
export interface LoadCommandOptions {
  /** Informational lines (never data, never secrets). */
  readonly log?: (line: string) => void;
  /** Use this connection instead of opening the config's target (it is not closed). */
  readonly clickhouse?: ClickHouse;
  readonly clock?: Clock;
  /** Stops the load between statements. */
  readonly signal?: AbortSignal;
  /** Drop and recreate the databases when they hold data (`--reset`). */
  readonly reset?: boolean;
}

/** One table of a load. */
export interface TableLoadResult {
  readonly table: TableKey;
  /** `db.table` */
  readonly target: string;
  /** Where its rows came from: a URL without credentials, a path, or a folder. */
  readonly location: string;
  /** Rows the table gained. */
  readonly loaded: number;
  /** Rows the dataset has, or `null` when the files' dataset is unknown. */
  readonly expected: number | null;
  readonly durationMs: number;
}

export interface LoadResult {
  /** Folder URL or directory (no credentials). */
  readonly source: string;
  /** The ClickHouse description. */
  readonly target: string;
  readonly tables: readonly TableLoadResult[];
  /** `verified`: every table gained the dataset's rows; `reported`: the files' dataset is unknown. */
  readonly verification: 'verified' | 'reported';
  /** One line about how the expected counts were obtained. */
  readonly note: string;
  readonly durationMs: number;
  /** Rows in the eight tables after the load. */
  readonly counts: TableCountsByKey;
  /** Numbers read back from the reporting tables, when the target has them. */
  readonly headlines?: Headlines;
  /** Extra lines for the summary. */
  readonly notes?: readonly string[];
  /** Native files loaded (native input). */
  readonly files?: number;
  /** The ledger row of this load. */
  readonly loadId: string;
  readonly datasetHash: string;
}

/** One statement of a prepared input. */
export interface LoadStep {
  readonly table: TableKey;
  /** `db.table` */
  readonly target: string;
  /** What is read, for logs and results (no credentials). */
  readonly shown: string;
  /** A line logged before it runs. */
  readonly line: string;
  run(signal?: AbortSignal): Promise<void>;
}

/** An input checked and rendered: nothing written yet. */
export interface PreparedInput {
  readonly source: string;
  readonly steps: readonly LoadStep[];
  /** Rows each table must gain, or `null` when the files' dataset is unknown. */
  readonly expected: Readonly<Record<TableKey, number>> | null;
  readonly note: string;
  readonly files?: number;
}

/** What every table gained since `before` (rows this load put in), for the ledger and errors. */
function gained(before: TableCountsByKey, after: TableCountsByKey, names: SchemaNames): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of TABLE_KEYS) {
    const rows = after[key] - before[key];
    if (rows !== 0) out[shortTable(names, key)] = rows;
  }
  return out;
}

function shortTable(names: SchemaNames, key: TableKey): string {
  return key === 'xapi' ? names.rawTable : LOADED_TABLE_OF[key];
}

/** A short JSON of what determines the load, for the ledger (never credentials). */
function configSummary(config: Config, input: DatasetInput, source: string): string {
  return JSON.stringify({
    seed: config.seed,
    backend: config.backend,
    input: input.kind,
    source,
    xapi_load_order: config.xapiLoadOrder,
    optimize_final: config.optimizeFinal,
  });
}

/**
 * Loads a dataset into ClickHouse: checked, guarded, recorded in the ledger, in the order that
 * gives correct reports, optimized and verified.
 *
 * @example
 * await using ch = await createClickHouse({ kind: 'embedded' });
 * const names = schemaNamesFromConfig(config, config.dbReportingName);
 * const result = await loadDataset({ kind: 'csv', source: csvSourceFromConfig(config) }, { clickhouse: ch, names }, { config });
 * console.log(formatBulkLoadSummary(result));
 */
export async function loadDataset(input: DatasetInput, target: LoadTarget, options: LoadOptions): Promise<LoadResult> {
  const { clickhouse: ch, names } = target;
  const { config, signal } = options;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? (() => {});
  const startedAt = clock.now();
  const hash = datasetHash(config).hex;
  const shard = config.shardCount > 1 ? `${config.shardIndex}/${config.shardCount}` : undefined;

  signal?.throwIfAborted();
  const createSchema = async () => {
    log(
      `Creating the Aspects schema (if missing) in ${names.xapiDb}, ${names.eventSinkDb}, ${names.reportingDb} on ${ch.description}`,
    );
    await initSchema(ch, names);
  };
  // Files first: a wrong location fails in seconds, before anything happens on ClickHouse.
  const prepared =
    input.kind === 'csv'
      ? await prepareCsvInput(ch, config, input.source, names, options.plan, input.stream)
      : await prepareNativeInput(ch, config, input.location, names, input.files);
  signal?.throwIfAborted();
  const wantsSchema = options.initSchema ?? config.initSchema ?? ch.kind !== 'url';
  if (wantsSchema) await createSchema();

  const before = await guardTarget(ch, names, {
    datasetHash: hash,
    ...(shard ? { shard } : {}),
    ...(target.configured ? { target: target.configured } : {}),
    ...(options.reset ? { reset: true } : {}),
    recreate: createSchema,
    log,
  });
  const record = await beginLoad(
    ch,
    names,
    { datasetHash: hash, ...(shard ? { shard } : {}), configSummary: configSummary(config, input, prepared.source) },
    log,
  );

  const durations = new Map<TableKey, number>();
  let phase = 'event-sink tables';
  try {
    await record.phase(phase);
    let reloaded = false;
    for (const step of prepared.steps) {
      signal?.throwIfAborted();
      if (step.table === 'xapi' && !reloaded) {
        reloaded = true;
        // The xAPI materialized views look course, block and learner names up in these.
        phase = 'dictionary reload';
        await record.phase(phase, gained(before, await countLoadedTables(ch, names), names));
        await reloadExistingDictionaries(ch, names);
        phase = `xAPI (${config.xapiLoadOrder === 'chronological' ? 'in time order' : 'in generation order'})`;
        await record.phase(phase);
      }
      log(step.line);
      const t0 = clock.now();
      await step.run(signal);
      durations.set(step.table, (durations.get(step.table) ?? 0) + clock.now() - t0);
    }
    signal?.throwIfAborted();
    if (config.optimizeFinal) {
      phase = 'OPTIMIZE … FINAL';
      await record.phase(phase, gained(before, await countLoadedTables(ch, names), names));
      log('OPTIMIZE … FINAL on the ReplacingMergeTree tables, so reports read one row per key');
      await optimizeFinalCancellable(ch, names, signal);
    }
    signal?.throwIfAborted();
    phase = 'verification';
    await record.phase(phase);
    const after = await countLoadedTables(ch, names);
    const present = TABLE_KEYS.filter((key) => prepared.steps.some((s) => s.table === key));
    const tables = present.map((key): TableLoadResult => {
      const steps = prepared.steps.filter((s) => s.table === key);
      return {
        table: key,
        target: steps[0]?.target ?? key,
        location: steps.length === 1 ? (steps[0]?.shown ?? '') : prepared.source,
        loaded: after[key] - before[key],
        expected: prepared.expected ? prepared.expected[key] : null,
        durationMs: durations.get(key) ?? 0,
      };
    });
    if (prepared.expected) {
      const expected = prepared.expected;
      const plan = { tables: Object.fromEntries(TABLE_KEYS.map((k) => [k, { rows: expected[k] }])) } as DatasetPlan;
      const report = compareCounts(plan, names, after, { before, tables: TABLE_KEYS });
      if (!report.ok)
        throw verificationError(report, `${ch.description}, loading ${prepared.source} (${prepared.note})`);
      log(`Verified: every table holds the rows expected (${report.tables.length} tables)`);
    }
    const headlines = await headlinesOf(ch, names);
    const notes = [
      typeof headlines === 'string'
        ? headlines
        : `Aspects reports: ${formatInt(headlines.enrolledLearners)} learners enrolled, ` +
          `${formatInt(headlines.videoPlays)} video plays, ${formatInt(headlines.problemAttempts)} problem attempts`,
    ];
    await record.finish('complete', gained(before, after, names));
    return {
      source: prepared.source,
      target: ch.description,
      tables,
      verification: prepared.expected ? 'verified' : 'reported',
      note: prepared.note,
      durationMs: clock.now() - startedAt,
      counts: after,
      ...(typeof headlines === 'string' ? {} : { headlines }),
      notes,
      ...(prepared.files !== undefined ? { files: prepared.files } : {}),
      loadId: record.loadId,
      datasetHash: hash,
    };
  } catch (error) {
    const interrupted = signal?.aborted === true;
    let filled: Record<string, number> = {};
    try {
      filled = gained(before, await countLoadedTables(ch, names), names);
    } catch (countError) {
      log(`Could not count what the load put in: ${ch.redact(describeError(countError))}`);
    }
    const reason = interrupted ? describeError(signal?.reason) : ch.redact(describeError(error));
    await record.finish(interrupted ? 'interrupted' : 'failed', filled, reason.split('\n')[0] ?? '');
    const list = Object.entries(filled).map(([table, rows]) => `${table} ${formatInt(rows)}`);
    const tail =
      `\nTables this load filled before it stopped: ${list.join(', ') || 'none'}. ` +
      `${ledgerTable(names)} marks load ${record.loadId} ${interrupted ? 'interrupted' : 'failed'} at ${phase}.` +
      (list.length > 0
        ? ` The next load into these databases is refused; to load again: ${safeAdvice(names, target.configured).replace(/^Nothing was written\. To load this dataset: /, '')}`
        : '');
    if (interrupted) {
      const code = signal?.reason instanceof InterruptedError ? signal.reason.exitCode : 130;
      throw new InterruptedError(`Load stopped (${reason}) at ${phase}.${tail}`, code, filled, { cause: error });
    }
    // A failed verification stays one (its own verdict); anything else carries what was written.
    if (error instanceof VerificationError)
      throw new VerificationError(`${error.message}${tail}`, { cause: error, tables: error.tables });
    throw new SinkError(`${reason}${tail}`, filled, { cause: error });
  }
}

/** Reloads the schema's dictionaries that exist, in dependency order; skips the others. */
export async function reloadExistingDictionaries(ch: ClickHouse, names: SchemaNames): Promise<void> {
  const wanted = dictionaryNames(names);
  const rs = await ch.client.query({
    query:
      "SELECT concat(database, '.', name) AS full FROM system.dictionaries WHERE concat(database, '.', name) IN {names:Array(String)}",
    query_params: { names: wanted },
    format: 'JSONEachRow',
  });
  const present = new Set((await rs.json<{ full: string }>()).map((r) => r.full));
  for (const dictionary of wanted) {
    if (!present.has(dictionary)) continue;
    try {
      await ch.client.command({ query: `SYSTEM RELOAD DICTIONARY ${dictionary}` });
    } catch (error) {
      throw new XapiDbLoadError(
        `SYSTEM RELOAD DICTIONARY ${dictionary} failed on ${ch.description}: ${ch.redact(describeError(error).split('\n')[0] ?? '')}`,
        { cause: error },
      );
    }
  }
}

/** The headline numbers, or a note saying why not (a server with only the raw and event-sink tables). */
async function headlinesOf(ch: ClickHouse, names: SchemaNames): Promise<Headlines | string> {
  try {
    return await readHeadlines(ch.client, names);
  } catch (error) {
    return `Aspects report numbers not read: ${ch.redact(describeError(error).split('\n')[0] ?? '')}`;
  }
}
