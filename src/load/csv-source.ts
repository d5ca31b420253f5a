/** Where the csv backend's eight files are, as ClickHouse will read them (URL or local path). */

import { join, resolve } from 'node:path';
import { redactSecrets } from '../clickhouse/connect.ts';
import type { Config } from '../config/types.ts';
import { ConfigError } from '../errors.ts';
import { shardCsvFile, TABLES, type TableKey } from '../formats/tables.ts';
import { maskUrlCredentials } from '../secrets.ts';
import { joinUrl, s3SettingsFromConfig, s3UrlToHttp } from '../storage/s3.ts';
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

export function locate(source: CsvSource, name: string): string {
  return source.kind === 'url' ? joinUrl(source.baseUrl, name) : join(source.directory, name);
}

/** File name of one shard's xAPI CSV: `xapi.shard-2-of-4.csv.gz`. */
function shardXapiFile(index: number | string, count: number): string {
  return shardCsvFile('xapi', index, count);
}

/** The concrete files of a table (one, or one per shard for a sharded xAPI table). */
export function csvFileNames(source: CsvSource, table: TableKey): string[] {
  const shards = source.xapiShards ?? 1;
  if (table !== 'xapi' || shards === 1) return [TABLES[table].csvFile];
  return Array.from({ length: shards }, (_, i) => shardXapiFile(i, shards));
}
