/**
 * The frame of a streamed load (generated chunks, or Native files as they are written): the
 * schema rule, the guard, the ledger row, and at the end `OPTIMIZE … FINAL`, verification and
 * the ledger marked complete; on failure the ledger marked `failed` / `interrupted`. The same
 * rules as {@link loadDataset} for files, in one place for both streamed loads.
 */

import type { ClickHouse, ClickHouseTarget } from '../../clickhouse/connect.ts';
import { aspectsDbtTag, initSchema, type SchemaNames } from '../../clickhouse/schema.ts';
import { datasetHash } from '../../config/dataset-hash.ts';
import type { Config } from '../../config/types.ts';
import { describeError } from '../../errors.ts';
import type { TableKey } from '../../formats/tables.ts';
import type { DatasetPlan } from '../../generate/dataset.ts';
import { guardTarget } from '../guard.ts';
import { beginLoad, type LedgerRecord } from '../ledger.ts';
import { finishLoad, type TableCountsByKey } from '../verify.ts';

/** Whether the Aspects schema is created before loading: `init_schema`, or by target kind when null. */
export function shouldInitSchema(config: Pick<Config, 'initSchema'>, kind: ClickHouseTarget['kind']): boolean {
  return config.initSchema ?? kind !== 'url';
}

export interface StreamSessionOptions {
  readonly config: Config;
  readonly names: SchemaNames;
  /** The target as configured (the advice names the embedded data directory). */
  readonly target: ClickHouseTarget;
  /** A short JSON for the ledger (never credentials). */
  readonly configSummary: string;
  readonly reset?: boolean;
  /** Cancels a running `OPTIMIZE` (Ctrl-C). */
  readonly signal?: AbortSignal;
  readonly log: (line: string) => void;
}

/** A load that passed the guard and has its ledger row. */
export interface StreamSession {
  /** Rows per table before the load (other shards' rows; zero otherwise). */
  readonly before: TableCountsByKey;
  readonly record: LedgerRecord;
  /** `OPTIMIZE … FINAL` per the config, verification, ledger `complete`. Returns the counts after. */
  finish(
    plan: DatasetPlan,
    rows: Readonly<Record<string, number>>,
    options: {
      readonly failure: (what: string, error: unknown) => Error;
      readonly tables?: readonly TableKey[];
      readonly where?: string;
    },
  ): Promise<TableCountsByKey>;
  /** Marks the ledger `interrupted` (when `signal` fired) or `failed`. Never throws. */
  fail(rows: Readonly<Record<string, number>>, reason: unknown, signal?: AbortSignal): Promise<void>;
}

/**
 * Creates the schema when the rule says so, refuses (or resets) a target that holds data
 * before anything is written, and records the load in the ledger.
 */
export async function beginStreamSession(ch: ClickHouse, options: StreamSessionOptions): Promise<StreamSession> {
  const { config, names, log } = options;
  const hash = datasetHash(config).hex;
  const shard = config.shardCount > 1 ? `${config.shardIndex}/${config.shardCount}` : undefined;
  if (shouldInitSchema(config, ch.kind)) {
    log(
      `Creating the Aspects schema (aspects-dbt ${aspectsDbtTag(names.aspectsVersion)}) in ${names.xapiDb}, ${names.eventSinkDb}, ${names.reportingDb} if missing`,
    );
    await initSchema(ch, names);
  }
  const before = await guardTarget(ch, names, {
    datasetHash: hash,
    ...(shard ? { shard } : {}),
    target: options.target,
    ...(options.reset ? { reset: true } : {}),
    recreate: () => initSchema(ch, names),
    log,
  });
  const record = await beginLoad(
    ch,
    names,
    { datasetHash: hash, ...(shard ? { shard } : {}), configSummary: options.configSummary },
    log,
  );
  return {
    before,
    record,
    async finish(plan, rows, finishOptions) {
      await record.phase(config.optimizeFinal ? 'OPTIMIZE … FINAL' : 'verification', rows);
      const after = await finishLoad(ch, names, plan, {
        optimize: config.optimizeFinal,
        ...(options.signal ? { signal: options.signal } : {}),
        log,
        failure: finishOptions.failure,
        before,
        ...(finishOptions.tables ? { tables: finishOptions.tables } : {}),
        ...(finishOptions.where ? { where: finishOptions.where } : {}),
      });
      await record.finish('complete', rows);
      return after;
    },
    async fail(rows, reason, signal) {
      const interrupted = signal?.aborted === true;
      await record.finish(
        interrupted ? 'interrupted' : 'failed',
        rows,
        describeError(interrupted ? signal?.reason : (reason ?? 'unknown failure')).split('\n')[0],
      );
    },
  };
}
