/**
 * The chdb backend's LZ4 ClickHouse-Native files: where they go, what they are called, how the
 * embedded engine writes them and how ClickHouse reads them back (reference §7.6).
 *
 * Names follow the original tool, adapted where our chunks differ from its tasks:
 *
 * | table            | file                                             | rows                          |
 * |------------------|--------------------------------------------------|-------------------------------|
 * | xAPI (random)    | `xapi_{year}_{i}.native.lz4`                     | batches i … i+g−1, one year   |
 * | xAPI (enrolment) | `initial_enrollments_xapi_{year}_{i}.native.lz4` | enrolment chunks i … i+g−1    |
 * | course overviews | `course_overviews_publish_{i}.native.lz4`        | every course, publish i       |
 * | course blocks    | `course_blocks_{n}.native.lz4` (n from 1)        | every publish of course n     |
 * | object tags      | `object_tag_{n}.native.lz4` (n from 1)           | every publish of course n     |
 * | taxonomy / tag   | `taxonomy.native.lz4`, `tag.native.lz4`          | all                           |
 * | external ids     | `external_id.native.lz4`                         | all                           |
 * | user profiles    | `user_profile_{i}.native.lz4`                    | profile chunk i (batch_size)  |
 *
 * `g` (batches per xAPI file) is `max(1, floor(100_000 / batch_size))`: the original wrote one
 * file per batch, which for the default batch_size of 1,000 meant a thousand tiny files and as
 * many loads. The original's enrolment files also carried a worker id; ours depend on the config
 * only. Its user profile files held one profile round of all actors; ours hold one chunk.
 *
 * Loads go file by file, xAPI files by year (enrolments first within a year); with
 * `xapi_load_order: chronological` each xAPI file is inserted in `emission_time` order, so the
 * raw table receives a year's statements in time order per file.
 *
 * Values never appear in SQL text (quirk Q15): the engine reads the generated CSV from a file
 * and writes Native; paths, URLs, structures and credentials are bound as query parameters.
 */

import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Config } from '../config/types.ts';
import { ConfigError } from '../errors.ts';
import { TABLES, type TableKey } from '../formats/tables.ts';
import {
  createS3Client,
  joinUrl,
  loadAwsSdk,
  parseS3Url,
  type S3Settings,
  s3SettingsFromConfig,
  s3UrlToHttp,
} from '../storage/s3.ts';
import { CHRONOLOGICAL_ORDER, qualifiedTable } from './bulk.ts';
import type { SchemaNames } from './schema.ts';

/** Statements per xAPI Native file (rounded down to whole batches, at least one batch). */
export const STATEMENTS_PER_NATIVE_FILE = 100_000;

export const NATIVE_SUFFIX = '.native.lz4';

/** Where the Native files are: a local directory or an `s3://bucket/prefix/` folder. */
export type NativeLocation =
  | { readonly kind: 'local'; readonly directory: string; readonly from: string }
  | { readonly kind: 's3'; readonly url: string; readonly from: string };

/**
 * `native_output_destination`, else `s3://{s3_bucket}/{s3_prefix}` as the original.
 *
 * @example
 * nativeLocationFromConfig({ nativeOutputDestination: null, s3Bucket: 'b', s3Prefix: 'run1' });
 * // → { kind: 's3', url: 's3://b/run1/', from: 's3_bucket' }
 */
export function nativeLocationFromConfig(
  config: Pick<Config, 'nativeOutputDestination' | 's3Bucket' | 's3Prefix'>,
): NativeLocation {
  const destination = config.nativeOutputDestination;
  if (destination !== null && destination !== '') {
    if (destination.startsWith('s3://')) {
      const { bucket, prefix } = parseS3Url(destination, 'native_output_destination');
      return { kind: 's3', url: `s3://${bucket}/${prefix}`, from: 'native_output_destination' };
    }
    return { kind: 'local', directory: resolve(destination), from: 'native_output_destination' };
  }
  if (config.s3Bucket === null || config.s3Bucket === '') {
    throw new ConfigError([
      {
        key: 'native_output_destination',
        message:
          'native_output_destination: missing; the chdb backend needs a local directory or s3://bucket/prefix/ ' +
          '(or s3_bucket and s3_prefix, as the original tool)',
      },
    ]);
  }
  const prefix = (config.s3Prefix ?? '').replace(/^\/+/, '');
  const { bucket, prefix: normalized } = parseS3Url(`s3://${config.s3Bucket}/${prefix}`, 's3_bucket');
  return { kind: 's3', url: `s3://${bucket}/${normalized}`, from: 's3_bucket' };
}

/** A location as printed: the directory or the `s3://` folder (never credentials). */
export function describeNativeLocation(location: NativeLocation): string {
  return location.kind === 'local' ? location.directory : location.url;
}

/** The file as ClickHouse reads it: an absolute path, or the object's `http(s)://` URL. */
export function nativeFileLocation(
  location: NativeLocation,
  settings: Pick<S3Settings, 'endpoint' | 'region'>,
  name: string,
): string {
  if (location.kind === 'local') return join(location.directory, name);
  return joinUrl(s3UrlToHttp(location.url, settings, location.from), name);
}

// ---------------------------------------------------------------------------------------------
// names

/** Base name (without {@link NATIVE_SUFFIX}) of the file holding chunk unit `index` of `table`. */
export function nativeBaseName(table: TableKey, index: number, enrollment: boolean): string {
  switch (table) {
    case 'courseOverviews':
      return `course_overviews_publish_${index}`;
    case 'courseBlocks':
      return `course_blocks_${index + 1}`;
    case 'objectTags':
      return `object_tag_${index + 1}`;
    case 'taxonomies':
      return 'taxonomy';
    case 'tags':
      return 'tag';
    case 'externalIds':
      return 'external_id';
    case 'userProfiles':
      return `user_profile_${index}`;
    case 'xapi':
      // `{_partition_id}` is replaced by the engine with the year (PARTITION BY toYear).
      return enrollment ? `initial_enrollments_xapi_{_partition_id}_${index}` : `xapi_{_partition_id}_${index}`;
  }
}

/** Name patterns of the files of each table (also files the original tool wrote). */
const NAME_PATTERNS: Readonly<Record<TableKey, RegExp>> = {
  courseOverviews: /^course_overviews_publish_(\d+)\.native\.lz4$/,
  courseBlocks: /^course_blocks_(\d+)\.native\.lz4$/,
  objectTags: /^object_tag_(\d+)\.native\.lz4$/,
  taxonomies: /^taxonomy\.native\.lz4$/,
  tags: /^tag\.native\.lz4$/,
  externalIds: /^external_id(?:_(\d+))?\.native\.lz4$/,
  userProfiles: /^user_profile_(\d+)\.native\.lz4$/,
  xapi: /^(?:(initial_enrollments_)xapi_(\d+)((?:_\d+)+)|xapi_(\d+)_(\d+))\.native\.lz4$/,
};

/** The original's listing prefixes (§7.6.4), for messages. */
export const NATIVE_PREFIXES: Readonly<Record<TableKey, readonly string[]>> = {
  courseOverviews: ['course_overviews_publish_'],
  courseBlocks: ['course_blocks_'],
  objectTags: ['object_tag_'],
  taxonomies: ['taxonomy'],
  tags: ['tag'],
  externalIds: ['external_id'],
  userProfiles: ['user_profile_'],
  xapi: ['initial_enrollments_xapi_', 'xapi_'],
};

/** One Native file found at a location. */
export interface NativeFile {
  readonly table: TableKey;
  readonly name: string;
  /** Sort key: event-sink files by number; xAPI by year, enrolments first, then number. */
  readonly order: readonly number[];
}

/** The table a file name belongs to, or `null` for any other file. */
export function classifyNativeFile(name: string): NativeFile | null {
  for (const [table, pattern] of Object.entries(NAME_PATTERNS) as [TableKey, RegExp][]) {
    const match = pattern.exec(name);
    if (!match) continue;
    if (table !== 'xapi') return { table, name, order: [Number(match[1] ?? 0)] };
    const enrollment = match[1] !== undefined;
    const year = Number(enrollment ? match[2] : match[4]);
    const rest = enrollment ? (match[3] ?? '').split('_').filter(Boolean).map(Number) : [Number(match[5])];
    return { table, name, order: [year, enrollment ? 0 : 1, ...rest] };
  }
  return null;
}

/** Load order: event-sink tables (in table order), then xAPI by year. */
export function sortNativeFiles(files: readonly NativeFile[], tableOrder: readonly TableKey[]): NativeFile[] {
  const rank = new Map(tableOrder.map((t, i) => [t, i]));
  return [...files].sort((a, b) => {
    const byTable = (rank.get(a.table) ?? 0) - (rank.get(b.table) ?? 0);
    if (byTable !== 0) return byTable;
    for (let i = 0; i < Math.max(a.order.length, b.order.length); i++) {
      const d = (a.order[i] ?? -1) - (b.order[i] ?? -1);
      if (d !== 0) return d;
    }
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

/** Names of the files directly in the location (no sub-folders), unsorted. */
export async function listNativeNames(location: NativeLocation, config: Config): Promise<string[]> {
  if (location.kind === 'local') {
    try {
      const entries = await readdir(location.directory, { withFileTypes: true });
      return entries.filter((e) => e.isFile() && e.name.endsWith(NATIVE_SUFFIX)).map((e) => e.name);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return [];
      throw error;
    }
  }
  const { bucket, prefix } = parseS3Url(location.url, location.from);
  const { s3 } = loadAwsSdk();
  const client = createS3Client(s3SettingsFromConfig(config));
  const names: string[] = [];
  try {
    let token: string | undefined;
    do {
      const page = await client.send(
        new s3.ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          Delimiter: '/',
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const object of page.Contents ?? []) {
        const name = (object.Key ?? '').slice(prefix.length);
        if (name.endsWith(NATIVE_SUFFIX)) names.push(name);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } finally {
    client.destroy();
  }
  return names;
}

// ---------------------------------------------------------------------------------------------
// SQL

/** Structure of a table's Native file: the Aspects column types, so loads convert nothing. */
export function nativeStructure(table: TableKey): string {
  return TABLES[table].columns.map((c) => `\`${c.name}\` ${c.type}`).join(', ');
}

/**
 * Settings of every conversion, pinned so that the files are the same bytes on any machine:
 * block boundaries follow the parser, and the parallel parser's segments would depend on the
 * thread count. Measured on 2 shared cores, 100,000 statements (120 MB of CSV): parallel
 * parsing 670 ms, single stream 565 ms. LZ4 level 1 would take ~345 ms but make the files 37 %
 * larger; the default level 3 (LZ4 HC) is kept.
 *
 * They are written in the statement's SETTINGS clause, not sent as `clickhouse_settings`:
 * chdb's connection turns those into `SET`s that stay on the process's one shared session.
 */
const NATIVE_WRITE_SETTINGS =
  "input_format_parallel_parsing = 0, max_threads = 1, max_insert_threads = 1, output_format_compression_level = 3, engine_file_truncate_on_insert = 1, date_time_input_format = 'best_effort'";

/**
 * The embedded engine's write: one generated CSV file in, one LZ4 Native file out (per year for
 * xAPI, partitioned in UTC so the names do not depend on the machine's time zone).
 */
export function renderNativeWrite(table: TableKey): string {
  const partition = table === 'xapi' ? " PARTITION BY toYear(emission_time, 'UTC')" : '';
  return (
    "INSERT INTO FUNCTION file({output:String}, 'Native', {structure:String}, 'lz4')" +
    `${partition} SELECT * FROM file({input:String}, 'CSV', {structure:String}) SETTINGS ${NATIVE_WRITE_SETTINGS}`
  );
}

/** S3 credentials ClickHouse signs its reads with; `null` = its own (or a public bucket). */
export interface NativeCredentials {
  readonly key: string;
  readonly secret: string;
}

export function nativeCredentials(settings: S3Settings): NativeCredentials | null {
  return settings.accessKeyId !== null && settings.secretAccessKey !== null
    ? { key: settings.accessKeyId, secret: settings.secretAccessKey }
    : null;
}

/** One file load: `INSERT INTO db.table (cols) SELECT cols FROM s3(…, 'Native')` or `file(…)`. */
export interface NativeLoadStatement {
  readonly query: string;
  readonly params: Readonly<Record<string, string>>;
  /** `db.table` */
  readonly target: string;
  /** The table function reading the file (same parameters as `query`). */
  readonly source: string;
}

/**
 * The load of one Native file. Columns are named on both sides: the file carries its column
 * names, so the load does not depend on the target table's column order.
 */
export function renderNativeLoad(
  table: TableKey,
  location: string,
  options: {
    readonly local: boolean;
    readonly credentials: NativeCredentials | null;
    readonly cluster: string | null;
    readonly names: SchemaNames;
    /** xAPI rows inserted in `emission_time` order (`xapi_load_order: chronological`). */
    readonly chronological?: boolean;
  },
): NativeLoadStatement {
  const columns = TABLES[table].columns.map((c) => `\`${c.name}\``).join(', ');
  const target = qualifiedTable(options.names, table);
  let source: string;
  let params: Record<string, string> = { location };
  if (options.local) {
    source = "file({location:String}, 'Native')";
  } else {
    const credentials = options.credentials ? '{s3_key:String}, {s3_secret:String}, ' : '';
    if (options.credentials)
      params = { ...params, s3_key: options.credentials.key, s3_secret: options.credentials.secret };
    const args = `{location:String}, ${credentials}'Native'`;
    if (options.cluster !== null) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.cluster)) {
        throw new ConfigError([
          { key: 'db_cluster', message: `db_cluster: got ${JSON.stringify(options.cluster)}; expected an identifier` },
        ]);
      }
      source = `s3Cluster('${options.cluster}', ${args})`;
    } else {
      source = `s3(${args})`;
    }
  }
  const orderBy = table === 'xapi' && options.chronological ? ` ${CHRONOLOGICAL_ORDER}` : '';
  return {
    query: `INSERT INTO ${target} (${columns}) SELECT ${columns} FROM ${source}${orderBy}`,
    params,
    target,
    source,
  };
}
