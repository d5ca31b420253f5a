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

import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Config } from '../config/types.ts';
import { ConfigError, describeError, XapiDbLoadError } from '../errors.ts';
import { shardCsvFile, TABLE_KEYS, TABLES, type TableKey } from '../formats/tables.ts';
import { type DatasetPlan, planDataset, xapiChunk } from '../generate/dataset.ts';
import { buildWorld } from '../generate/world.ts';
import { type Clock, formatDuration, systemClock } from '../run/clock.ts';
import { formatInt } from '../run/format.ts';
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
import { compareCounts, countLoadedTables, type TableCountsByKey, verificationError } from './verify.ts';

export { joinUrl, s3UrlToHttp };

import { BULK_INSERT_SETTINGS, type Headlines, readHeadlines, resolveTarget } from '../clickhouse/bulk.ts';
import { type ClickHouse, createClickHouse, redactSecrets } from '../clickhouse/connect.ts';
import {
  dictionaryNames,
  IDENTIFIER_PATTERN,
  initSchema,
  optimizeFinal,
  type SchemaNames,
  schemaNamesFromConfig,
} from '../clickhouse/schema.ts';

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
  return redactSecrets(url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@'), secrets);
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
    const orderBy = table === 'xapi' && options.chronological ? ' ORDER BY `emission_time`' : '';
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

export interface CsvBulkLoadOptions {
  /** Informational lines (never data, never secrets). */
  readonly log?: (line: string) => void;
  /** Overrides the source the config points at. */
  readonly source?: CsvSource;
  /**
   * The dataset the files hold, when the caller knows (it just wrote them): the load is then
   * verified against it. Without it (load-only), the config's plan is used when the files were
   * generated from this config (their first xAPI event id is the one the config generates), and
   * the counts are only reported otherwise.
   */
  readonly plan?: DatasetPlan;
  readonly clock?: Clock;
  /** Stops between files. */
  readonly signal?: AbortSignal;
}

export interface TableLoadResult {
  readonly table: TableKey;
  readonly target: string;
  /** URL (without credentials) or path. */
  readonly location: string;
  /** Rows the table gained. */
  readonly loaded: number;
  /** Rows the dataset has, or `null` when the files' dataset is unknown. */
  readonly expected: number | null;
  readonly durationMs: number;
}

export interface CsvBulkLoadResult {
  /** Folder URL or directory (no credentials). */
  readonly source: string;
  /** The ClickHouse description. */
  readonly target: string;
  readonly tables: readonly TableLoadResult[];
  /**
   * `verified`: every table gained the rows the dataset has; `reported`: the files were not
   * generated from this config, so there is nothing to compare with.
   */
  readonly verification: 'verified' | 'reported';
  /** One line about how the expected counts were obtained. */
  readonly note: string;
  readonly durationMs: number;
  /** Numbers read back from the reporting tables after the load ({@link prepareCsvBulkLoad}). */
  readonly headlines?: Headlines;
  /** Extra lines for the summary. */
  readonly notes?: readonly string[];
}

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
  throw new XapiDbLoadError(
    `Cannot load: ${missing.length} of ${TABLE_KEYS.length} CSV files missing at ${where} (${source.from}): ${missing.join(', ')}.${hint}`,
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

/** Reloads the schema's dictionaries that exist, in dependency order; skips the others. */
async function reloadExistingDictionaries(ch: ClickHouse, names: SchemaNames): Promise<void> {
  const wanted = dictionaryNames(names);
  const rs = await ch.client.query({
    query:
      "SELECT concat(database, '.', name) AS full FROM system.dictionaries WHERE concat(database, '.', name) IN {names:Array(String)}",
    query_params: { names: wanted },
    format: 'JSONEachRow',
  });
  const present = new Set((await rs.json<{ full: string }>()).map((r) => r.full));
  for (const dictionary of wanted) {
    if (!present.has(dictionary)) continue;
    try {
      await ch.client.command({ query: `SYSTEM RELOAD DICTIONARY ${dictionary}` });
    } catch (error) {
      throw new XapiDbLoadError(
        `SYSTEM RELOAD DICTIONARY ${dictionary} failed on ${ch.description}: ${clickhouseReason(ch, error, [])}`,
        { cause: error },
      );
    }
  }
}

/**
 * Loads the eight CSV files into an open ClickHouse and verifies the rows each table gained.
 * The schema must exist (see {@link runCsvBulkLoad}, which creates it when the config asks).
 *
 * @example
 * await using ch = await createClickHouse(targetFromConfig(config));
 * const result = await bulkLoadCsv(ch, config, { log: console.error });
 * console.log(formatBulkLoadSummary(result));
 */
export async function bulkLoadCsv(
  ch: ClickHouse,
  config: Config,
  options: CsvBulkLoadOptions = {},
): Promise<CsvBulkLoadResult> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? (() => {});
  const startedAt = clock.now();
  const source = options.source ?? csvSourceFromConfig(config);
  const settings = s3SettingsFromConfig(config);
  const credentials = credentialsOf(settings);
  const secrets = credentials ? [credentials.secret] : [];
  const names = schemaNamesFromConfig(config, config.dbReportingName);
  assertSourceReadable(source, ch);
  const statements = renderCsvLoadStatements(source, names, {
    credentials,
    cluster: config.dbCluster,
    chronological: config.xapiLoadOrder === 'chronological',
  });
  const sourceText = source.kind === 'url' ? redactUrl(source.baseUrl, secrets) : source.directory;

  await checkCsvFiles(ch, source, credentials, settings);

  // What the files should hold.
  let plan = options.plan;
  let note: string;
  if (plan) {
    note = 'expected rows: the dataset this run wrote';
  } else {
    const dataset = configDataset(config);
    let firstInFiles: string | null;
    try {
      firstInFiles = await firstEventIdInFiles(ch, source, credentials);
    } catch (error) {
      throw new XapiDbLoadError(
        `Cannot read ${redactUrl(csvFileLocation(source, 'xapi'), secrets)} from ${ch.description}: ${clickhouseReason(ch, error, secrets)}`,
        { cause: error },
      );
    }
    if (firstInFiles === dataset.firstEventId) {
      plan = dataset.plan;
      note = `expected rows: the dataset this config describes (seed ${config.seed}; the files' first event id matches)`;
    } else {
      note =
        `not verified: the files were not generated from this config (first event id ${firstInFiles ?? 'none'}, ` +
        `this config generates ${dataset.firstEventId ?? 'none'}); rows loaded are reported only`;
    }
  }

  let before: TableCountsByKey;
  try {
    before = await countLoadedTables(ch, names);
  } catch (error) {
    throw new XapiDbLoadError(
      `The Aspects tables are missing or unreadable on ${ch.description} (${clickhouseReason(ch, error, secrets)}); ` +
        'create them with `xapi-db-load init-schema` or set `init_schema: true`',
      { cause: error },
    );
  }
  const durations = new Map<TableKey, number>();
  for (const statement of statements) {
    options.signal?.throwIfAborted();
    // The xAPI materialized views look names up in these dictionaries.
    if (statement.table === 'xapi') await reloadExistingDictionaries(ch, names);
    const shown = source.kind === 'url' ? redactUrl(statement.location, secrets) : statement.location;
    log(`Inserting from ${shown} into ${statement.target}`);
    const t0 = clock.now();
    try {
      await ch.client.command({
        query: statement.query,
        query_params: { ...statement.params },
        clickhouse_settings: BULK_INSERT_SETTINGS,
      });
    } catch (error) {
      throw new XapiDbLoadError(
        `Loading ${shown} into ${statement.target} failed on ${ch.description}: ${clickhouseReason(ch, error, secrets)}`,
        { cause: error },
      );
    }
    durations.set(statement.table, clock.now() - t0);
  }
  const after = await countLoadedTables(ch, names);

  const tables = statements.map(
    (s): TableLoadResult => ({
      table: s.table,
      target: s.target,
      location: source.kind === 'url' ? redactUrl(s.location, secrets) : s.location,
      loaded: after[s.table] - before[s.table],
      expected: plan ? plan.tables[s.table].rows : null,
      durationMs: durations.get(s.table) ?? 0,
    }),
  );
  if (plan) {
    const report = compareCounts(plan, names, after, { before, tables: statements.map((s) => s.table) });
    if (!report.ok) throw verificationError(report, `${ch.description}, loading ${sourceText} (${note})`);
  }
  return {
    source: sourceText,
    target: ch.description,
    tables,
    verification: plan ? 'verified' : 'reported',
    note,
    durationMs: clock.now() - startedAt,
  };
}

/**
 * The three headline numbers, when this ClickHouse has Aspects' reporting tables; a note
 * saying why not otherwise (a server with only the raw and event-sink tables is a valid target).
 */
async function headlinesOf(ch: ClickHouse, names: SchemaNames): Promise<Headlines | string> {
  try {
    return await readHeadlines(ch.client, names);
  } catch (error) {
    return `Aspects report numbers not read: ${clickhouseReason(ch, error, [])}`;
  }
}

export interface RunCsvBulkLoadOptions extends CsvBulkLoadOptions {
  /** Use this connection instead of opening the config's target (it is not closed). */
  readonly clickhouse?: ClickHouse;
  /**
   * Check that the files exist before creating the schema (load-only: the files are there
   * already, so a wrong location fails in seconds). Off for a load that follows generation.
   * @default false
   */
  readonly checkFilesFirst?: boolean;
}

/** A prepared load: connected, schema ready, source resolved; `load()` can follow a generation run. */
export interface PreparedCsvBulkLoad extends AsyncDisposable {
  readonly source: CsvSource;
  readonly clickhouse: ClickHouse;
  load(plan?: DatasetPlan): Promise<CsvBulkLoadResult>;
  close(): Promise<void>;
}

/**
 * Connects to the config's ClickHouse, creates the Aspects schema when the config asks
 * (`init_schema`; by default for the embedded engine and containers) and resolves the source,
 * so that problems show before any generation.
 */
export async function prepareCsvBulkLoad(
  config: Config,
  options: RunCsvBulkLoadOptions = {},
): Promise<PreparedCsvBulkLoad> {
  const log = options.log ?? (() => {});
  const source = options.source ?? csvSourceFromConfig(config);
  const owned = options.clickhouse === undefined;
  const target = resolveTarget(config);
  const ch = options.clickhouse ?? (await createClickHouse(target));
  // An in-memory engine opened here is gone when the process ends: say so next to the counts.
  const inMemory = owned && target.kind === 'embedded' && (target.path === undefined || target.path === ':memory:');
  try {
    assertSourceReadable(source, ch);
    if (options.checkFilesFirst) {
      const settings = s3SettingsFromConfig(config);
      await checkCsvFiles(ch, source, credentialsOf(settings), settings);
    }
    const names = schemaNamesFromConfig(config, config.dbReportingName);
    if (config.initSchema ?? ch.kind !== 'url') {
      log(`Creating the Aspects schema (if missing) on ${ch.description}`);
      await initSchema(ch, names);
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
      const result = await bulkLoadCsv(ch, config, { ...options, source, ...(plan ? { plan } : {}) });
      const names = schemaNamesFromConfig(config, config.dbReportingName);
      if (config.optimizeFinal) {
        log('OPTIMIZE … FINAL on the ReplacingMergeTree tables, so reports read one row per key');
        await optimizeFinal(ch, names);
      }
      const headlines = await headlinesOf(ch, names);
      const notes = [
        typeof headlines === 'string'
          ? headlines
          : `Aspects reports: ${formatInt(headlines.enrolledLearners)} learners enrolled, ` +
            `${formatInt(headlines.videoPlays)} video plays, ${formatInt(headlines.problemAttempts)} problem attempts`,
      ];
      if (inMemory) {
        notes.push(
          'The embedded engine ran in memory: the loaded data is gone when this command ends (db_host: embedded:<dir> keeps it)',
        );
      }
      return { ...result, ...(typeof headlines === 'string' ? {} : { headlines }), notes };
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * `load-db-from-s3` / `load-db --load_db_only` for CSV files: connect, create the schema when
 * asked, load, verify, `OPTIMIZE … FINAL` when asked, close.
 */
export async function runCsvBulkLoad(config: Config, options: RunCsvBulkLoadOptions = {}): Promise<CsvBulkLoadResult> {
  const prepared = await prepareCsvBulkLoad(config, { checkFilesFirst: true, ...options });
  try {
    return await prepared.load(options.plan);
  } finally {
    await prepared.close();
  }
}

/** The load summary: rows per table (loaded and expected), source, target and duration. */
export function formatBulkLoadSummary(result: CsvBulkLoadResult): string {
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
