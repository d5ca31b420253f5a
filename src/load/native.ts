/**
 * `load-db --load_db_only` for the chdb backend: list the Native files already at the
 * location (reference §7.6.4: the original's prefixes, here matched on whole names so that
 * `tag` does not pick up `tags.csv.gz`), load them one by one (event-sink tables, the
 * dictionaries reloaded, then xAPI year by year) and check that every table gained exactly the
 * rows its files hold. No files at all is an error (the original only warned and loaded
 * nothing).
 */

import { BULK_INSERT_SETTINGS, resolveTarget } from '../clickhouse/bulk.ts';
import { type ClickHouse, createClickHouse, redactSecrets } from '../clickhouse/connect.ts';
import {
  classifyNativeFile,
  describeNativeLocation,
  listNativeNames,
  NATIVE_PREFIXES,
  type NativeFile,
  nativeCredentials,
  nativeFileLocation,
  nativeLocationFromConfig,
  renderNativeLoad,
  sortNativeFiles,
} from '../clickhouse/native-files.ts';
import { initSchema, optimizeFinal, reloadDictionaries, schemaNamesFromConfig } from '../clickhouse/schema.ts';
import type { Config } from '../config/types.ts';
import { describeError, VerificationError, XapiDbLoadError } from '../errors.ts';
import { TABLE_KEYS, type TableKey } from '../formats/tables.ts';
import { planDataset } from '../generate/dataset.ts';
import { buildWorld } from '../generate/world.ts';
import { type Clock, systemClock } from '../run/clock.ts';
import { formatInt } from '../run/format.ts';
import { s3SettingsFromConfig } from '../storage/s3.ts';
import { redactUrl, type TableLoadResult } from './csv.ts';
import { countLoadedTables, type TableCountsByKey } from './verify.ts';

export interface NativeLoadOptions {
  readonly log?: (line: string) => void;
  /** Use this connection instead of opening the config's target (not closed). */
  readonly clickhouse?: ClickHouse;
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
}

export interface NativeLoadResult {
  /** Directory or `s3://` folder. */
  readonly source: string;
  readonly target: string;
  readonly files: number;
  readonly tables: readonly TableLoadResult[];
  /** One line: whether the files hold the dataset this config describes. */
  readonly note: string;
  readonly durationMs: number;
}

/** Rows in one Native file, read by ClickHouse. */
async function rowsInFile(ch: ClickHouse, query: string, params: Record<string, string>): Promise<number> {
  const rs = await ch.client.query({ query, query_params: params, format: 'JSONEachRow' });
  const rows = await rs.json<{ n: string | number }>();
  return Number(rows[0]?.n ?? 0);
}

/**
 * Loads the chdb backend's Native files from `native_output_destination` (or
 * `s3://{s3_bucket}/{s3_prefix}`) into the config's ClickHouse.
 *
 * @example
 * const result = await runNativeLoad(config, { log: console.error });
 * console.log(formatNativeLoadSummary(result));
 */
export async function runNativeLoad(config: Config, options: NativeLoadOptions = {}): Promise<NativeLoadResult> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? (() => {});
  const startedAt = clock.now();
  const location = nativeLocationFromConfig(config);
  const settings = s3SettingsFromConfig(config);
  const secrets = settings.secretAccessKey ? [settings.secretAccessKey] : [];
  const credentials = nativeCredentials(settings);
  const where = describeNativeLocation(location);

  let names: string[];
  try {
    names = await listNativeNames(location, config);
  } catch (error) {
    throw new XapiDbLoadError(
      `Cannot list ${where} (${location.from}): ${redactSecrets(describeError(error), secrets)}`,
      { cause: error },
    );
  }
  const files = sortNativeFiles(
    names.map(classifyNativeFile).filter((f): f is NativeFile => f !== null),
    TABLE_KEYS,
  );
  if (files.length === 0) {
    const prefixes = TABLE_KEYS.flatMap((t) => NATIVE_PREFIXES[t]).join(', ');
    throw new XapiDbLoadError(
      `Cannot load: no Native files found in ${where} (${location.from}); expected files named ` +
        `${prefixes} … ending in .native.lz4, as the chdb backend writes them. Run load-db with backend: chdb first, ` +
        `or point ${location.from} at the folder holding them`,
    );
  }
  log(`Found ${formatInt(files.length)} Native files in ${where}`);

  const schema = schemaNamesFromConfig(config, config.dbReportingName);
  const ch = options.clickhouse ?? (await createClickHouse(resolveTarget(config)));
  const owned = options.clickhouse === undefined;
  try {
    if (location.kind === 'local' && ch.kind !== 'embedded') {
      throw new XapiDbLoadError(
        `${location.from}: the local directory ${where} can be loaded only by the embedded engine (db_host: embedded); ` +
          `${ch.description} cannot read it`,
      );
    }
    if (config.initSchema ?? ch.kind !== 'url') {
      log(`Creating the Aspects schema (if missing) on ${ch.description}`);
      await initSchema(ch, schema);
    }
    let before: TableCountsByKey;
    try {
      before = await countLoadedTables(ch, schema);
    } catch (error) {
      throw new XapiDbLoadError(
        `The Aspects tables are missing or unreadable on ${ch.description} (${ch.redact(describeError(error))}); ` +
          'create them with `xapi-db-load init-schema` or set `init_schema: true`',
        { cause: error },
      );
    }
    const inFiles = new Map<TableKey, number>();
    const durations = new Map<TableKey, number>();
    const targets = new Map<TableKey, string>();
    let reloaded = false;
    for (const file of files) {
      options.signal?.throwIfAborted();
      if (file.table === 'xapi' && !reloaded) {
        reloaded = true;
        await reloadDictionaries(ch, schema);
      }
      const fileLocation = nativeFileLocation(location, settings, file.name);
      const shown = location.kind === 'local' ? fileLocation : redactUrl(fileLocation, secrets);
      const statement = renderNativeLoad(file.table, fileLocation, {
        local: location.kind === 'local',
        credentials,
        cluster: config.dbCluster,
        chronological: config.xapiLoadOrder === 'chronological',
        names: schema,
      });
      targets.set(file.table, statement.target);
      const t0 = clock.now();
      try {
        // The rows the file holds: what the table must gain (read on this node, cluster or not).
        const counting = renderNativeLoad(file.table, fileLocation, {
          local: location.kind === 'local',
          credentials,
          cluster: null,
          names: schema,
        });
        const rows = await rowsInFile(ch, `SELECT count() AS n FROM ${counting.source}`, { ...counting.params });
        inFiles.set(file.table, (inFiles.get(file.table) ?? 0) + rows);
        log(`Inserting ${formatInt(rows)} rows from ${shown} into ${statement.target}`);
        await ch.client.command({
          query: statement.query,
          query_params: { ...statement.params },
          clickhouse_settings: BULK_INSERT_SETTINGS,
        });
      } catch (error) {
        throw new XapiDbLoadError(
          `Loading ${shown} into ${statement.target} failed on ${ch.description}: ${redactSecrets(ch.redact(describeError(error).split('\n')[0] ?? ''), secrets)}`,
          { cause: error },
        );
      }
      durations.set(file.table, (durations.get(file.table) ?? 0) + clock.now() - t0);
    }
    if (config.optimizeFinal) await optimizeFinal(ch, schema);
    const after = await countLoadedTables(ch, schema);
    const present = TABLE_KEYS.filter((t) => inFiles.has(t));
    const tables = present.map(
      (table): TableLoadResult => ({
        table,
        target: targets.get(table) as string,
        location: where,
        loaded: after[table] - before[table],
        expected: inFiles.get(table) ?? 0,
        durationMs: durations.get(table) ?? 0,
      }),
    );
    const bad = tables.filter((t) => t.loaded !== t.expected);
    if (bad.length > 0) {
      throw new VerificationError(
        `Verification failed on ${ch.description}, loading ${where}: ` +
          bad
            .map((t) => `${t.target} gained ${formatInt(t.loaded)} rows, its files hold ${formatInt(t.expected ?? 0)}`)
            .join('; '),
      );
    }
    const plan = planDataset(buildWorld(config), { wholeDataset: true });
    const matches = TABLE_KEYS.every((t) => (inFiles.get(t) ?? 0) === plan.tables[t].rows);
    const missing = TABLE_KEYS.filter((t) => !inFiles.has(t) && plan.tables[t].rows > 0);
    const note = matches
      ? `Verified: every table gained the rows its files hold, which is the dataset this config describes (seed ${config.seed})`
      : `Verified: every table gained the rows its files hold; they differ from this config's dataset` +
        (missing.length > 0 ? ` (no files for ${missing.join(', ')})` : '');
    return {
      source: where,
      target: ch.description,
      files: files.length,
      tables,
      note,
      durationMs: clock.now() - startedAt,
    };
  } finally {
    if (owned) await ch.close();
  }
}

/** The load summary: rows per table (loaded and in the files), time, source. */
export function formatNativeLoadSummary(result: NativeLoadResult): string {
  const rows: string[][] = [['table', 'loaded', 'in files', 'time']];
  for (const t of result.tables) {
    rows.push([t.target, formatInt(t.loaded), formatInt(t.expected ?? 0), `${(t.durationMs / 1000).toFixed(1)}s`]);
  }
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length))) ?? [];
  const lines = rows.map((r) =>
    r
      .map((cell, col) => (col >= 1 ? cell.padStart(widths[col] ?? 0) : cell.padEnd(widths[col] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
  const total = result.tables.reduce((acc, t) => acc + t.loaded, 0);
  lines.push(
    '',
    `Loaded ${formatInt(total)} rows from ${formatInt(result.files)} Native files in ${result.source} into ${result.target} ` +
      `in ${(result.durationMs / 1000).toFixed(1)}s`,
    result.note,
  );
  return lines.join('\n');
}
