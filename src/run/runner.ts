/**
 * The load-db run: preflight the sink, build the world, plan chunks, generate them on worker
 * threads and feed them to the sink in order. On any failure: abort the sink (temporary files
 * removed), stop the workers, and rethrow as a `SinkError` carrying the rows written so far.
 */

import type { ChunkSpec } from '../backends/chunk.ts';
import { createSink } from '../backends/index.ts';
import type { Sink, SinkSummary } from '../backends/sink.ts';
import type { Config } from '../config/types.ts';
import { describeError, InterruptedError, SinkError, VerificationError } from '../errors.ts';
import type { TableKey } from '../formats/tables.ts';
import { type DatasetPlan, planDataset } from '../generate/dataset.ts';
import { buildWorld, type World } from '../generate/world.ts';
import { prepareCsvBulkLoad } from '../load/csv.ts';
import type { LoadResult } from '../load/index.ts';
import { type Clock, systemClock } from '../util/clock.ts';
import { formatInt } from '../util/format.ts';
import { GenerationPool } from './generation-pool.ts';
import type { ProgressReporter } from './progress.ts';

/** Above this many rows a run gets a warning: likely a typo in num_actors or the batches (issue #12, D9). */
const HUGE_RUN_ROWS = 1_000_000_000;

export interface RunOptions {
  readonly clock?: Clock;
  readonly progress?: ProgressReporter;
  /** Informational lines (never data). */
  readonly log?: (line: string) => void;
  /** Overrides the sink the backend would pick (tests, library users). */
  readonly sink?: Sink;
  /** Aborting stops the run between chunks; the sink is aborted and nothing is committed. */
  readonly signal?: AbortSignal;
  /** `--reset` for the load after generation (`load_from_s3_after` with the csv backend). */
  readonly reset?: boolean;
}

export interface RunResult {
  readonly plan: DatasetPlan;
  readonly summary: SinkSummary;
  readonly durationMs: number;
  /** xAPI statements produced (E + X). */
  readonly statements: number;
  readonly sinkDescription: string;
  /** The load that followed the generation (csv backend with `load_from_s3_after`). */
  readonly load?: LoadResult;
}

function* chunkSpecs(sink: Sink, plan: DatasetPlan): Generator<ChunkSpec> {
  for (const table of sink.tables()) {
    const chunks = plan.tables[table].chunks;
    for (let index = 0; index < chunks; ) {
      const format = sink.chunkFormat(table, index);
      const count = Math.min(Math.max(1, format.group), chunks - index);
      yield { table, index, count, encoding: format.encoding, gzipLevel: format.gzipLevel, withIds: format.withIds };
      index += count;
    }
  }
}

/**
 * Generates the dataset of `config` and writes it through a sink (the config's backend unless
 * `options.sink` is given), chunk by chunk in load order, on a pool of worker threads; with
 * `load_from_s3_after`, loads the written files afterwards. Rejects with the sink's error, carrying
 * the rows written, after aborting the sink and stopping the workers.
 *
 * @example
 * const result = await runLoadDb(await loadConfig('configs/default_config.yaml'));
 * console.log(formatSummary(result));
 */
export async function runLoadDb(config: Config, options: RunOptions = {}): Promise<RunResult> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? (() => {});
  const sink =
    options.sink ??
    createSink(config, {
      log,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.reset ? { reset: true } : {}),
    });

  options.signal?.throwIfAborted();
  // csv with load_from_s3_after: connect before generating, so a bad ClickHouse fails in
  // seconds rather than after the whole run; load through the load stage afterwards.
  const loadAfter =
    config.backend === 'csv' && config.loadFromS3After
      ? await prepareCsvBulkLoad(config, {
          log,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.reset ? { reset: true } : {}),
        })
      : undefined;
  try {
    const done = await generate(config, options, sink, clock, log);
    if (!loadAfter) return done;
    log('Attempting to load to ClickHouse from S3...');
    return { ...done, load: await loadAfter.load(done.plan) };
  } finally {
    await loadAfter?.close();
  }
}

async function generate(
  config: Config,
  options: RunOptions,
  sink: Sink,
  clock: Clock,
  log: (line: string) => void,
): Promise<RunResult> {
  const startedAt = clock.now();
  // The workers boot (imports, their own world) while this thread checks the sink and builds
  // its world: a csv run's start-up was otherwise serial, ~5 % of a 1M-statement run (#13).
  const starting = GenerationPool.start(config, config.numWorkers);
  // Awaited below; a start-up failure while the preflight still runs is not unhandled.
  starting.catch(() => {});
  let world: World;
  let plan: DatasetPlan;
  try {
    await sink.preflight();
    world = buildWorld(config);
    plan = planDataset(world);
  } catch (error) {
    await starting.then(
      (pool) => pool.close(),
      () => {},
    );
    throw error;
  }
  const statements = plan.tables.xapi.rows;
  const sinkRows = sink
    .tables()
    .filter((table) => table !== 'xapi')
    .reduce((sum, table) => sum + plan.tables[table].rows, 0);
  log(
    `Generating ${world.courses.length} courses, ${config.numActors} actors, ${statements} statements ` +
      `and ${sinkRows} event-sink rows (seed ${config.seed}) with ${config.numWorkers} worker(s) into ${sink.description}`,
  );
  if (statements + sinkRows > HUGE_RUN_ROWS) {
    log(
      `warning: this config makes ${formatInt(statements + sinkRows)} rows (num_actors ${formatInt(config.numActors)}, ` +
        `num_xapi_batches ${formatInt(config.numXapiBatches)} × batch_size ${formatInt(config.batchSize)}); ` +
        'at a few hundred thousand rows a second that takes hours or more. Interrupt (Ctrl-C) if that was not meant.',
    );
  }

  const written: Partial<Record<TableKey, number>> = {};
  try {
    const pool = await starting;
    await sink.open(plan);
    options.progress?.start(statements, sinkRows);
    let statementsDone = 0;
    let sinkRowsDone = 0;
    const chunksLeft = new Map(sink.tables().map((t) => [t, plan.tables[t].chunks]));
    const endTable = async (table: TableKey) => {
      await sink.endTable?.(table);
    };
    for (const [table, left] of chunksLeft) if (left === 0) await endTable(table);
    for await (const chunk of pool.map(chunkSpecs(sink, plan))) {
      options.signal?.throwIfAborted();
      await sink.write(chunk);
      written[chunk.table] = (written[chunk.table] ?? 0) + chunk.rows;
      const left = (chunksLeft.get(chunk.table) ?? 0) - chunk.count;
      chunksLeft.set(chunk.table, left);
      if (left === 0) await endTable(chunk.table);
      if (chunk.table === 'xapi') statementsDone += chunk.rows;
      else sinkRowsDone += chunk.rows;
      options.progress?.update(statementsDone, sinkRowsDone);
    }
    // Generation is done: the bar ends before the sink's load and verify lines.
    options.progress?.finish();
    const summary = await sink.close();
    return { plan, summary, durationMs: clock.now() - startedAt, statements, sinkDescription: sink.description };
  } catch (error) {
    options.progress?.finish();
    await sink
      .abort(error)
      .catch((abortError) => log(`cleanup after failure also failed: ${describeError(abortError)}`));
    if (options.signal?.aborted) {
      // Stopped by a signal: say what was written, and exit 130/143 as a shell expects.
      const reason = options.signal.reason;
      // The sink's own error says what reached ClickHouse; else the rows handed to the sink.
      const own = error instanceof SinkError && error !== reason;
      const rows = own ? error.written : written;
      const list = Object.entries(rows).map(([table, n]) => `${table}=${n}`);
      throw new InterruptedError(
        `load-db stopped: ${describeError(reason)}.\n` +
          `${own ? describeError(error) : `Rows handed to the sink before it stopped: ${list.join(', ') || 'none'}`}`,
        reason instanceof InterruptedError ? reason.exitCode : 130,
        rows,
        { cause: error },
      );
    }
    // A sink's own error already says what was written; a failed verification is its own verdict.
    if (error instanceof SinkError || error instanceof VerificationError) throw error;
    const counts = Object.entries(written)
      .map(([table, rows]) => `${table}=${rows}`)
      .join(', ');
    // Rows handed over are not necessarily rows stored: files are never committed after a
    // failure, but a network sink (Ralph) may have stored some; it logs what was acknowledged.
    const message = `load-db failed: ${describeError(error)}\nRows handed to the sink before the failure: ${counts || 'none'}`;
    throw new SinkError(message, written as Record<string, number>, { cause: error });
  } finally {
    // Every path that got here started the pool; it must stop even if it never got used.
    await starting.then(
      (pool) => pool.close(),
      () => {},
    );
  }
}
