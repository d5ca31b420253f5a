/**
 * `clickhouse` backend: the dataset straight into ClickHouse with the Aspects schema, on any
 * target (`embedded` chdb, an existing server, a container).
 *
 * Load order (reference aspects-schema-and-reports.md §2.4): the seven event-sink tables, then
 * the course/block/tag/PII dictionaries reloaded (the xAPI materialized views join them at
 * insert time), then xAPI. With `xapi_load_order: chronological` (the default) the statements
 * reach the raw table in emission-time order, so "most recent" views keep the latest row as
 * with a production event stream; `generation` inserts them as generated. Then
 * `OPTIMIZE … FINAL` (`optimize_final`), verification (rows per table = the plan, or a
 * {@link VerificationError}) and three headline numbers read back from the reporting tables.
 *
 * Chunks are never inserted row by row, and never re-inserted: consecutive chunks of a table
 * are batched (up to {@link ClickHouseSinkOptions.segmentBytes}) and sent as one CSV insert,
 * while the workers generate the next ones (one insert in flight at a time).
 *
 * How bytes reach the engine (measured on the embedded engine, 100k statements):
 * - embedded (`file` path): batches go to temporary files read with `INSERT … SELECT FROM
 *   file()`, whose parallel CSV parser is the fastest way in (0.7 s to parse 100k statements
 *   into a table, vs 1.6 s through chdb's raw insert; and ~14 s when 4,096-statement chunks go
 *   one by one into the raw table, since every insert runs the whole materialized-view chain).
 *   Chronological xAPI is split into one file per emission month while it is generated, then
 *   loaded month range by month range, sorted as ClickHouse reads it: each row is parsed once
 *   and no staging table is written.
 * - servers (`client` path): each batch is the streamed body of `INSERT … FORMAT CSV`.
 *   Chronological xAPI goes to a staging table without materialized views (sorted by emission
 *   time), then moves into the raw table day range by day range, in order; the staging table
 *   is dropped at the end (and on failure).
 *
 * @see {@link VerificationError}
 */

import type { FileHandle } from 'node:fs/promises';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  BULK_INSERT_SETTINGS,
  CHRONOLOGICAL_ORDER,
  createStagingTable,
  csvStructure,
  dropTable,
  type Headlines,
  insertColumns,
  type MoveRange,
  moveRange,
  planMoves,
  qualifiedTable,
  readHeadlines,
  resolveTarget,
  stagingTableName,
} from '../clickhouse/bulk.ts';
import { type ClickHouse, type ClickHouseTarget, createClickHouse, describeTarget } from '../clickhouse/connect.ts';
import { createMonthFiles, formatMonth, type MonthFiles } from '../clickhouse/month-files.ts';
import {
  aspectsDbtTag,
  initSchema,
  reloadDictionaries,
  type SchemaNames,
  schemaNamesFromConfig,
} from '../clickhouse/schema.ts';
import { datasetHash } from '../config/dataset-hash.ts';
import type { Config } from '../config/types.ts';
import { describeError, SinkError, XapiDbLoadError } from '../errors.ts';
import { TABLE_KEYS, TABLES, type TableKey } from '../formats/tables.ts';
import type { DatasetPlan } from '../generate/dataset.ts';
import { guardTarget } from '../load/guard.ts';
import { beginLoad, type LedgerRecord } from '../load/ledger.ts';
import { finishLoad, type TableCountsByKey } from '../load/verify.ts';
import { formatInt } from '../util/format.ts';
import type { ChunkResult } from './chunk.ts';
import type { ChunkFormat, Sink, SinkSummary, TableWriteSummary } from './sink.ts';

/** How batches reach the engine. */
export type InsertPath = 'file' | 'client';

export interface ClickHouseSinkOptions {
  /**
   * An open connection to use instead of opening the config's target (tests, library users,
   * the other backends' ClickHouse part). The sink does not close it.
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

const MiB = 1024 * 1024;
/** xAPI statements per chunk handed over by the workers (as the csv backend's gzip members). */
const STATEMENTS_PER_GROUP = 4096;
const DEFAULT_MOVE_ROWS = 500_000;
const DEFAULT_MOVE_BYTES = 256 * MiB;
const EVENT_SINK_KEYS = TABLE_KEYS.filter((key) => key !== 'xapi');

/** Node/undici error codes of a connection that failed or dropped: the only errors retried. */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
const RETRY_DELAY_MS = 1_000;

/** True for a dropped or refused connection; false for anything the server answered. */
export function isConnectionError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return true;
    if (/\bsocket hang up\b/i.test(e.message)) return true;
  }
  return false;
}

/** Whether the Aspects schema is created before loading: `init_schema`, or by target kind when null. */
export function shouldInitSchema(config: Pick<Config, 'initSchema'>, kind: ClickHouseTarget['kind']): boolean {
  return config.initSchema ?? kind !== 'url';
}

/** Chunks of one table waiting to be sent as one insert. */
interface Batch {
  readonly table: TableKey;
  readonly firstChunk: number;
  lastChunk: number;
  rows: number;
  bytes: number;
  /** `client` path: the chunks, in order. */
  readonly parts: Uint8Array[];
  /** `file` path: the temporary file and its handle. */
  file?: { readonly path: string; readonly handle: FileHandle };
}

/**
 * The `clickhouse` backend.
 *
 * @example
 * const config = await loadConfig('configs/default_config.yaml');
 * const result = await runLoadDb(config, { sink: createClickHouseSink(config, { log: console.error }) });
 */
export function createClickHouseSink(config: Config, options: ClickHouseSinkOptions = {}): Sink {
  const target = resolveTarget(config);
  const names: SchemaNames = schemaNamesFromConfig(config, config.dbReportingName);
  const log = options.log ?? (() => {});
  const verifyTables = options.verifyTables ?? TABLE_KEYS;
  const xapiGroup = Math.max(1, Math.floor(STATEMENTS_PER_GROUP / config.batchSize));
  const chronological = config.xapiLoadOrder === 'chronological';
  const hash = datasetHash(config).hex;
  const shard = config.shardCount > 1 ? `${config.shardIndex}/${config.shardCount}` : undefined;
  const summary = JSON.stringify({
    seed: config.seed,
    backend: config.backend,
    input: 'generated',
    xapi_load_order: config.xapiLoadOrder,
    optimize_final: config.optimizeFinal,
  });
  const description = `ClickHouse: ${describeTarget(target)}, databases ${names.xapiDb} / ${names.eventSinkDb} / ${names.reportingDb}`;

  let ch: ClickHouse | undefined = options.clickhouse;
  const ownsConnection = options.clickhouse === undefined;
  let insertPath: InsertPath = options.insertPath ?? 'client';
  let segmentBytes = options.segmentBytes ?? 16 * MiB;
  let tempDir: string | undefined;
  let plan: DatasetPlan | undefined;
  let before: TableCountsByKey | undefined;
  /** Chronological xAPI, client path: the staging table while it exists. */
  let staging: string | undefined;
  /** Chronological xAPI, file path: the month files. */
  let monthFiles: MonthFiles | undefined;
  let dictionariesReloaded = false;
  let xapiFinished = false;
  let record: LedgerRecord | undefined;
  let fileCounter = 0;

  const batches = new Map<TableKey, Batch>();
  const ended = new Set<TableKey>();
  /** Rows and bytes handed to ClickHouse per table. */
  const sent = new Map<TableKey, { rows: number; bytes: number }>(TABLE_KEYS.map((k) => [k, { rows: 0, bytes: 0 }]));
  /** Rows that reached their final table (chronological xAPI: rows moved into the raw table). */
  const committed = new Map<TableKey, number>(TABLE_KEYS.map((k) => [k, 0]));
  /** Chronological xAPI rows waiting in the staging table or the month files. */
  let held = 0;

  // One insert runs in the background while the workers make the next chunks; the next insert
  // (or the end of a table) waits for it, and its failure surfaces there.
  let inflight: Promise<void> = Promise.resolve();
  let inflightError: unknown;
  let hasInflightError = false;

  const connection = (): ClickHouse => {
    if (!ch) throw new XapiDbLoadError('clickhouse sink: used before preflight()');
    return ch;
  };

  /** Rows committed so far, by table, for a SinkError. */
  const writtenCounts = (): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [key, rows] of committed) if (rows > 0) out[key] = rows;
    return out;
  };

  const failure = (what: string, error: unknown): SinkError => {
    const reason = connection().redact(describeError(error));
    const written = writtenCounts();
    const list = Object.entries(written).map(([table, rows]) => `${table}=${formatInt(rows)}`);
    const waiting = held - (committed.get('xapi') ?? 0);
    const heldNote =
      chronological && waiting > 0
        ? `; ${formatInt(waiting)} xAPI statements staged in ${staging ?? 'temporary month files'} were not moved`
        : '';
    return new SinkError(
      `${what} failed on ${connection().description}: ${reason}\n` +
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
      `Stopped (${describeError(signal.reason)}) on ${connection().description}\n` +
        `Rows in ClickHouse from this load before it stopped: ${list.join(', ') || 'none'}`,
      writtenCounts(),
      { cause: signal.reason },
    );
  };

  /** Runs `fn`, once more after a dropped connection (servers only: chdb has no connection). */
  const withRetry = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      if (connection().kind === 'embedded' || !isConnectionError(error)) throw error;
      log(`${what}: connection lost (${describeError(error)}); retrying once in ${RETRY_DELAY_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
      return fn();
    }
  };

  const chunkLabel = (batch: Batch): string =>
    batch.firstChunk === batch.lastChunk
      ? `chunk ${batch.firstChunk}`
      : `chunks ${batch.firstChunk}–${batch.lastChunk}`;

  const destinationOf = (table: TableKey): string =>
    table === 'xapi' && staging ? staging : qualifiedTable(names, table);

  /** Waits for the insert in flight; rethrows its failure. */
  const settle = async (): Promise<void> => {
    await inflight;
    if (hasInflightError) throw inflightError;
  };

  const insertBatch = async (batch: Batch): Promise<void> => {
    const table = batch.table;
    const into = destinationOf(table);
    const client = connection().client;
    try {
      if (batch.file) {
        await batch.file.handle.close();
        await client.command({
          query: `INSERT INTO ${into} (${insertColumns(table).join(', ')}) SELECT * FROM file({path:String}, 'CSV', {structure:String})`,
          query_params: { path: batch.file.path, structure: csvStructure(table) },
          clickhouse_settings: BULK_INSERT_SETTINGS,
        });
      } else {
        await withRetry(`insert into ${into}`, () =>
          client.insert({
            table: into,
            values: Readable.from(batch.parts, { objectMode: false }),
            format: 'CSV',
            columns: [...insertColumns(table)] as [string, ...string[]],
            clickhouse_settings: BULK_INSERT_SETTINGS,
          }),
        );
      }
    } catch (error) {
      throw failure(
        `Inserting ${TABLES[table].table} ${chunkLabel(batch)} (${formatInt(batch.rows)} rows) into ${into}`,
        error,
      );
    } finally {
      if (batch.file) await rm(batch.file.path, { force: true }).catch(() => {});
    }
    const total = sent.get(table) as { rows: number; bytes: number };
    total.rows += batch.rows;
    total.bytes += batch.bytes;
    if (table === 'xapi' && staging) held += batch.rows;
    else committed.set(table, (committed.get(table) ?? 0) + batch.rows);
  };

  /** Sends `table`'s pending batch in the background, after the insert in flight. */
  const flush = async (table: TableKey): Promise<void> => {
    await settle();
    const batch = batches.get(table);
    if (!batch) return;
    batches.delete(table);
    inflight = insertBatch(batch).catch((error: unknown) => {
      hasInflightError = true;
      inflightError = error;
    });
  };

  const reloadOnce = async (): Promise<void> => {
    if (dictionariesReloaded) return;
    await settle();
    dictionariesReloaded = true;
    await record?.phase('dictionary reload', writtenCounts());
    try {
      await withRetry('dictionary reload', () => reloadDictionaries(connection(), names));
    } catch (error) {
      throw failure('Reloading the course, block, tag and PII dictionaries', error);
    }
    await record?.phase(`xAPI (${chronological ? 'in time order' : 'in generation order'})`);
  };

  /** Staging table → raw table, day range by day range in time order; drops the staging table. */
  const moveStaged = async (): Promise<void> => {
    if (!staging) return;
    const client = connection().client;
    const raw = qualifiedTable(names, 'xapi');
    let ranges: readonly MoveRange[];
    try {
      ranges = await planMoves(client, staging, options.moveRows ?? DEFAULT_MOVE_ROWS);
    } catch (error) {
      throw failure(`Reading the staged xAPI statements in ${staging}`, error);
    }
    if (ranges.length > 0) {
      log(
        `Moving ${formatInt(held)} xAPI statements into ${raw} in time order ` +
          `(${ranges.length} range${ranges.length === 1 ? '' : 's'}, ${ranges[0]?.first} … ${ranges.at(-1)?.last})`,
      );
    }
    for (const range of ranges) {
      // Ctrl-C stops between ranges, not after the whole move (issue #9, D7).
      stopIfAborted();
      try {
        await withRetry(`move ${range.first}…${range.last}`, () => moveRange(client, staging as string, raw, range));
      } catch (error) {
        throw failure(
          `Moving the xAPI statements of ${range.first} … ${range.last} (${formatInt(range.rows)} rows) from ${staging} into ${raw}`,
          error,
        );
      }
      committed.set('xapi', (committed.get('xapi') ?? 0) + range.rows);
    }
    const table = staging;
    try {
      await dropTable(client, table);
    } catch (error) {
      throw failure(`Dropping the staging table ${table}`, error);
    }
    staging = undefined;
  };

  /** Month files → raw table, month range by month range in time order, each range sorted. */
  const loadMonthFiles = async (files: MonthFiles): Promise<void> => {
    const raw = qualifiedTable(names, 'xapi');
    try {
      await files.finish();
    } catch (error) {
      throw failure('Writing the temporary xAPI month files', error);
    }
    const ranges = files.ranges(options.moveBytes ?? DEFAULT_MOVE_BYTES);
    if (ranges.length > 0) {
      log(
        `Loading ${formatInt(files.rows)} xAPI statements into ${raw} in time order ` +
          `(${ranges.length} range${ranges.length === 1 ? '' : 's'}, ${formatMonth(ranges[0]?.first ?? 0)} … ${formatMonth(ranges.at(-1)?.last ?? 0)})`,
      );
    }
    for (const range of ranges) {
      // Ctrl-C stops between ranges, not after the whole move (issue #9, D7).
      stopIfAborted();
      try {
        await connection().client.command({
          query:
            `INSERT INTO ${raw} (${insertColumns('xapi').join(', ')}) ` +
            `SELECT * FROM file({path:String}, 'CSV', {structure:String}) ${CHRONOLOGICAL_ORDER}`,
          query_params: { path: range.path, structure: csvStructure('xapi') },
          clickhouse_settings: BULK_INSERT_SETTINGS,
        });
      } catch (error) {
        throw failure(
          `Loading the xAPI statements of ${formatMonth(range.first)} … ${formatMonth(range.last)} (${formatInt(range.rows)} rows) into ${raw}`,
          error,
        );
      }
      committed.set('xapi', (committed.get('xapi') ?? 0) + range.rows);
    }
  };

  const finishXapi = async (): Promise<void> => {
    if (xapiFinished) return;
    xapiFinished = true;
    await reloadOnce();
    await flush('xapi');
    await settle();
    if (monthFiles) {
      const files = monthFiles;
      await loadMonthFiles(files);
      monthFiles = undefined;
    }
    if (staging) await moveStaged();
  };

  /** Closes and removes every temporary file. Never throws. */
  const removeTemp = async (): Promise<void> => {
    for (const batch of batches.values()) await batch.file?.handle.close().catch(() => {});
    batches.clear();
    await monthFiles?.abort();
    monthFiles = undefined;
    if (tempDir) await rm(tempDir, { recursive: true, force: true }).catch(() => {});
    tempDir = undefined;
  };

  return {
    description,

    async preflight() {
      // Opening the target runs a query with the credentials: an unreachable host, a wrong
      // password or a missing chdb fail here, before anything is generated.
      ch ??= await createClickHouse(target);
      const kind = ch.kind;
      insertPath = options.insertPath ?? (kind === 'embedded' ? 'file' : 'client');
      segmentBytes = options.segmentBytes ?? (insertPath === 'file' ? 32 * MiB : 16 * MiB);
      if (insertPath === 'file' && kind !== 'embedded') {
        throw new XapiDbLoadError(
          `clickhouse sink: insertPath "file" needs the embedded engine (a server cannot read this machine's files); ${ch.description}`,
        );
      }
      if (shouldInitSchema(config, kind)) {
        log(
          `Creating the Aspects schema (aspects-dbt ${aspectsDbtTag(names.aspectsVersion)}) in ${names.xapiDb}, ${names.eventSinkDb}, ${names.reportingDb} if missing`,
        );
        await initSchema(ch, names);
      }
      // Refused (or reset) before anything is generated when the tables hold data.
      before = await guardTarget(ch, names, {
        datasetHash: hash,
        ...(shard ? { shard } : {}),
        target,
        ...(options.reset ? { reset: true } : {}),
        recreate: () => initSchema(connection(), names),
        log,
      });
      record = await beginLoad(
        ch,
        names,
        { datasetHash: hash, ...(shard ? { shard } : {}), configSummary: summary },
        log,
      );
    },

    tables: () => TABLE_KEYS,

    chunkFormat(table: TableKey): ChunkFormat {
      return { encoding: 'csv', gzipLevel: null, withIds: false, group: table === 'xapi' ? xapiGroup : 1 };
    },

    async open(datasetPlan) {
      plan = datasetPlan;
      if (insertPath === 'file') tempDir = await mkdtemp(join(options.tempDir ?? tmpdir(), 'xapi-db-load-ch-'));
      if (!chronological || datasetPlan.tables.xapi.chunks === 0) return;
      if (insertPath === 'file') {
        monthFiles = createMonthFiles(tempDir as string);
        return;
      }
      const name = stagingTableName(names);
      try {
        await createStagingTable(connection().client, name);
      } catch (error) {
        throw failure(`Creating the xAPI staging table ${name}`, error);
      }
      staging = name;
    },

    async write(chunk: ChunkResult) {
      if (hasInflightError) throw inflightError;
      const table = chunk.table;
      if (table === 'xapi' && !dictionariesReloaded) await reloadOnce();
      if (table === 'xapi' && monthFiles) {
        try {
          await monthFiles.add(chunk.data);
        } catch (error) {
          throw failure(`Writing xAPI chunk ${chunk.index} to the temporary month files`, error);
        }
        held += chunk.rows;
        const total = sent.get('xapi') as { rows: number; bytes: number };
        total.rows += chunk.rows;
        total.bytes += chunk.data.byteLength;
        return;
      }
      let batch = batches.get(table);
      if (!batch) {
        batch = { table, firstChunk: chunk.index, lastChunk: chunk.index, rows: 0, bytes: 0, parts: [] };
        if (insertPath === 'file') {
          const path = join(tempDir as string, `${table}-${fileCounter++}.csv`);
          batch.file = { path, handle: await open(path, 'w') };
        }
        batches.set(table, batch);
      }
      if (batch.file) await batch.file.handle.write(chunk.data);
      else batch.parts.push(chunk.data);
      batch.lastChunk = chunk.index + chunk.count - 1;
      batch.rows += chunk.rows;
      batch.bytes += chunk.data.byteLength;
      if (batch.bytes >= segmentBytes) await flush(table);
    },

    async endTable(table: TableKey) {
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

    async close(): Promise<SinkSummary> {
      const ch = connection();
      const datasetPlan = plan as DatasetPlan;
      for (const key of EVENT_SINK_KEYS) await flush(key);
      await finishXapi();
      await settle();
      await removeTemp();
      stopIfAborted();
      await record?.phase(config.optimizeFinal ? 'OPTIMIZE … FINAL' : 'verification', writtenCounts());
      const after = await finishLoad(ch, names, datasetPlan, {
        optimize: config.optimizeFinal,
        log,
        failure,
        ...(before ? { before } : {}),
        tables: verifyTables,
      });
      let headlines: Headlines;
      try {
        headlines = await readHeadlines(ch.client, names);
      } catch (error) {
        throw failure('Reading the headline numbers from the reporting tables', error);
      }
      const tables: Partial<Record<TableKey, TableWriteSummary>> = {};
      for (const key of TABLE_KEYS) {
        const total = sent.get(key) as { rows: number; bytes: number };
        tables[key] = {
          rows: total.rows,
          bytes: total.bytes,
          rawBytes: total.bytes,
          location: qualifiedTable(names, key),
        };
      }
      const notes = [
        `Aspects reports: ${formatInt(headlines.enrolledLearners)} learners enrolled ` +
          `(${names.reportingDb}.dim_most_recent_enrollment), ${formatInt(headlines.videoPlays)} video plays ` +
          `(${names.xapiDb}.video_playback_events), ${formatInt(headlines.problemAttempts)} problem attempts ` +
          `(${names.xapiDb}.problem_events)`,
        `Loaded ${chronological ? 'in time order' : 'in generation order'} with the Aspects schema ` +
          `(aspects-dbt ${aspectsDbtTag(names.aspectsVersion)}) on ${ch.description}, engine ${ch.serverVersion}` +
          (config.optimizeFinal ? ', then OPTIMIZE … FINAL' : ''),
      ];
      if (target.kind === 'embedded' && target.path !== undefined) {
        notes.push(
          `The data stays in ${target.path}: query it with \`clickhouse local --path ${target.path}\` or chdb ` +
            `(\`new Session(${JSON.stringify(target.path)})\`), one process at a time. Delete the directory to start afresh.`,
        );
      }
      await record?.finish('complete', writtenCounts());
      if (ownsConnection) await ch.close();
      return { tables, notes, clickhouse: { counts: after, ...(before ? { before } : {}), headlines } };
    },

    async abort(reason?: unknown) {
      // Let the insert in flight finish before its file and the staging table go away.
      await inflight;
      await removeTemp();
      await record?.finish(
        options.signal?.aborted ? 'interrupted' : 'failed',
        writtenCounts(),
        describeError(options.signal?.aborted ? options.signal.reason : (reason ?? 'unknown failure')).split('\n')[0],
      );
      try {
        if (staging && ch) {
          const table = staging;
          staging = undefined;
          await dropTable(ch.client, table);
        }
      } catch (error) {
        // abort never throws: the original failure is what the caller reports.
        log(`cleanup after failure also failed: ${describeError(error)}`);
      } finally {
        if (ownsConnection) await ch?.close().catch(() => {});
      }
    },
  };
}
