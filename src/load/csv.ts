/**
 * Bulk load of the csv backend's eight gzipped CSV files into ClickHouse, with ClickHouse
 * reading the files itself: `INSERT INTO db.table … SELECT * FROM s3(url, key, secret, 'CSV',
 * structure)` (`s3Cluster(cluster, …)` when `db_cluster` is set), or `file(path, 'CSV', …)` for
 * a local directory and the embedded engine.
 *
 * Order: every file is checked first (a missing file fails the load before anything is
 * inserted, listing what is missing), then the event-sink tables, the dictionaries reloaded,
 * then xAPI (in `emission_time` order when `xapi_load_order` is chronological), then the rows
 * each table gained are compared with the dataset the config describes.
 *
 * Values (URLs, paths, S3 key and secret, structures) are bound as query parameters; database
 * and cluster names are validated identifiers. The secret is never logged: logged URLs carry
 * no credentials, and ClickHouse's messages are redacted.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Config } from '../config/types.ts';
import { XapiDbLoadError } from '../errors.ts';
import { TABLE_KEYS, TABLES, type TableKey } from '../formats/tables.ts';
import { type DatasetPlan, planDataset, xapiChunk } from '../generate/dataset.ts';
import { buildWorld } from '../generate/world.ts';
import { joinUrl, s3SettingsFromConfig, s3UrlToHttp } from '../storage/s3.ts';
import { formatDuration } from '../util/clock.ts';
import { formatInt } from '../util/format.ts';

export { joinUrl, s3UrlToHttp };

import {
  BULK_INSERT_SETTINGS,
  CHRONOLOGICAL_ORDER,
  createStagingTable,
  dropTable,
  insertColumns,
  resolveTarget,
  stagingTableName,
} from '../clickhouse/bulk.ts';
import { type ClickHouse, createClickHouse } from '../clickhouse/connect.ts';
import { nativeCredentials } from '../clickhouse/native-files.ts';
import { initSchema, type SchemaNames, schemaNamesFromConfig } from '../clickhouse/schema.ts';
import { datasetHash } from '../config/dataset-hash.ts';
import {
  assertSourceReadable,
  checkCsvFiles,
  clickhouseReason,
  firstEventIdInFiles,
  firstEventIdInLocalFile,
} from './csv-check.ts';
import { type CsvSource, csvFileLocation, csvSourceFromConfig, redactUrl } from './csv-source.ts';
import { renderCsvLoadStatements } from './csv-sql.ts';
import { guardTarget, schemaExists } from './guard.ts';
import { type LoadCommandOptions, type LoadResult, type LoadStep, loadDataset, type PreparedInput } from './index.ts';
import { runInsert } from './insert.ts';

// The source, SQL and checks live in their own modules; their public names stay importable here.
export { checkCsvFiles } from './csv-check.ts';
export { type CsvSource, csvFileLocation, csvSourceFromConfig, redactUrl } from './csv-source.ts';
export {
  type CsvLoadSqlOptions,
  type CsvLoadStatement,
  csvStructure,
  loadTarget,
  renderCsvLoadStatements,
  type S3Credentials,
} from './csv-sql.ts';

// ---------------------------------------------------------------------------------------------
// loading

export interface CsvBulkLoadOptions extends Omit<LoadCommandOptions, 'clickhouse' | 'reset'> {
  /** Overrides the source the config points at. */
  readonly source?: CsvSource;
  /**
   * The dataset the files hold, when the caller knows (it just wrote them): the load is then
   * verified against it. Without it (load-only), the config's plan is used when the files were
   * generated from this config (their first xAPI event id is the one the config generates), and
   * the counts are only reported otherwise.
   */
  readonly plan?: DatasetPlan;
}

/** @deprecated the result of {@link loadDataset}. */
export type CsvBulkLoadResult = LoadResult;

/** The dataset a config describes, and the first xAPI event id it generates. */
function configDataset(config: Config): { plan: DatasetPlan; firstEventId: string | null } {
  const world = buildWorld(config);
  // Files of a sharded run are loaded together: they hold the whole dataset.
  const plan = planDataset(world, { wholeDataset: true });
  const firstEventId = plan.tables.xapi.chunks > 0 ? (xapiChunk(world, plan, 0)[0]?.eventId ?? null) : null;
  return { plan, firstEventId };
}

/**
 * Checks the eight CSV files and renders their load, writing nothing: every file must be there
 * (a missing one fails listing all that are missing), and the rows each table must gain come
 * from `plan` (the caller wrote the files), else from the config when the files were generated
 * from it (their first xAPI event id is the one the config generates); otherwise the load is
 * reported, not verified. A local directory on a server is streamed through the client when
 * `stream` is set (the server cannot read this machine's files).
 */
export async function prepareCsvInput(
  ch: ClickHouse,
  config: Config,
  source: CsvSource,
  names: SchemaNames,
  plan?: DatasetPlan,
  stream: boolean | 'always' = false,
): Promise<PreparedInput> {
  const settings = s3SettingsFromConfig(config);
  const credentials = nativeCredentials(settings);
  const secrets = credentials ? [credentials.secret] : [];
  const streamed = source.kind === 'local' && (stream === 'always' || (stream && ch.kind !== 'embedded'));
  if (!streamed) assertSourceReadable(source, ch);
  const chronological = config.xapiLoadOrder === 'chronological';
  const statements = renderCsvLoadStatements(source, names, { credentials, cluster: config.dbCluster, chronological });
  const sourceText = source.kind === 'url' ? redactUrl(source.baseUrl, secrets) : source.directory;

  await checkCsvFiles(ch, source, credentials, settings);

  let expectedPlan = plan;
  let note: string;
  if (expectedPlan) {
    note = 'expected rows: the dataset this run wrote';
  } else {
    const dataset = configDataset(config);
    let firstInFiles: string | null;
    try {
      firstInFiles = streamed
        ? await firstEventIdInLocalFile(csvFileLocation(source, 'xapi'))
        : await firstEventIdInFiles(ch, source, credentials);
    } catch (error) {
      throw new XapiDbLoadError(
        `Cannot read ${redactUrl(csvFileLocation(source, 'xapi'), secrets)} from ${ch.description}: ${clickhouseReason(ch, error, secrets)}`,
        { cause: error },
      );
    }
    if (firstInFiles === dataset.firstEventId) {
      expectedPlan = dataset.plan;
      note = `expected rows: the dataset this config describes (seed ${config.seed}; the files' first event id matches)`;
    } else {
      note =
        `not verified: the files were not generated from this config (first event id ${firstInFiles ?? 'none'}, ` +
        `this config generates ${dataset.firstEventId ?? 'none'}); rows loaded are reported only`;
    }
  }
  const steps = statements.map((statement): LoadStep => {
    const shown = source.kind === 'url' ? redactUrl(statement.location, secrets) : statement.location;
    return {
      table: statement.table,
      target: statement.target,
      shown,
      line: `Inserting from ${shown} into ${statement.target}`,
      async run(signal) {
        if (!streamed) return runInsert(ch, statement, shown, secrets, signal);
        try {
          await streamCsvFile(ch, statement.table, statement.target, statement.location, names, chronological, signal);
        } catch (error) {
          throw new XapiDbLoadError(
            `Loading ${shown} into ${statement.target} failed on ${ch.description}: ${clickhouseReason(ch, error, secrets)}`,
            { cause: error },
          );
        }
      },
    };
  });
  return {
    source: sourceText,
    steps,
    expected: expectedPlan
      ? (Object.fromEntries(TABLE_KEYS.map((k) => [k, (expectedPlan as DatasetPlan).tables[k].rows])) as Record<
          TableKey,
          number
        >)
      : null,
    note,
  };
}

/**
 * Streams one local gzipped CSV file into a server. Chronological xAPI goes through a staging
 * table (no materialized views), then into the raw table `ORDER BY emission_time, event_id`,
 * as the engine's `file()` load orders it.
 */
async function streamCsvFile(
  ch: ClickHouse,
  table: TableKey,
  target: string,
  path: string,
  names: SchemaNames,
  chronological: boolean,
  signal?: AbortSignal,
): Promise<void> {
  const columns = TABLES[table].columns.map((c) => c.name) as [string, ...string[]];
  const abort = signal ? { abort_signal: signal } : {};
  const insertFile = (into: string) =>
    ch.client.insert({
      table: into,
      values: createReadStream(path).pipe(createGunzip()),
      format: 'CSV',
      columns,
      clickhouse_settings: BULK_INSERT_SETTINGS,
      ...abort,
    });
  if (table !== 'xapi' || !chronological) {
    await insertFile(target);
    return;
  }
  const staging = stagingTableName(names);
  await createStagingTable(ch.client, staging);
  try {
    await insertFile(staging);
    await ch.client.command({
      query: `INSERT INTO ${target} (${insertColumns('xapi').join(', ')}) SELECT ${insertColumns('xapi').join(', ')} FROM ${staging} ${CHRONOLOGICAL_ORDER}`,
      clickhouse_settings: BULK_INSERT_SETTINGS,
      ...abort,
    });
  } finally {
    await dropTable(ch.client, staging);
  }
}

/**
 * Loads the eight CSV files into an open ClickHouse whose schema exists: {@link loadDataset}
 * without the schema step.
 *
 * @example
 * await using ch = await createClickHouse(targetFromConfig(config));
 * console.log(formatBulkLoadSummary(await bulkLoadCsv(ch, config, { log: console.error })));
 */
export async function bulkLoadCsv(
  ch: ClickHouse,
  config: Config,
  options: CsvBulkLoadOptions = {},
): Promise<LoadResult> {
  return loadDataset(
    { kind: 'csv', source: options.source ?? csvSourceFromConfig(config) },
    { clickhouse: ch, names: schemaNamesFromConfig(config, config.dbReportingName) },
    {
      config,
      initSchema: false,
      ...(options.plan ? { plan: options.plan } : {}),
      ...(options.log ? { log: options.log } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    },
  );
}

export interface RunCsvBulkLoadOptions extends CsvBulkLoadOptions, LoadCommandOptions {}

/** A prepared load: connected, source resolved; `load()` can follow a generation run. */
export interface PreparedCsvBulkLoad extends AsyncDisposable {
  readonly source: CsvSource;
  readonly clickhouse: ClickHouse;
  load(plan?: DatasetPlan): Promise<LoadResult>;
  close(): Promise<void>;
}

/**
 * Connects to the config's ClickHouse and resolves the source, so that an unreachable server
 * fails before any generation; `load()` runs {@link loadDataset}.
 */
export async function prepareCsvBulkLoad(
  config: Config,
  options: RunCsvBulkLoadOptions = {},
): Promise<PreparedCsvBulkLoad> {
  const source = options.source ?? csvSourceFromConfig(config);
  const owned = options.clickhouse === undefined;
  const configured = resolveTarget(config);
  const ch = options.clickhouse ?? (await createClickHouse(configured));
  // An in-memory engine opened here is gone when the process ends: say so next to the counts.
  const inMemory =
    owned && configured.kind === 'embedded' && (configured.path === undefined || configured.path === ':memory:');
  const names = schemaNamesFromConfig(config, config.dbReportingName);
  try {
    assertSourceReadable(source, ch);
    // Databases that hold data are refused (or reset) now, before anything is generated.
    if (await schemaExists(ch, names)) {
      await guardTarget(ch, names, {
        datasetHash: datasetHash(config).hex,
        ...(config.shardCount > 1 ? { shard: `${config.shardIndex}/${config.shardCount}` } : {}),
        target: configured,
        ...(options.reset ? { reset: true } : {}),
        recreate: () => initSchema(ch, names),
        ...(options.log ? { log: options.log } : {}),
      });
    }
  } catch (error) {
    if (owned) await ch.close().catch(() => {});
    throw error;
  }
  const close = async () => {
    if (owned) await ch.close();
  };
  return {
    source,
    clickhouse: ch,
    async load(plan) {
      const result = await loadDataset(
        { kind: 'csv', source },
        { clickhouse: ch, names, configured },
        {
          config,
          ...(plan ? { plan } : {}),
          ...(options.log ? { log: options.log } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.clock ? { clock: options.clock } : {}),
          ...(options.reset ? { reset: true } : {}),
        },
      );
      if (!inMemory) return result;
      return {
        ...result,
        notes: [
          ...(result.notes ?? []),
          'The embedded engine ran in memory: the loaded data is gone when this command ends (db_host: embedded:<dir> keeps it)',
        ],
      };
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * `load-db-from-s3` / `load-db --load_db_only` for CSV files: connect, {@link loadDataset}, close.
 */
export async function runCsvBulkLoad(config: Config, options: RunCsvBulkLoadOptions = {}): Promise<LoadResult> {
  const prepared = await prepareCsvBulkLoad(config, options);
  try {
    return await prepared.load(options.plan);
  } finally {
    await prepared.close();
  }
}

/** The load summary: rows per table (loaded and expected), source, target and duration. */
export function formatBulkLoadSummary(result: LoadResult): string {
  const rows: string[][] = [['table', 'loaded', 'expected', 'time', 'source']];
  for (const t of result.tables) {
    rows.push([
      t.target,
      formatInt(t.loaded),
      t.expected === null ? '-' : formatInt(t.expected),
      `${(t.durationMs / 1000).toFixed(1)}s`,
      t.location,
    ]);
  }
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length))) ?? [];
  const lines = rows.map((r) =>
    r
      .map((cell, col) => (col >= 1 && col <= 3 ? cell.padStart(widths[col] ?? 0) : cell.padEnd(widths[col] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
  const total = result.tables.reduce((acc, t) => acc + t.loaded, 0);
  lines.push(
    '',
    `Loaded ${formatInt(total)} rows from ${result.source} into ${result.target} in ${formatDuration(result.durationMs)}`,
    result.verification === 'verified'
      ? `Verified: every table gained the expected rows (${result.note})`
      : result.note,
    ...(result.notes ?? []),
  );
  return lines.join('\n');
}
