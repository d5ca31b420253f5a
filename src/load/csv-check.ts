/** The checks before a csv bulk load: every file present, the bucket there, the source readable. */

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { type ClickHouse, redactSecrets } from '../clickhouse/connect.ts';
import { ConfigError, describeError, MissingFilesError, XapiDbLoadError } from '../errors.ts';
import { TABLE_KEYS } from '../formats/tables.ts';
import { createS3Client, describeS3Endpoint, loadAwsSdk, parseS3Url, type S3Settings } from '../storage/s3.ts';
import { type CsvSource, csvFileNames, locate, redactUrl } from './csv-source.ts';
import { type CsvLoadSqlOptions, credentialParams, type S3Credentials, tableFunction } from './csv-sql.ts';
/** Error text from ClickHouse without secrets and without its long stack suffixes. */
export function clickhouseReason(ch: ClickHouse, error: unknown, secrets: readonly string[]): string {
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
export async function checkBucket(
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
export function assertSourceReadable(source: CsvSource, ch: ClickHouse): void {
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
export async function firstEventIdInFiles(
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

/** The first event id of a local gzipped xAPI CSV (read on this machine, for a server target). */
export async function firstEventIdInLocalFile(path: string): Promise<string | null> {
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
