/**
 * The load stage for a dataset that is being generated: CSV chunks arrive in load order
 * (event-sink tables first, xAPI last) and are inserted while the workers make the next ones.
 * Typed phases, as testcontainers' container → started container:
 *
 *   configureChunkLoad(config, options)  →  .start()  →  StartedChunkLoad  →  .open(plan)  →  OpenChunkLoad
 *   (nothing opened)                       (connection, schema, guard, ledger)    (write / endTable / close)
 *
 * Each phase only exists once the previous one succeeded, so nothing checks "used before
 * open()". Order (reference aspects-schema-and-reports.md §2.4): the seven event-sink tables,
 * the course/block/tag/PII dictionaries reloaded (the xAPI materialized views join them at
 * insert time), xAPI in `xapi_load_order` ({@link XapiOrdering}), `OPTIMIZE … FINAL`,
 * verification, headline numbers. Batching: {@link Batcher}; insert path: {@link insertCsv}.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Headlines, qualifiedTable, readHeadlines, resolveTarget } from '../../clickhouse/bulk.ts';
import { type ClickHouse, type ClickHouseTarget, createClickHouse, describeTarget } from '../../clickhouse/connect.ts';
import { aspectsDbtTag, reloadDictionaries, type SchemaNames, schemaNamesFromConfig } from '../../clickhouse/schema.ts';
import type { Config } from '../../config/types.ts';
import { describeError, SinkError, XapiDbLoadError } from '../../errors.ts';
import { TABLE_KEYS, TABLES, type TableKey } from '../../formats/tables.ts';
import type { DatasetPlan } from '../../generate/dataset.ts';
import { formatInt } from '../../util/format.ts';
import type { TableCountsByKey } from '../verify.ts';
import { type Batch, Batcher, type CsvChunk, chunkLabel, InFlight } from './batching.ts';

export type { CsvChunk } from './batching.ts';

import { type InsertPath, insertCsv, withRetry } from './insert-path.ts';
import { generationOrder, monthFileOrder, type OrderingContext, stagingOrder, type XapiOrdering } from './ordering.ts';
import { beginStreamSession, type StreamSession } from './session.ts';

export interface ChunkLoadOptions {
  /**
   * An open connection to use instead of opening the config's target (tests, library users,
   * the other backends' ClickHouse part). The load does not close it.
   */
  readonly clickhouse?: ClickHouse;
  /**
   * `file`: batches are temporary files that the engine reads with `file()` (embedded only: the
   * files must be on the engine's machine). `client`: batches are streamed `INSERT … FORMAT CSV`
   * bodies through `@clickhouse/client`, and chronological xAPI goes through a staging table.
   * @default 'file' for the embedded engine, 'client' otherwise
   */
  readonly insertPath?: InsertPath;
  /** Informational lines (schema, moves, OPTIMIZE, verification); never data. @default no output */
  readonly log?: (line: string) => void;
  /** Size at which a table's pending chunks are sent as one insert. @default 32 MiB (file), 16 MiB (client) */
  readonly segmentBytes?: number;
  /**
   * Size of one chronological xAPI insert: rows per staging move (whole days) on the client
   * path, CSV bytes per month range (whole months) on the file path.
   * @default 500_000 rows / 256 MiB
   */
  readonly moveRows?: number;
  readonly moveBytes?: number;
  /**
   * Tables whose counts are verified at close. A backend whose statements also reach the raw
   * table another way (Ralph) leaves `xapi` out and verifies it itself.
   * @default every table
   */
  readonly verifyTables?: readonly TableKey[];
  /** Directory for the `file` path's temporary files. @default the OS temporary directory */
  readonly tempDir?: string;
  /** Drop and recreate the databases when they hold data (`--reset`), instead of refusing. @default false */
  readonly reset?: boolean;
  /** The run's abort signal: a load stopped by it is recorded `interrupted` in the ledger. */
  readonly signal?: AbortSignal;
}

/** What a streamed load put in ClickHouse. */
export interface ChunkLoadResult {
  /** Rows and bytes handed to ClickHouse per table, and the `db.table` they went to. */
  readonly sent: Readonly<
    Record<TableKey, { readonly rows: number; readonly bytes: number; readonly location: string }>
  >;
  /** Rows per table after the load (verified), and before it. */
  readonly counts: TableCountsByKey;
  readonly before: TableCountsByKey;
  readonly headlines: Headlines;
  readonly notes: readonly string[];
}

/** Phase 1: configured, nothing opened. */
export interface ConfiguredChunkLoad {
  /** Printable description of the target (no secrets). */
  readonly description: string;
  /**
   * Opens the target (an unreachable host, a wrong password or a missing chdb fail here, before
   * anything is generated), creates the schema per `init_schema`, refuses (or resets) a target
   * that holds data, and records the load in the ledger. On failure nothing stays open.
   */
  start(): Promise<StartedChunkLoad>;
}

/** Phase 2: guarded and recorded; nothing written yet. */
export interface StartedChunkLoad {
  readonly clickhouse: ClickHouse;
  open(plan: DatasetPlan): Promise<OpenChunkLoad>;
  /** Marks the ledger and closes what the load opened. Never throws. */
  abort(reason?: unknown): Promise<void>;
}

/** Phase 3: chunks flow in. */
export interface OpenChunkLoad {
  write(chunk: CsvChunk): Promise<void>;
  /** Every chunk of `table` was written (reloads the dictionaries after the event-sink tables). */
  endTable(table: TableKey): Promise<void>;
  /** Finishes xAPI, optimizes, verifies; after this the data is complete and visible. */
  close(): Promise<ChunkLoadResult>;
  /** Removes temporary files and the staging table, marks the ledger. Never throws. */
  abort(reason?: unknown): Promise<void>;
}

const MiB = 1024 * 1024;
const DEFAULT_MOVE_ROWS = 500_000;
const DEFAULT_MOVE_BYTES = 256 * MiB;
const EVENT_SINK_KEYS = TABLE_KEYS.filter((key) => key !== 'xapi');

/**
 * The streamed load of a generated dataset into the config's ClickHouse.
 *
 * @example
 * const started = await configureChunkLoad(config, { log: console.error }).start();
 * const load = await started.open(plan);
 * for (const chunk of chunks) await load.write(chunk); // in load order, endTable() after each table
 * const result = await load.close();
 */
export function configureChunkLoad(config: Config, options: ChunkLoadOptions = {}): ConfiguredChunkLoad {
  const target = resolveTarget(config);
  const names: SchemaNames = schemaNamesFromConfig(config, config.dbReportingName);
  const log = options.log ?? (() => {});
  const description = `ClickHouse: ${describeTarget(target)}, databases ${names.xapiDb} / ${names.eventSinkDb} / ${names.reportingDb}`;
  const configSummary = JSON.stringify({
    seed: config.seed,
    backend: config.backend,
    input: 'generated',
    xapi_load_order: config.xapiLoadOrder,
    optimize_final: config.optimizeFinal,
  });
  return {
    description,
    async start() {
      const ch = options.clickhouse ?? (await createClickHouse(target));
      const closeOwned = async () => {
        if (!options.clickhouse) await ch.close().catch(() => {});
      };
      try {
        const insertPath = options.insertPath ?? (ch.kind === 'embedded' ? 'file' : 'client');
        if (insertPath === 'file' && ch.kind !== 'embedded') {
          throw new XapiDbLoadError(
            `clickhouse sink: insertPath "file" needs the embedded engine (a server cannot read this machine's files); ${ch.description}`,
          );
        }
        const session = await beginStreamSession(ch, {
          config,
          names,
          target,
          configSummary,
          ...(options.reset ? { reset: true } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          log,
        });
        return {
          clickhouse: ch,
          open: (plan) =>
            openChunkLoad({ config, options, names, ch, target, session, insertPath, plan, closeOwned, log }),
          async abort(reason) {
            await session.fail({}, reason, options.signal);
            await closeOwned();
          },
        };
      } catch (error) {
        await closeOwned();
        throw error;
      }
    },
  };
}

interface OpenContext {
  readonly config: Config;
  readonly options: ChunkLoadOptions;
  readonly names: SchemaNames;
  readonly ch: ClickHouse;
  readonly target: ClickHouseTarget;
  readonly session: StreamSession;
  readonly insertPath: InsertPath;
  readonly plan: DatasetPlan;
  readonly closeOwned: () => Promise<void>;
  readonly log: (line: string) => void;
}

async function openChunkLoad(context: OpenContext): Promise<OpenChunkLoad> {
  const { config, options, names, ch, session, insertPath, plan, log } = context;
  const { record } = session;
  const chronological = config.xapiLoadOrder === 'chronological';
  const verifyTables = options.verifyTables ?? TABLE_KEYS;
  const tempDir =
    insertPath === 'file' ? await mkdtemp(join(options.tempDir ?? tmpdir(), 'xapi-db-load-ch-')) : undefined;
  const batcher = new Batcher(options.segmentBytes ?? (insertPath === 'file' ? 32 * MiB : 16 * MiB), tempDir);
  const inflight = new InFlight();
  const ended = new Set<TableKey>();
  /** Rows and bytes handed to ClickHouse per table. */
  const sent = new Map<TableKey, { rows: number; bytes: number }>(TABLE_KEYS.map((k) => [k, { rows: 0, bytes: 0 }]));
  /** Rows that reached their final table (chronological xAPI: rows moved into the raw table). */
  const committed = new Map<TableKey, number>(TABLE_KEYS.map((k) => [k, 0]));
  /** Chronological xAPI rows held in the staging table or the month files. */
  let held = 0;
  let dictionariesReloaded = false;
  let xapiFinished = false;

  const writtenCounts = (): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [key, rows] of committed) if (rows > 0) out[key] = rows;
    return out;
  };

  let ordering: XapiOrdering | undefined;
  const failure = (what: string, error: unknown): SinkError => {
    const written = writtenCounts();
    const list = Object.entries(written).map(([table, rows]) => `${table}=${formatInt(rows)}`);
    const waiting = held - (committed.get('xapi') ?? 0);
    const heldNote =
      chronological && waiting > 0
        ? `; ${formatInt(waiting)} xAPI statements staged in ${ordering?.heldIn} were not moved`
        : '';
    return new SinkError(
      `${what} failed on ${ch.description}: ${ch.redact(describeError(error))}\n` +
        `Rows in ClickHouse from this load before the failure: ${list.join(', ') || 'none'}${heldNote}`,
      written,
      { cause: error },
    );
  };

  /** Stops a load whose run was aborted (Ctrl-C), saying what is in ClickHouse. */
  const stopIfAborted = (): void => {
    const signal = options.signal;
    if (!signal?.aborted) return;
    const list = Object.entries(writtenCounts()).map(([table, rows]) => `${table}=${formatInt(rows)}`);
    throw new SinkError(
      `Stopped (${describeError(signal.reason)}) on ${ch.description}\n` +
        `Rows in ClickHouse from this load before it stopped: ${list.join(', ') || 'none'}`,
      writtenCounts(),
      { cause: signal.reason },
    );
  };

  const orderingContext: OrderingContext = {
    ch,
    names,
    log,
    failure,
    stopIfAborted,
    commit: (rows) => committed.set('xapi', (committed.get('xapi') ?? 0) + rows),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  if (!chronological || plan.tables.xapi.chunks === 0) ordering = generationOrder(names);
  else if (tempDir !== undefined)
    ordering = monthFileOrder(orderingContext, tempDir, options.moveBytes ?? DEFAULT_MOVE_BYTES);
  else ordering = await stagingOrder(orderingContext, options.moveRows ?? DEFAULT_MOVE_ROWS);
  const order = ordering;

  const insertBatch = async (batch: Batch): Promise<void> => {
    const table = batch.table;
    const into = table === 'xapi' ? (order.batchInto as string) : qualifiedTable(names, table);
    try {
      await insertCsv(ch, table, into, batch.data, log, options.signal ? { signal: options.signal } : {});
    } catch (error) {
      stopIfAborted();
      throw failure(
        `Inserting ${TABLES[table].table} ${chunkLabel(batch)} (${formatInt(batch.rows)} rows) into ${into}`,
        error,
      );
    } finally {
      if ('path' in batch.data) await rm(batch.data.path, { force: true }).catch(() => {});
    }
    const total = sent.get(table) as { rows: number; bytes: number };
    total.rows += batch.rows;
    total.bytes += batch.bytes;
    if (table === 'xapi' && chronological) held += batch.rows;
    else committed.set(table, (committed.get(table) ?? 0) + batch.rows);
  };

  /** Sends `table`'s pending batch in the background, after the insert in flight. */
  const flush = async (table: TableKey): Promise<void> => {
    await inflight.settle();
    const batch = await batcher.take(table);
    if (batch) await inflight.run(() => insertBatch(batch));
  };

  const reloadOnce = async (): Promise<void> => {
    if (dictionariesReloaded) return;
    await inflight.settle();
    dictionariesReloaded = true;
    await record.phase('dictionary reload', writtenCounts());
    try {
      await withRetry(ch, 'dictionary reload', () => reloadDictionaries(ch, names), log);
    } catch (error) {
      throw failure('Reloading the course, block, tag and PII dictionaries', error);
    }
    await record.phase(`xAPI (${chronological ? 'in time order' : 'in generation order'})`);
  };

  const finishXapi = async (): Promise<void> => {
    if (xapiFinished) return;
    xapiFinished = true;
    await reloadOnce();
    await flush('xapi');
    await inflight.settle();
    await order.finish();
  };

  /** Closes and removes every temporary file. Never throws. */
  const removeTemp = async (): Promise<void> => {
    await batcher.discard();
    if (order.batchInto === null) await order.abort();
    if (tempDir) await rm(tempDir, { recursive: true, force: true }).catch(() => {});
  };

  return {
    async write(chunk) {
      inflight.check();
      const table = chunk.table;
      if (table === 'xapi' && !dictionariesReloaded) await reloadOnce();
      if (table === 'xapi' && order.batchInto === null) {
        await order.accept(chunk);
        held += chunk.rows;
        const total = sent.get('xapi') as { rows: number; bytes: number };
        total.rows += chunk.rows;
        total.bytes += chunk.data.byteLength;
        return;
      }
      const full = await batcher.add(chunk);
      if (full) await inflight.run(() => insertBatch(full));
    },

    async endTable(table) {
      if (table === 'xapi') {
        await finishXapi();
        return;
      }
      await flush(table);
      ended.add(table);
      // The xAPI materialized views join these dictionaries: reload them once every
      // event-sink table is in, before the first statement is inserted.
      if (EVENT_SINK_KEYS.every((key) => ended.has(key))) await reloadOnce();
    },

    async close() {
      for (const key of EVENT_SINK_KEYS) await flush(key);
      await finishXapi();
      await inflight.settle();
      await removeTemp();
      stopIfAborted();
      const after = await session.finish(plan, writtenCounts(), { failure, tables: verifyTables });
      let headlines: Headlines;
      try {
        headlines = await readHeadlines(ch.client, names);
      } catch (error) {
        throw failure('Reading the headline numbers from the reporting tables', error);
      }
      const result = {
        sent: Object.fromEntries(
          TABLE_KEYS.map((key) => [
            key,
            { ...(sent.get(key) as { rows: number; bytes: number }), location: qualifiedTable(names, key) },
          ]),
        ) as ChunkLoadResult['sent'],
        counts: after,
        before: session.before,
        headlines,
        notes: loadNotes(context, headlines),
      };
      await context.closeOwned();
      return result;
    },

    async abort(reason) {
      // Let the insert in flight finish before its file and the staging table go away.
      await inflight.drain();
      await removeTemp();
      await session.fail(writtenCounts(), reason, options.signal);
      try {
        await order.abort();
      } finally {
        await context.closeOwned();
      }
    },
  };
}

/** The summary lines of a finished load: headline numbers, order and schema, where the data stays. */
function loadNotes(context: OpenContext, headlines: Headlines): string[] {
  const { config, names, ch, target } = context;
  const notes = [
    `Aspects reports: ${formatInt(headlines.enrolledLearners)} learners enrolled ` +
      `(${names.reportingDb}.dim_most_recent_enrollment), ${formatInt(headlines.videoPlays)} video plays ` +
      `(${names.xapiDb}.video_playback_events), ${formatInt(headlines.problemAttempts)} problem attempts ` +
      `(${names.xapiDb}.problem_events)`,
    `Loaded ${config.xapiLoadOrder === 'chronological' ? 'in time order' : 'in generation order'} with the Aspects schema ` +
      `(aspects-dbt ${aspectsDbtTag(names.aspectsVersion)}) on ${ch.description}, engine ${ch.serverVersion}` +
      (config.optimizeFinal ? ', then OPTIMIZE … FINAL' : ''),
  ];
  if (target.kind === 'embedded' && target.path !== undefined) {
    notes.push(
      `The data stays in ${target.path}: query it with \`clickhouse local --path ${target.path}\` or chdb ` +
        `(\`new Session(${JSON.stringify(target.path)})\`), one process at a time. Delete the directory to start afresh.`,
    );
  }
  return notes;
}
