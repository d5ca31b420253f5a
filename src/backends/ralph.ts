/**
 * `ralph` backend (legacy name `ralph_clickhouse`): xAPI statements are POSTed to a Ralph LRS
 * (`lrs_url`) in batches of `batch_size`, `num_workers` requests in flight; the event-sink tables
 * and, by default, the initial enrollments go straight to ClickHouse, as the original 2.x/3.x did
 * (`ralph_send_enrollments: true` posts the enrollments too).
 *
 * Counts are what Ralph acknowledged, never what was merely sent: a 200 lists the ids it stored
 * ("inserted"), the rest of that batch and every statement of a 204 were already there ("already
 * present"). Statement ids are deterministic, so a re-run of the same config inserts nothing.
 */

import type { Config } from '../config/types.ts';
import { describeError, SinkError } from '../errors.ts';
import type { TableKey } from '../formats/tables.ts';
import type { DatasetPlan } from '../generate/dataset.ts';
import { formatInt } from '../util/format.ts';
import type { ChunkResult } from './chunk.ts';
import { createRalphClient, RalphBatchError, type RalphClient, type RalphRetryEvent } from './ralph-client.ts';
import type { ChunkFormat, Sink, SinkSummary, TableWriteSummary } from './sink.ts';
import { createSplitSink } from './split.ts';

export interface RalphSinkOptions {
  /** Takes the event-sink tables (and the initial enrollments unless `ralph_send_enrollments`). */
  readonly clickhouse: Sink;
  /** @default a client built from the config's `lrs_*` keys */
  readonly client?: RalphClient;
  /** Informational lines (retries); never data. @default no output */
  readonly log?: (line: string) => void;
  /**
   * The run's abort signal (SIGINT): a `write()` or `close()` waiting for POSTs on the wire gives
   * up at once instead of waiting out their timeouts; `abort()` then cuts them.
   */
  readonly signal?: AbortSignal;
}

/** What the statement part did, for summaries, errors and callers that want to resume. */
export interface RalphSendStats {
  /** Statements whose POST was started. */
  readonly sent: number;
  readonly batchesSent: number;
  /** Statements Ralph stored now (listed in a 200 answer). */
  readonly inserted: number;
  /** Statements Ralph already held with the same content (rest of a 200, or a 204). */
  readonly alreadyPresent: number;
  /** Re-sent requests after 429, 5xx, a timeout or a network error. */
  readonly retries: number;
  /** Statements in batches that ended in failure: Ralph may or may not hold them. */
  readonly failed: number;
  readonly failedBatches: number;
  /** xAPI chunk indexes Ralph acknowledged, ascending. */
  readonly acknowledgedChunks: readonly number[];
}

/** The ralph statement part failed; `stats` says exactly what Ralph acknowledged. */
export class RalphSinkError extends SinkError {
  readonly stats: RalphSendStats;

  constructor(message: string, stats: RalphSendStats, options?: { cause?: unknown }) {
    super(message, { xapi: stats.inserted + stats.alreadyPresent }, options);
    this.stats = stats;
  }
}

/**
 * The `ralph` backend: ClickHouse part + Ralph statement part.
 *
 * @example
 * const sink = createRalphSink(config, { clickhouse: createClickHouseSink(config) });
 * const result = await runLoadDb(config, { sink });
 */
export function createRalphSink(config: Config, options: RalphSinkOptions): Sink {
  const statements = createRalphStatementSink(config, options);
  return createSplitSink({
    clickhouse: options.clickhouse,
    statements,
    enrollmentsToStatements: config.ralphSendEnrollments,
    description:
      `${statements.description} (xAPI statements) and ${options.clickhouse.description} ` +
      `(event-sink tables${config.ralphSendEnrollments ? '' : ', initial enrollments'})`,
  });
}

function plural(n: number, one: string, many: string): string {
  return `${formatInt(n)} ${n === 1 ? one : many}`;
}

/**
 * Only the Ralph part: every xAPI chunk it is given becomes one POST. `write()` returns once the
 * POST is started, and waits only while `num_workers` POSTs are pending, so generation, encoding
 * and several requests overlap without buffering more than `num_workers` batches.
 */
export function createRalphStatementSink(config: Config, options: Omit<RalphSinkOptions, 'clickhouse'> = {}): Sink {
  const inFlight = Math.max(1, config.numWorkers);
  const log = options.log ?? (() => {});
  const client =
    options.client ??
    createRalphClient({
      url: config.lrsUrl ?? '',
      username: config.lrsUsername ?? '',
      password: config.lrsPassword ?? '',
      timeoutMs: config.lrsRequestTimeout === null ? 0 : Math.round(config.lrsRequestTimeout * 1_000),
      maxRetries: config.lrsMaxRetries,
      inFlight,
      onRetry: (event: RalphRetryEvent) =>
        log(
          `Ralph: retry ${event.retry}/${config.lrsMaxRetries} of a batch of ${event.batchSize} statement(s) ` +
            `in ${event.delayMs} ms, after: ${event.reason}`,
        ),
    });

  const stats = {
    sent: 0,
    batchesSent: 0,
    inserted: 0,
    alreadyPresent: 0,
    failed: 0,
    failedBatches: 0,
    acknowledgedChunks: [] as number[],
  };
  let rawBytes = 0;
  let planned = 0;
  const pending = new Set<Promise<void>>();
  let failure: unknown;
  let failureError: RalphSinkError | undefined;
  let clientClosed = false;

  const snapshot = (): RalphSendStats => ({
    ...stats,
    retries: client.getStats().retries,
    acknowledgedChunks: [...stats.acknowledgedChunks].sort((a, b) => a - b),
  });

  const closeClient = async (): Promise<void> => {
    if (clientClosed) return;
    clientClosed = true;
    await client.close();
  };

  /** Waits for every POST on the wire, whatever its outcome. */
  const drain = async (): Promise<void> => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };

  /** `promise`, unless the run is aborted first (then the abort reason is thrown). */
  const unlessAborted = async (promise: Promise<unknown>): Promise<void> => {
    const signal = options.signal;
    if (!signal) {
      await promise;
      return;
    }
    signal.throwIfAborted();
    let onAbort: (() => void) | undefined;
    try {
      await Promise.race([
        promise,
        new Promise<never>((_, reject) => {
          onAbort = () => reject(signal.reason);
          signal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  };

  /** The run-wide failure, built once every POST in flight has settled, so its counts are final. */
  const failed = async (): Promise<RalphSinkError> => {
    await unlessAborted(drain());
    if (failureError) return failureError;
    const s = snapshot();
    const acknowledged = s.inserted + s.alreadyPresent;
    const reason =
      failure instanceof RalphBatchError
        ? `${failure.batchSize > 0 ? `a batch of ${plural(failure.batchSize, 'statement', 'statements')} ` : ''}` +
          `${failure.retries > 0 ? `failed after ${plural(failure.retries, 'retry', 'retries')}` : failure.status === undefined ? 'failed' : 'was refused'}: ${failure.reason}`
        : describeError(failure);
    const lines = [
      `${client.where}: ${reason}`,
      `Ralph acknowledged ${formatInt(acknowledged)} of the ${formatInt(planned)} statements before the run stopped ` +
        `(${formatInt(s.inserted)} inserted, ${formatInt(s.alreadyPresent)} already present, ` +
        `${plural(s.acknowledgedChunks.length, 'batch', 'batches')}); ` +
        `${formatInt(s.failed)} in ${plural(s.failedBatches, 'failed batch', 'failed batches')} may or may not be stored; ` +
        `${formatInt(planned - s.sent)} never sent; ${plural(s.retries, 'retry', 'retries')}.`,
    ];
    failureError = new RalphSinkError(lines.join('\n'), s, { cause: failure });
    return failureError;
  };

  const post = (chunk: ChunkResult): Promise<void> => {
    stats.sent += chunk.rows;
    stats.batchesSent += 1;
    rawBytes += chunk.rawBytes;
    return client.postBatch(chunk.data, chunk.ids).then(
      (result) => {
        stats.inserted += result.inserted;
        stats.alreadyPresent += result.alreadyPresent;
        stats.acknowledgedChunks.push(chunk.index);
      },
      (error: unknown) => {
        stats.failed += chunk.rows;
        stats.failedBatches += 1;
        failure ??= error;
      },
    );
  };

  const format: ChunkFormat = { encoding: 'json-array', gzipLevel: null, withIds: true, group: 1 };

  return {
    description: client.where,
    preflight: () => client.probe(),
    tables: (): readonly TableKey[] => ['xapi'],
    chunkFormat: () => format,
    async open(plan: DatasetPlan) {
      planned = plan.tables.xapi.rows;
    },
    async write(chunk: ChunkResult) {
      if (chunk.table !== 'xapi') throw new Error(`ralph sink: unexpected chunk of ${chunk.table}`);
      if (failure !== undefined) throw await failed();
      if (chunk.ids.length !== chunk.rows) {
        throw new Error(`ralph sink: chunk ${chunk.index} has ${chunk.rows} statements but ${chunk.ids.length} ids`);
      }
      const request = post(chunk);
      pending.add(request);
      void request.finally(() => pending.delete(request));
      while (pending.size >= inFlight && failure === undefined) await unlessAborted(Promise.race(pending));
      if (failure !== undefined) throw await failed();
    },
    async endTable() {
      await unlessAborted(drain());
      if (failure !== undefined) throw await failed();
    },
    async close(): Promise<SinkSummary> {
      await unlessAborted(drain());
      if (failure !== undefined) throw await failed();
      await closeClient();
      const s = snapshot();
      const acknowledged = s.inserted + s.alreadyPresent;
      const xapi: TableWriteSummary = {
        rows: acknowledged,
        bytes: rawBytes,
        rawBytes,
        location: client.where,
      };
      const notes = [
        `Ralph: ${plural(s.sent, 'statement', 'statements')} sent in ${plural(s.batchesSent, 'batch', 'batches')} ` +
          `(up to ${inFlight} in flight): ${formatInt(s.inserted)} inserted, ${formatInt(s.alreadyPresent)} already present, ` +
          `${plural(s.retries, 'retry', 'retries')}, ${formatInt(s.failed)} failed`,
      ];
      if (s.sent > 0 && s.inserted === 0) {
        notes.push(
          'Ralph already held every statement: a re-run of the same config and seed (statement ids are deterministic) adds nothing.',
        );
      } else if (s.alreadyPresent > 0) {
        notes.push(
          `Ralph already held ${plural(s.alreadyPresent, 'statement', 'statements')} with the same id and content (from an earlier run); they were not stored twice.`,
        );
      }
      return { tables: { xapi }, notes };
    },
    async abort() {
      // Something else stopped the run (ClickHouse, an interrupt): cut the POSTs on the wire
      // rather than wait out their timeouts and retries, then say what Ralph acknowledged, since
      // the caller's message cannot know.
      if (pending.size > 0) await client.destroy().catch(() => {});
      await drain();
      await closeClient().catch(() => {});
      if (!failureError && stats.sent > 0) {
        const s = snapshot();
        log(
          `Ralph acknowledged ${formatInt(s.inserted + s.alreadyPresent)} of the ${formatInt(planned)} statements before the run stopped ` +
            `(${formatInt(s.inserted)} inserted, ${formatInt(s.alreadyPresent)} already present); ` +
            `${formatInt(s.failed)} in cut or failed batches may or may not be stored.`,
        );
      }
    },
  };
}
