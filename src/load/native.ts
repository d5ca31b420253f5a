/**
 * `load-db --load_db_only` for the chdb backend: list the Native files already at the
 * location (reference §7.6.4: the original's prefixes, here matched on whole names so that
 * `tag` does not pick up `tags.csv.gz`), load them one by one (event-sink tables, the
 * dictionaries reloaded, then xAPI year by year) and check that every table gained exactly the
 * rows its files hold. No files at all is an error (the original only warned and loaded
 * nothing).
 */

import { qualifiedTable, resolveTarget } from '../clickhouse/bulk.ts';
import { type ClickHouse, createClickHouse, redactSecrets } from '../clickhouse/connect.ts';
import {
  classifyNativeFile,
  describeNativeLocation,
  listNativeNames,
  NATIVE_PREFIXES,
  type NativeFile,
  type NativeLocation,
  nativeCredentials,
  nativeFileLocation,
  nativeLocationFromConfig,
  renderNativeLoad,
  sortNativeFiles,
} from '../clickhouse/native-files.ts';
import { type SchemaNames, schemaNamesFromConfig } from '../clickhouse/schema.ts';
import type { Config } from '../config/types.ts';
import { describeError, MissingFilesError, XapiDbLoadError } from '../errors.ts';
import { TABLE_KEYS, type TableKey } from '../formats/tables.ts';
import { planDataset } from '../generate/dataset.ts';
import { buildWorld } from '../generate/world.ts';
import { s3SettingsFromConfig } from '../storage/s3.ts';
import { formatInt } from '../util/format.ts';
import { redactUrl } from './csv.ts';
import { type LoadCommandOptions, type LoadResult, type LoadStep, loadDataset, type PreparedInput } from './index.ts';
import { runInsert } from './insert.ts';

export type NativeLoadOptions = LoadCommandOptions;

/** @deprecated the result of {@link loadDataset}. */
export type NativeLoadResult = LoadResult;

/** Tables whose row counts differ between configs of different sizes. */
const IDENTIFYING_TABLES: readonly TableKey[] = [
  'courseOverviews',
  'courseBlocks',
  'externalIds',
  'userProfiles',
  'objectTags',
];

/** Rows in one Native file, read by ClickHouse. */
async function rowsInFile(ch: ClickHouse, query: string, params: Record<string, string>): Promise<number> {
  const rs = await ch.client.query({ query, query_params: params, format: 'JSONEachRow' });
  const rows = await rs.json<{ n: string | number }>();
  return Number(rows[0]?.n ?? 0);
}

/**
 * The Native files at `location`, in load order (event-sink tables, then xAPI year by year).
 * @throws XapiDbLoadError when the folder cannot be listed or holds none.
 */
export async function listNativeFiles(location: NativeLocation, config: Config): Promise<NativeFile[]> {
  const settings = s3SettingsFromConfig(config);
  const secrets = settings.secretAccessKey ? [settings.secretAccessKey] : [];
  const where = describeNativeLocation(location);
  let names: string[];
  try {
    names = await listNativeNames(location, config);
  } catch (error) {
    throw new XapiDbLoadError(
      `Cannot list ${where} (${location.from}): ${redactSecrets(describeError(error), secrets)}`,
      {
        cause: error,
      },
    );
  }
  const files = sortNativeFiles(
    names.map(classifyNativeFile).filter((f): f is NativeFile => f !== null),
    TABLE_KEYS,
  );
  if (files.length === 0) {
    const prefixes = TABLE_KEYS.flatMap((t) => NATIVE_PREFIXES[t]);
    throw new MissingFilesError(
      `Cannot load: no Native files found in ${where} (${location.from}); expected files named ` +
        `${prefixes.join(', ')} … ending in .native.lz4, as the chdb backend writes them. Run load-db with backend: chdb first, ` +
        `or point ${location.from} at the folder holding them`,
      where,
      prefixes.map((p) => `${p}….native.lz4`),
    );
  }
  return files;
}

/**
 * Counts the rows each Native file holds and renders its load, writing nothing. Each table must
 * gain the rows its files hold. When the course and learner files are this config's dataset but
 * another table's are not, files are missing (or extra): the load is refused before anything
 * is written, naming the tables (issue #9, D4: a deleted xAPI file was "Verified").
 */
export async function prepareNativeInput(
  ch: ClickHouse,
  config: Config,
  location: NativeLocation,
  schema: SchemaNames,
  listed?: readonly NativeFile[],
): Promise<PreparedInput> {
  const settings = s3SettingsFromConfig(config);
  const secrets = settings.secretAccessKey ? [settings.secretAccessKey] : [];
  const credentials = nativeCredentials(settings);
  const where = describeNativeLocation(location);
  const reason = (error: unknown) => redactSecrets(ch.redact(describeError(error).split('\n')[0] ?? ''), secrets);

  const files = listed ?? (await listNativeFiles(location, config));
  if (location.kind === 'local' && ch.kind !== 'embedded') {
    throw new XapiDbLoadError(
      `${location.from}: the local directory ${where} can be loaded only by the embedded engine (db_host: embedded); ` +
        `${ch.description} cannot read it`,
    );
  }
  const inFiles = Object.fromEntries(TABLE_KEYS.map((t) => [t, 0])) as Record<TableKey, number>;
  const steps: LoadStep[] = [];
  for (const file of files) {
    const fileLocation = nativeFileLocation(location, settings, file.name);
    const shown = location.kind === 'local' ? fileLocation : redactUrl(fileLocation, secrets);
    const local = location.kind === 'local';
    const statement = renderNativeLoad(file.table, fileLocation, {
      local,
      credentials,
      cluster: config.dbCluster,
      chronological: config.xapiLoadOrder === 'chronological',
      names: schema,
    });
    // The rows the file holds: what the table must gain (read on this node, cluster or not).
    const counting = renderNativeLoad(file.table, fileLocation, { local, credentials, cluster: null, names: schema });
    let rows: number;
    try {
      rows = await rowsInFile(ch, `SELECT count() AS n FROM ${counting.source}`, { ...counting.params });
    } catch (error) {
      throw new XapiDbLoadError(`Cannot read ${shown} from ${ch.description}: ${reason(error)}`, { cause: error });
    }
    inFiles[file.table] += rows;
    steps.push({
      table: file.table,
      target: statement.target,
      shown,
      line: `Inserting ${formatInt(rows)} rows from ${shown} into ${statement.target}`,
      run: (signal) => runInsert(ch, statement, shown, secrets, signal),
    });
  }
  const plan = planDataset(buildWorld(config), { wholeDataset: true });
  const differing = TABLE_KEYS.filter((t) => inFiles[t] !== plan.tables[t].rows);
  // The course and learner tables' sizes name the config; taxonomy and tag are the same in every dataset.
  const ofThisConfig = IDENTIFYING_TABLES.every((t) => inFiles[t] === plan.tables[t].rows);
  if (ofThisConfig && differing.length > 0) {
    throw new XapiDbLoadError(
      `Cannot load ${where}: its course and learner files are this config's dataset (seed ${config.seed}), but ` +
        differing
          .map(
            (t) =>
              `${qualifiedTable(schema, t)} files hold ${formatInt(inFiles[t])} rows, the dataset ${formatInt(plan.tables[t].rows)}`,
          )
          .join('; ') +
        '. Files are missing or come from another run; nothing was loaded. Write them again (load-db with backend: chdb) into an empty folder.',
    );
  }
  const note =
    differing.length === 0
      ? `Verified: every table gained the rows its files hold, which is the dataset this config describes (seed ${config.seed})`
      : 'Verified: every table gained the rows its files hold; they are not the dataset this config describes';
  return { source: where, steps, expected: inFiles, note, files: files.length };
}

/**
 * Loads the chdb backend's Native files from `native_output_destination` (or
 * `s3://{s3_bucket}/{s3_prefix}`) into the config's ClickHouse through {@link loadDataset}.
 *
 * @example
 * const result = await runNativeLoad(config, { log: console.error });
 * console.log(formatNativeLoadSummary(result));
 */
export async function runNativeLoad(config: Config, options: NativeLoadOptions = {}): Promise<LoadResult> {
  const location = nativeLocationFromConfig(config);
  // Listing needs no ClickHouse: an empty folder fails before connecting.
  const files = await listNativeFiles(location, config);
  const configured = resolveTarget(config);
  const ch = options.clickhouse ?? (await createClickHouse(configured));
  try {
    return await loadDataset(
      { kind: 'native', location, files },
      { clickhouse: ch, names: schemaNamesFromConfig(config, config.dbReportingName), configured },
      {
        config,
        ...(options.log ? { log: options.log } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.reset ? { reset: true } : {}),
      },
    );
  } finally {
    if (options.clickhouse === undefined) await ch.close();
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
    `Loaded ${formatInt(total)} rows from ${formatInt(result.files ?? 0)} Native files in ${result.source} into ${result.target} ` +
      `in ${(result.durationMs / 1000).toFixed(1)}s`,
    result.note,
  );
  return lines.join('\n');
}
