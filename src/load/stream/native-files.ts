/**
 * The load stage for Native files while they are written (`backend: chdb` with
 * `load_from_s3_after`): the backend converts and publishes each file, then hands its name
 * here; each file is loaded with one `INSERT … SELECT FROM s3()/file(…, 'Native')`, the
 * dictionaries reloaded before the first xAPI file. Phases: {@link startNativeFileLoad} opens
 * the target (or reuses the converter when the target is the embedded engine), creates the
 * schema, guards and records; the returned load takes files, then finishes or aborts.
 */

import { BULK_INSERT_SETTINGS, resolveTarget } from '../../clickhouse/bulk.ts';
import { type ClickHouse, createClickHouse } from '../../clickhouse/connect.ts';
import {
  type NativeLocation,
  nativeCredentials,
  nativeFileLocation,
  renderNativeLoad,
} from '../../clickhouse/native-files.ts';
import { reloadDictionaries, schemaNamesFromConfig } from '../../clickhouse/schema.ts';
import type { Config } from '../../config/types.ts';
import type { TableKey } from '../../formats/tables.ts';
import type { DatasetPlan } from '../../generate/dataset.ts';
import { s3SettingsFromConfig } from '../../storage/s3.ts';
import type { TableCountsByKey } from '../verify.ts';
import { commandCancellable } from './cancel.ts';
import { beginStreamSession } from './session.ts';

export interface NativeFileLoadOptions {
  readonly config: Config;
  readonly location: NativeLocation;
  /** The embedded engine that converts; it loads too when the target is the embedded engine. */
  readonly engine: ClickHouse;
  /** An open load target; not closed. @default the config's target */
  readonly loader?: ClickHouse;
  /** Wraps a failure with what was written and loaded (the backend's error). */
  readonly failure: (what: string, error: unknown) => Error;
  /** A short JSON for the ledger (never credentials). */
  readonly configSummary: string;
  readonly reset?: boolean;
  readonly signal?: AbortSignal;
  readonly log: (line: string) => void;
}

export interface NativeFileLoad {
  /** The target's description. */
  readonly description: string;
  /** Loads one published file of `table` holding `rows` rows (`0`: counted by {@link addRows}). */
  loadFile(table: TableKey, name: string, rows: number): Promise<void>;
  /** Rows loaded that no single file accounts for (a unit split into year files). */
  addRows(table: TableKey, rows: number): void;
  /** Rows loaded per table so far. */
  loaded(): Readonly<Record<string, number>>;
  /** `OPTIMIZE … FINAL`, verification, ledger `complete`; closes what it opened. */
  finish(
    plan: DatasetPlan,
    where: string,
  ): Promise<{ readonly counts: TableCountsByKey; readonly before: TableCountsByKey }>;
  /** Marks the ledger, closes what it opened. Never throws. */
  abort(reason?: unknown): Promise<void>;
}

/** Opens (or reuses) the load target, creates the schema per `init_schema`, guards and records the load. */
export async function startNativeFileLoad(options: NativeFileLoadOptions): Promise<NativeFileLoad> {
  const { config, location, failure, log } = options;
  const target = resolveTarget(config);
  const names = schemaNamesFromConfig(config, config.dbReportingName);
  const settings = s3SettingsFromConfig(config);
  const credentials = nativeCredentials(settings);
  // One chdb per process: an embedded target is the converter's engine.
  const owned = !options.loader && target.kind !== 'embedded';
  const ch = options.loader ?? (target.kind === 'embedded' ? options.engine : await createClickHouse(target));
  const closeOwned = async () => {
    if (owned) await ch.close().catch(() => {});
  };
  let session: Awaited<ReturnType<typeof beginStreamSession>>;
  try {
    session = await beginStreamSession(ch, {
      config,
      names,
      target,
      configSummary: options.configSummary,
      ...(options.reset ? { reset: true } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      log,
    });
  } catch (error) {
    await closeOwned();
    throw error;
  }
  const loaded = new Map<TableKey, number>();
  let dictionariesReloaded = false;
  const counts = (): Record<string, number> => Object.fromEntries(loaded);
  const add = (table: TableKey, rows: number) => loaded.set(table, (loaded.get(table) ?? 0) + rows);

  return {
    description: ch.description,
    async loadFile(table, name, rows) {
      if (table === 'xapi' && !dictionariesReloaded) {
        dictionariesReloaded = true;
        try {
          await reloadDictionaries(ch, names);
        } catch (error) {
          throw failure('Reloading the course, block, tag and PII dictionaries', error);
        }
      }
      const statement = renderNativeLoad(table, nativeFileLocation(location, settings, name), {
        local: location.kind === 'local',
        credentials,
        cluster: config.dbCluster,
        chronological: config.xapiLoadOrder === 'chronological',
        names,
      });
      try {
        await commandCancellable(
          ch,
          { query: statement.query, query_params: { ...statement.params }, clickhouse_settings: BULK_INSERT_SETTINGS },
          options.signal,
          log,
        );
      } catch (error) {
        throw failure(`Loading ${name} into ${statement.target} on ${ch.description}`, error);
      }
      add(table, rows);
    },
    addRows: add,
    loaded: counts,
    async finish(plan, where) {
      const after = await session.finish(plan, counts(), { failure, where });
      await closeOwned();
      return { counts: after, before: session.before };
    },
    async abort(reason) {
      await session.fail(counts(), reason, options.signal);
      await closeOwned();
    },
  };
}
