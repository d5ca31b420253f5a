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
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Config } from '../config/types.ts';
import { ConfigError, describeError, MissingFilesError, XapiDbLoadError } from '../errors.ts';
import { shardCsvFile, TABLE_KEYS, TABLES, type TableKey } from '../formats/tables.ts';
import { type DatasetPlan, planDataset, xapiChunk } from '../generate/dataset.ts';
import { buildWorld } from '../generate/world.ts';
import { maskUrlCredentials } from '../secrets.ts';
import {
  createS3Client,
  describeS3Endpoint,
  joinUrl,
  loadAwsSdk,
  parseS3Url,
  type S3Settings,
  s3SettingsFromConfig,
  s3UrlToHttp,
} from '../storage/s3.ts';
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
import { type ClickHouse, createClickHouse, redactSecrets } from '../clickhouse/connect.ts';
import { IDENTIFIER_PATTERN, initSchema, type SchemaNames, schemaNamesFromConfig } from '../clickhouse/schema.ts';
import { datasetHash } from '../config/dataset-hash.ts';
import { guardTarget, schemaExists } from './guard.ts';
import { type LoadCommandOptions, type LoadResult, type LoadStep, loadDataset, type PreparedInput } from './index.ts';
import { runInsert } from './insert.ts';

/** Where ClickHouse reads the eight files from. */
export type CsvSource =
  | {
      readonly kind: 'url';
      /** `http(s)://…/` folder URL, ending with `/`. May carry no credentials. */
      readonly baseUrl: string;
      /** The config key it came from, for messages. */
      readonly from: string;
      /** The same folder as `s3://bucket/prefix/`, when the config gave it that way. */
      readonly s3Url?: string;
      /** `shard_count` of the run that wrote the files (xAPI is then one file per shard). */
      readonly xapiShards?: number;
    }
  | {
      readonly kind: 'local';
      /** Absolute directory. */
      readonly directory: string;
      readonly from: string;
      readonly xapiShards?: number;
    };

/** Characters ClickHouse's `s3()` / `file()` read as globs, and URL parts a folder cannot have. */
const GLOB_CHARS = /[*?{}#]/;

/** A URL with any `user:password@` removed, for logs. */
export function redactUrl(url: string, secrets: readonly string[] = []): string {
  return redactSecrets(maskUrlCredentials(url), secrets);
}

/**
 * Where the files are, from a config: `s3_source_location` when set (an `s3://` location is
 * turned into an `http(s)://` URL on `s3_endpoint`, path-style, or on AWS), else
 * `csv_output_destination` (`s3://…` the same way; a local directory is read with `file()`).
 *
 * Note: `s3_endpoint` is the address THIS machine reaches S3 at. When ClickHouse reaches it at
 * another address (ClickHouse in Docker, MinIO on the host), set `s3_source_location` to the
 * URL as ClickHouse sees it.
 */
export function csvSourceFromConfig(
  config: Pick<
    Config,
    's3SourceLocation' | 'csvOutputDestination' | 's3Endpoint' | 's3Region' | 's3Key' | 's3Secret' | 'backend'
  > &
    Partial<Pick<Config, 'shardCount'>>,
): CsvSource {
  const source = csvSourceWithoutShards(config);
  return config.shardCount !== undefined && config.shardCount > 1
    ? { ...source, xapiShards: config.shardCount }
    : source;
}

function csvSourceWithoutShards(
  config: Pick<
    Config,
    's3SourceLocation' | 'csvOutputDestination' | 's3Endpoint' | 's3Region' | 's3Key' | 's3Secret' | 'backend'
  >,
): CsvSource {
  const settings = s3SettingsFromConfig(config);
  const check = (key: string, value: string): void => {
    const path = value.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
    if (GLOB_CHARS.test(path)) {
      throw new ConfigError([
        {
          key,
          message: `${key}: got ${JSON.stringify(redactUrl(value))}; the folder must not contain * ? { } or # (ClickHouse reads them as globs)`,
        },
      ]);
    }
  };
  if (config.s3SourceLocation !== null) {
    const location = config.s3SourceLocation;
    check('s3_source_location', location);
    if (location.startsWith('s3://')) {
      const baseUrl = s3UrlToHttp(location, settings, 's3_source_location');
      return { kind: 'url', baseUrl, from: 's3_source_location', s3Url: location };
    }
    return { kind: 'url', baseUrl: joinUrl(location, ''), from: 's3_source_location' };
  }
  const destination = config.csvOutputDestination;
  if (destination === null || config.backend !== 'csv') {
    throw new ConfigError([
      {
        key: 's3_source_location',
        message:
          's3_source_location: missing; required to load the CSV files into ClickHouse (the URL of the folder holding xapi.csv.gz and the other files)',
      },
    ]);
  }
  check('csv_output_destination', destination);
  if (destination.startsWith('s3://')) {
    return {
      kind: 'url',
      baseUrl: s3UrlToHttp(destination, settings, 'csv_output_destination'),
      from: 'csv_output_destination',
      s3Url: destination,
    };
  }
  return { kind: 'local', directory: resolve(destination), from: 'csv_output_destination' };
}

/**
 * Where one file is, as ClickHouse will read it (URL or absolute path). A sharded run's xAPI
 * files are read together through a `{0..n-1}` glob.
 */
export function csvFileLocation(source: CsvSource, table: TableKey): string {
  const shards = source.xapiShards ?? 1;
  const name = table === 'xapi' && shards > 1 ? shardXapiFile(`{0..${shards - 1}}`, shards) : TABLES[table].csvFile;
  return locate(source, name);
}

function locate(source: CsvSource, name: string): string {
  return source.kind === 'url' ? joinUrl(source.baseUrl, name) : join(source.directory, name);
}

/** File name of one shard's xAPI CSV: `xapi.shard-2-of-4.csv.gz`. */
function shardXapiFile(index: number | string, count: number): string {
  return shardCsvFile('xapi', index, count);
}

/** The concrete files of a table (one, or one per shard for a sharded xAPI table). */
function csvFileNames(source: CsvSource, table: TableKey): string[] {
  const shards = source.xapiShards ?? 1;
  if (table !== 'xapi' || shards === 1) return [TABLES[table].csvFile];
  return Array.from({ length: shards }, (_, i) => shardXapiFile(i, shards));
}

// ---------------------------------------------------------------------------------------------
// SQL

/** S3 credentials ClickHouse signs its reads with; `null` = the server's own (or a public bucket). */
export interface S3Credentials {
  readonly key: string;
  readonly secret: string;
}

export interface CsvLoadSqlOptions {
  readonly credentials: S3Credentials | null;
  /** `db_cluster`: read with `s3Cluster(cluster, …)`. */
  readonly cluster: string | null;
  /** Insert xAPI rows in `emission_time` order. */
  readonly chronological: boolean;
}

/** The credentials ClickHouse signs S3 reads with: the config's key and secret, when set. */
function credentialsOf(settings: S3Settings): S3Credentials | null {
  return settings.accessKeyId !== null && settings.secretAccessKey !== null
    ? { key: settings.accessKeyId, secret: settings.secretAccessKey }
    : null;
}

/** One rendered load: SQL with `{name:Type}` placeholders and the values bound to them. */
export interface CsvLoadStatement {
  readonly table: TableKey;
  /** `db.table` */
  readonly target: string;
  /** The file as ClickHouse reads it (a URL without credentials, or a path). */
  readonly location: string;
  readonly query: string;
  readonly params: Readonly<Record<string, string>>;
}

function checkedIdentifier(name: string, key: string): string {
  if (!IDENTIFIER_PATTERN.test(name)) {
    throw new ConfigError([{ key, message: `${key}: got ${JSON.stringify(name)}; expected an identifier` }]);
  }
  return name;
}

/** `db.table` of a table key under `names`. */
export function loadTarget(table: TableKey, names: SchemaNames): string {
  const layout = TABLES[table];
  if (layout.database === 'xapi') {
    return `${checkedIdentifier(names.xapiDb, 'db_name')}.${checkedIdentifier(names.rawTable, 'event_raw_table_name')}`;
  }
  return `${checkedIdentifier(names.eventSinkDb, 'db_event_sink_name')}.${layout.table}`;
}

/** The file's column names and types, as `s3()`'s structure argument. */
export function csvStructure(table: TableKey): string {
  return TABLES[table].columns.map((c) => `\`${c.name}\` ${c.type}`).join(', ');
}

/** The table function reading one file: `s3(…)`, `s3Cluster('c', …)` or `file(…)`. */
function tableFunction(source: CsvSource, format: string, withStructure: boolean, options: CsvLoadSqlOptions): string {
  const tail = `'${format}'${withStructure ? ', {structure:String}' : ''}`;
  if (source.kind === 'local') return `file({location:String}, ${tail})`;
  const credentials = options.credentials ? '{s3_key:String}, {s3_secret:String}, ' : '';
  const args = `{location:String}, ${credentials}${tail}`;
  if (options.cluster !== null) return `s3Cluster('${checkedIdentifier(options.cluster, 'db_cluster')}', ${args})`;
  return `s3(${args})`;
}

function credentialParams(source: CsvSource, options: CsvLoadSqlOptions): Record<string, string> {
  return source.kind === 'url' && options.credentials
    ? { s3_key: options.credentials.key, s3_secret: options.credentials.secret }
    : {};
}

/**
 * The eight `INSERT … SELECT` statements, event-sink tables first and xAPI last. Columns are
 * listed on both sides, so the load does not depend on the target table's column order.
 *
 * @example
 * renderCsvLoadStatements(source, DEFAULT_SCHEMA_NAMES, { credentials: null, cluster: null, chronological: true });
 * // [0].query → "INSERT INTO event_sink.course_overviews (`org`, …) SELECT `org`, … FROM s3({location:String}, 'CSV', {structure:String})"
 */
export function renderCsvLoadStatements(
  source: CsvSource,
  names: SchemaNames,
  options: CsvLoadSqlOptions,
): CsvLoadStatement[] {
  const order = [...TABLE_KEYS.filter((t) => TABLES[t].database === 'eventSink'), 'xapi' as const];
  return order.map((table) => {
    const columns = TABLES[table].columns.map((c) => `\`${c.name}\``).join(', ');
    const target = loadTarget(table, names);
    const orderBy = table === 'xapi' && options.chronological ? ` ${CHRONOLOGICAL_ORDER}` : '';
    const location = csvFileLocation(source, table);
    return {
      table,
      target,
      location,
      query: `INSERT INTO ${target} (${columns}) SELECT ${columns} FROM ${tableFunction(source, 'CSV', true, options)}${orderBy}`,
      params: { location, structure: csvStructure(table), ...credentialParams(source, options) },
    };
  });
}

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

/** Error text from ClickHouse without secrets and without its long stack suffixes. */
function clickhouseReason(ch: ClickHouse, error: unknown, secrets: readonly string[]): string {
  const text = describeError(error).split('\n')[0] ?? '';
  return redactSecrets(ch.redact(text), secrets);
}

const MISSING_FILE = /\b404\b|NoSuchKey|NoSuchBucket|does ?n[o']t exist|FILE_DOESNT_EXIST|CANNOT_STAT|No such file/i;

/**
 * Checks that all eight files exist where ClickHouse will read them, without reading their data
 * (`s3(…, 'One')` asks only for the object's metadata). Throws one error listing every missing
 * file.
 */
export async function checkCsvFiles(
  ch: ClickHouse,
  source: CsvSource,
  credentials: S3Credentials | null,
  settings?: S3Settings,
): Promise<void> {
  const secrets = credentials ? [credentials.secret] : [];
  const missing: string[] = [];
  const reasons: string[] = [];
  for (const name of TABLE_KEYS.flatMap((t) => csvFileNames(source, t))) {
    const location = locate(source, name);
    if (source.kind === 'local') {
      try {
        const info = await stat(location);
        if (!info.isFile()) missing.push(name);
      } catch {
        missing.push(name);
      }
      continue;
    }
    // The existence check reads through plain s3() on the initiator, cluster or not.
    const options: CsvLoadSqlOptions = { credentials, cluster: null, chronological: false };
    try {
      const rs = await ch.client.query({
        query: `SELECT _size FROM ${tableFunction(source, 'One', false, options)}`,
        query_params: { location, ...credentialParams(source, options) },
        format: 'JSONEachRow',
      });
      await rs.json();
    } catch (error) {
      const reason = clickhouseReason(ch, error, secrets);
      if (MISSING_FILE.test(reason)) {
        missing.push(name);
        reasons.push(reason);
        continue;
      }
      throw new XapiDbLoadError(`Cannot read ${redactUrl(location, secrets)} from ${ch.description}: ${reason}`, {
        cause: error,
      });
    }
  }
  if (missing.length === 0) return;
  if (missing.length === TABLE_KEYS.length && source.kind === 'url') {
    await checkBucket(source, reasons, settings);
  }
  const where = source.kind === 'url' ? redactUrl(source.baseUrl, secrets) : source.directory;
  const hint =
    missing.length === TABLE_KEYS.length
      ? source.kind === 'url'
        ? ` No file was found: check ${source.from} (the bucket and prefix must exist and hold the csv backend's files).`
        : ` No file was found: check ${source.from} or run load-db first.`
      : '';
  throw new MissingFilesError(
    `Cannot load: ${missing.length} of ${TABLE_KEYS.length} CSV files missing at ${where} (${source.from}): ${missing.join(', ')}.${hint}`,
    where,
    missing,
  );
}

/**
 * When no file was found: a clear "bucket does not exist" when ClickHouse said so (S3's
 * NoSuchBucket), or when the folder is an `s3://` location and the bucket is missing at
 * `s3_endpoint` / AWS (asked with this machine's S3 client; any other outcome says nothing).
 */
async function checkBucket(
  source: Extract<CsvSource, { kind: 'url' }>,
  reasons: readonly string[],
  settings: S3Settings | undefined,
): Promise<void> {
  const where = redactUrl(source.baseUrl, settings?.secretAccessKey ? [settings.secretAccessKey] : []);
  if (reasons.some((r) => /NoSuchBucket|bucket does ?n[o']t exist/i.test(r))) {
    throw new XapiDbLoadError(`Cannot load: the bucket of ${where} (${source.from}) does not exist`);
  }
  if (source.s3Url === undefined || settings === undefined) return;
  const location = parseS3Url(source.s3Url, source.from);
  let exists = true;
  try {
    const { s3 } = loadAwsSdk();
    const client = createS3Client(settings);
    try {
      await client.send(new s3.HeadBucketCommand({ Bucket: location.bucket }));
    } catch (error) {
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      exists = !(e.name === 'NotFound' || e.name === 'NoSuchBucket' || e.$metadata?.httpStatusCode === 404);
    } finally {
      client.destroy();
    }
  } catch {
    return;
  }
  if (!exists) {
    throw new XapiDbLoadError(
      `Cannot load: bucket "${location.bucket}" does not exist at ${describeS3Endpoint(settings)} (${source.from}: ${source.s3Url})`,
    );
  }
}

/** Local files can be read only by the engine running on this machine. */
function assertSourceReadable(source: CsvSource, ch: ClickHouse): void {
  if (source.kind !== 'local' || ch.kind === 'embedded') return;
  throw new ConfigError([
    {
      key: source.from,
      message:
        `${source.from}: got the local directory ${JSON.stringify(source.directory)}; only the embedded engine (db_host: embedded) ` +
        `can load local files, ${ch.description} cannot read them. Write the files to S3 (csv_output_destination: s3://…) ` +
        'or set s3_source_location to where ClickHouse can read them',
    },
  ]);
}

/** The first xAPI event id in the files (`null` for an empty file). */
async function firstEventIdInFiles(
  ch: ClickHouse,
  source: CsvSource,
  credentials: S3Credentials | null,
): Promise<string | null> {
  const options: CsvLoadSqlOptions = { credentials, cluster: null, chronological: false };
  // The first file: shard 0 holds the start of the dataset when it is sharded.
  const location = locate(source, csvFileNames(source, 'xapi')[0] as string);
  const rs = await ch.client.query({
    query: `SELECT toString(event_id) AS id FROM ${tableFunction(source, 'CSV', true, options)} LIMIT 1`,
    query_params: {
      location,
      structure: 'event_id String, emission_time String, event String',
      ...credentialParams(source, options),
    },
    format: 'JSONEachRow',
    // One reader, no parallel parsing: stop after the first block instead of fetching ahead.
    clickhouse_settings: { max_threads: 1, input_format_parallel_parsing: 0 },
  });
  const rows = await rs.json<{ id: string }>();
  return rows[0]?.id ?? null;
}

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
  const credentials = credentialsOf(settings);
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

/** The first event id of a local gzipped xAPI CSV (read on this machine, for a server target). */
async function firstEventIdInLocalFile(path: string): Promise<string | null> {
  const lines = createInterface({
    input: createReadStream(path).pipe(createGunzip()),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  try {
    for await (const line of lines) return line.split(',')[0] ?? null;
    return null;
  } finally {
    lines.close();
  }
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
