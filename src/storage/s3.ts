/**
 * `s3://bucket/prefix/` destinations: each file is streamed to S3 (or an S3-compatible store
 * such as MinIO, through `s3_endpoint`) with a multipart upload, in bounded memory.
 *
 * Commit semantics: a file is one multipart upload of its FINAL key, and the upload is completed
 * only by `commit()`. Until `CompleteMultipartUpload` succeeds S3 shows no object at that key
 * (uploaded parts are invisible), so a failed or interrupted run never leaves an object that
 * looks complete; `abort()` sends `AbortMultipartUpload`, which discards the parts. This avoids
 * the alternative "upload to a temporary key, then copy": a server-side copy of an object above
 * 5 GB needs its own multipart copy, and a crash between copy and delete leaves a stray object.
 * An object already at the key from an earlier run stays untouched until the new one completes.
 * A multipart upload that neither completes nor aborts (the process is killed) keeps its parts,
 * invisible but billed, until a bucket lifecycle rule (`AbortIncompleteMultipartUpload`)
 * removes them.
 *
 * The AWS SDK (`@aws-sdk/client-s3`, `@aws-sdk/lib-storage`) is an optional dependency, loaded
 * on first use, so installs that never touch S3 do not need it.
 */

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import type * as ClientS3 from '@aws-sdk/client-s3';
import type * as LibStorage from '@aws-sdk/lib-storage';
import type { Config } from '../config/types.ts';
import { s3CredentialsProblem } from '../config/validate.ts';
import { ConfigError, describeError, XapiDbLoadError } from '../errors.ts';
import type { Destination, FileWriter } from './destination.ts';

/**
 * Size of one uploaded part. S3 allows 10,000 parts per object, so 16 MiB parts cap one file at
 * about 156 GiB; memory per file being written is at most `(queueSize + 1) × partSize`.
 */
export const DEFAULT_PART_SIZE_BYTES = 16 * 1024 * 1024;
/** Parts of one file uploaded in parallel. */
export const DEFAULT_QUEUE_SIZE = 4;
/** S3's smallest part (every part but the last must be at least this big). */
export const MIN_PART_SIZE_BYTES = 5 * 1024 * 1024;

/** A bucket and a key prefix (`""`, or ending with `/`). */
export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
}

/**
 * How to reach S3. `secretAccessKey` is a secret: it is never part of a description, a message
 * or a log line.
 */
export interface S3Settings {
  /** S3-compatible endpoint (`http://127.0.0.1:9000`); `null` = AWS. Path-style addressing when set. */
  readonly endpoint: string | null;
  /** @default "us-east-1" */
  readonly region: string;
  /** `null` (with a `null` secret) = the AWS default credential chain (env, profile, instance role). */
  readonly accessKeyId: string | null;
  readonly secretAccessKey: string | null;
}

export interface S3DestinationOptions {
  /** @default DEFAULT_PART_SIZE_BYTES */
  readonly partSizeBytes?: number;
  /** @default DEFAULT_QUEUE_SIZE */
  readonly queueSize?: number;
  /** Config key named in messages. @default "csv_output_destination" */
  readonly key?: string;
}

const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Splits `s3://bucket/prefix/` into bucket and prefix (normalized to end with `/`, quirk Q14).
 *
 * @example
 * parseS3Url('s3://my-bucket/logs/run1'); // → { bucket: 'my-bucket', prefix: 'logs/run1/' }
 */
export function parseS3Url(url: string, key = 'csv_output_destination'): S3Location {
  const match = /^s3:\/\/([^/?#]+)(\/[^?#]*)?$/.exec(url);
  const bucket = match?.[1];
  if (!match || bucket === undefined || !BUCKET_PATTERN.test(bucket)) {
    throw new ConfigError([
      { key, message: `${key}: got ${JSON.stringify(url)}; expected s3://bucket/prefix/ with a valid bucket name` },
    ]);
  }
  let prefix = (match[2] ?? '').replace(/^\/+/, '');
  if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
  return { bucket, prefix };
}

/** S3 settings from a validated config. A key without a secret (or the reverse) is a config error. */
export function s3SettingsFromConfig(
  config: Pick<Config, 's3Endpoint' | 's3Region' | 's3Key' | 's3Secret'>,
): S3Settings {
  const hasKey = config.s3Key !== null && config.s3Key !== '';
  const hasSecret = config.s3Secret !== null && config.s3Secret !== '';
  const problem = s3CredentialsProblem(config.s3Key, config.s3Secret);
  if (problem) throw new ConfigError([problem]);
  return {
    endpoint: config.s3Endpoint === null || config.s3Endpoint === '' ? null : config.s3Endpoint.replace(/\/+$/, ''),
    region: config.s3Region,
    accessKeyId: hasKey ? config.s3Key : null,
    secretAccessKey: hasSecret ? config.s3Secret : null,
  };
}

/** `endpoint http://127.0.0.1:9000` or `AWS S3 (us-east-1)`: where requests go, for messages. */
export function describeS3Endpoint(settings: Pick<S3Settings, 'endpoint' | 'region'>): string {
  return settings.endpoint === null ? `AWS S3 (${settings.region})` : `endpoint ${settings.endpoint}`;
}

// ---------------------------------------------------------------------------------------------
// lazy SDK

interface AwsSdk {
  readonly s3: typeof ClientS3;
  readonly storage: typeof LibStorage;
}

let sdk: AwsSdk | undefined;

/** Loads the AWS SDK on first use, with a clear message when it is not installed. */
export function loadAwsSdk(): AwsSdk {
  if (sdk) return sdk;
  const require = createRequire(import.meta.url);
  try {
    sdk = {
      s3: require('@aws-sdk/client-s3') as typeof ClientS3,
      storage: require('@aws-sdk/lib-storage') as typeof LibStorage,
    };
  } catch (error) {
    throw new XapiDbLoadError(
      `the AWS SDK is not installed (${describeError(error).split('\n')[0]}); run \`npm i @aws-sdk/client-s3 @aws-sdk/lib-storage\` to write to s3:// destinations`,
      { cause: error },
    );
  }
  return sdk;
}

/** An S3 client for `settings` (path-style when an endpoint is set). */
export function createS3Client(settings: S3Settings): ClientS3.S3Client {
  const { s3 } = loadAwsSdk();
  return new s3.S3Client({
    region: settings.region,
    ...(settings.endpoint === null ? {} : { endpoint: settings.endpoint, forcePathStyle: true }),
    ...(settings.accessKeyId !== null && settings.secretAccessKey !== null
      ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }
      : {}),
    // Fail in seconds, not minutes, when the endpoint does not answer.
    requestHandler: { connectionTimeout: 10_000 },
  });
}

// ---------------------------------------------------------------------------------------------
// errors

/** The parts of an SDK or network error this module reads. */
interface ErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const CREDENTIAL_ERRORS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'TokenRefreshRequired',
  'InvalidClientTokenId',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH']);

/** What went wrong, for a message: the S3 error code and status, or the network error code. */
export function describeS3Error(error: unknown): string {
  const e = (error ?? {}) as ErrorShape;
  if (e.code && NETWORK_CODES.has(e.code)) return e.code;
  const status = e.$metadata?.httpStatusCode;
  const name = e.name && e.name !== 'Error' && e.name !== 'UnknownError' && e.name !== 'Unknown' ? e.name : undefined;
  // The SDK appends a hint about stream bodies to some messages; keep the first line only.
  const message = (e.message ?? describeError(error)).split('\n')[0]?.replace(/Are you using a Stream.*$/, '');
  const parts = [
    name,
    status ? `HTTP ${status}` : undefined,
    message && message !== 'UnknownError' ? message : undefined,
  ];
  return parts.filter((p) => p !== undefined && p !== '').join(': ') || describeError(error);
}

/**
 * A clear message for a failed S3 request: a missing bucket, rejected credentials, access
 * denied or an unreachable endpoint, naming the bucket and the endpoint, never the secret.
 */
export function explainS3Error(
  error: unknown,
  where: { settings: S3Settings; location: S3Location; action: string; key?: string; target?: string },
): XapiDbLoadError {
  const e = (error ?? {}) as ErrorShape;
  const { settings, location } = where;
  const configKey = where.key ?? 'csv_output_destination';
  const endpoint = describeS3Endpoint(settings);
  const url = where.target ?? `s3://${location.bucket}/${location.prefix}`;
  const who =
    settings.accessKeyId === null
      ? 'the AWS default credential chain'
      : `s3_key ${JSON.stringify(settings.accessKeyId)}`;
  const status = e.$metadata?.httpStatusCode;
  let message: string;
  if (e.name === 'NoSuchBucket' || (status === 404 && e.name === 'NotFound')) {
    message =
      `${configKey}: bucket "${location.bucket}" does not exist at ${endpoint}; create it first` +
      (settings.endpoint === null ? '' : ' (or check s3_endpoint)');
  } else if (e.name !== undefined && CREDENTIAL_ERRORS.has(e.name)) {
    message = `S3 at ${endpoint} rejected the credentials (${who}) while trying to ${where.action} ${url}: ${describeS3Error(error)}`;
  } else if (e.name === 'AccessDenied' || status === 403) {
    message = `access denied by S3 at ${endpoint} (${who}) while trying to ${where.action} ${url}: ${describeS3Error(error)}`;
  } else if (e.name === 'CredentialsProviderError') {
    message = `no S3 credentials for ${url}: set s3_key and s3_secret (or XAPI_DB_LOAD_AWS_SECRET_ACCESS_KEY), or configure the AWS default credential chain`;
  } else if (e.code !== undefined && NETWORK_CODES.has(e.code)) {
    message = `cannot reach S3 at ${endpoint} to ${where.action} ${url}: ${e.code}`;
  } else {
    message = `S3 at ${endpoint} failed to ${where.action} ${url}: ${describeS3Error(error)}`;
  }
  const secret = settings.secretAccessKey;
  if (secret) message = message.split(secret).join('***');
  return new XapiDbLoadError(message, { cause: error });
}

function isNoSuchUpload(error: unknown): boolean {
  const e = (error ?? {}) as ErrorShape;
  return e.name === 'NoSuchUpload' || e.$metadata?.httpStatusCode === 404;
}

// ---------------------------------------------------------------------------------------------
// the destination

/**
 * What the destination tracks per open file, fed by a client middleware: the multipart upload
 * id (so `abort()` can discard the parts itself), the requests in flight (so it aborts after
 * they settle) and the first failure (so a blocked `write()` fails instead of waiting forever
 * when every part upload failed).
 */
interface OpenFile {
  uploadId: string | undefined;
  readonly inFlight: Set<Promise<unknown>>;
  aborting: boolean;
  error: unknown;
  fail(error: unknown): void;
  readonly failed: Promise<never>;
}

function createOpenFile(): OpenFile {
  let reject: (error: unknown) => void = () => {};
  const failed = new Promise<never>((_, r) => {
    reject = r;
  });
  failed.catch(() => {});
  const file: OpenFile = {
    uploadId: undefined,
    inFlight: new Set(),
    aborting: false,
    error: undefined,
    failed,
    fail(error) {
      if (file.error !== undefined || file.aborting) return;
      file.error = error ?? new Error('upload failed');
      reject(file.error);
    },
  };
  return file;
}

/**
 * A destination for `s3://bucket/prefix/`: one streaming multipart upload per file, completed
 * on `commit()` (see the module comment).
 *
 * @example
 * const dest = s3Destination('s3://loadtest/run1/', s3SettingsFromConfig(config));
 * await dest.checkWritable();
 * const file = await dest.createFile('xapi.csv.gz');
 * await file.write(chunk);
 * await file.commit();
 */
export function s3Destination(url: string, settings: S3Settings, options: S3DestinationOptions = {}): Destination {
  const configKey = options.key ?? 'csv_output_destination';
  const location = parseS3Url(url, configKey);
  const partSize = options.partSizeBytes ?? DEFAULT_PART_SIZE_BYTES;
  const queueSize = options.queueSize ?? DEFAULT_QUEUE_SIZE;
  if (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE_BYTES) {
    throw new XapiDbLoadError(`S3 part size: got ${partSize}; expected at least ${MIN_PART_SIZE_BYTES} bytes`);
  }
  const base = `s3://${location.bucket}/${location.prefix}`;
  const description = `${base} (${describeS3Endpoint(settings)})`;
  const openFiles = new Map<string, OpenFile>();
  let client: ClientS3.S3Client | undefined;

  const getClient = (): ClientS3.S3Client => {
    if (!client) {
      client = createS3Client(settings);
      // `initialize` wraps the SDK's retries: what this sees is the final outcome of a request.
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const objectKey = (args.input as { Key?: unknown }).Key;
          const file = typeof objectKey === 'string' ? openFiles.get(objectKey) : undefined;
          if (!file) return next(args);
          const request = next(args);
          file.inFlight.add(request);
          try {
            const result = await request;
            if (context.commandName === 'CreateMultipartUploadCommand') {
              file.uploadId = (result.output as { UploadId?: string }).UploadId;
            }
            return result;
          } catch (error) {
            if (context.commandName !== 'AbortMultipartUploadCommand') file.fail(error);
            throw error;
          } finally {
            file.inFlight.delete(request);
          }
        },
        { step: 'initialize', name: 'xapiDbLoadOpenFiles' },
      );
    }
    return client;
  };

  const fail = (error: unknown, action: string, target?: string) =>
    explainS3Error(error, { settings, location, action, key: configKey, ...(target === undefined ? {} : { target }) });

  return {
    description,

    async checkWritable() {
      const s3 = getClient();
      const { s3: sdkS3 } = loadAwsSdk();
      const probe = `${location.prefix}.xapi-db-load-probe-${process.pid}-${randomBytes(4).toString('hex')}`;
      try {
        await s3.send(new sdkS3.PutObjectCommand({ Bucket: location.bucket, Key: probe, Body: new Uint8Array(0) }));
      } catch (error) {
        throw fail(error, 'write to');
      }
      try {
        await s3.send(new sdkS3.DeleteObjectCommand({ Bucket: location.bucket, Key: probe }));
      } catch (error) {
        throw fail(error, `delete the probe object ${probe} in`);
      }
    },

    async createFile(name) {
      if (name.includes('/') || name === '') throw new XapiDbLoadError(`S3 file name: got ${JSON.stringify(name)}`);
      const s3 = getClient();
      const { storage } = loadAwsSdk();
      const objectKey = `${location.prefix}${name}`;
      const objectUrl = `s3://${location.bucket}/${objectKey}`;
      if (openFiles.has(objectKey)) throw new XapiDbLoadError(`${objectUrl} is already being written`);
      const file = createOpenFile();
      openFiles.set(objectKey, file);

      // The body is a bounded pipe: write() waits for 'drain', so memory stays near
      // (queueSize + 1) × partSize however fast chunks are generated.
      const body = new PassThrough({ highWaterMark: 1024 * 1024 });
      const upload = new storage.Upload({
        client: s3,
        params: {
          Bucket: location.bucket,
          Key: objectKey,
          Body: body,
          ContentType: name.endsWith('.gz') ? 'application/gzip' : 'application/octet-stream',
        },
        partSize,
        queueSize,
        // This destination aborts the upload itself, after the requests in flight settle.
        leavePartsOnError: true,
      });
      const done = upload.done();
      done.catch((error: unknown) => file.fail(error));
      let state: 'open' | 'committed' | 'aborted' = 'open';

      const failure = (action: string) => fail(file.error, action, objectUrl);

      const writer: FileWriter = {
        location: objectUrl,
        async write(data) {
          if (state !== 'open') throw new XapiDbLoadError(`${objectUrl}: write after ${state}`);
          if (file.error !== undefined) throw failure('upload');
          if (!body.write(data)) {
            try {
              await Promise.race([once(body, 'drain'), file.failed]);
            } catch {
              throw failure('upload');
            }
          }
        },
        async commit() {
          if (state !== 'open') throw new XapiDbLoadError(`${objectUrl}: commit after ${state}`);
          if (file.error !== undefined) throw failure('upload');
          body.end();
          try {
            await done;
          } catch (error) {
            throw fail(file.error ?? error, 'upload', objectUrl);
          }
          state = 'committed';
          openFiles.delete(objectKey);
        },
        async abort() {
          if (state !== 'open') return;
          state = 'aborted';
          file.aborting = true;
          // Stop the uploader first, so no part starts after this point; then end its input.
          await upload.abort();
          body.destroy();
          await Promise.allSettled([...file.inFlight]);
          openFiles.delete(objectKey);
          if (file.uploadId === undefined) return;
          const { s3: sdkS3 } = loadAwsSdk();
          try {
            await s3.send(
              new sdkS3.AbortMultipartUploadCommand({
                Bucket: location.bucket,
                Key: objectKey,
                UploadId: file.uploadId,
              }),
            );
          } catch (error) {
            if (isNoSuchUpload(error)) return;
            const reason = fail(error, 'abort the multipart upload of', objectUrl).message;
            throw new XapiDbLoadError(
              `${reason} (no object was created; the uploaded parts stay invisible until an AbortIncompleteMultipartUpload lifecycle rule removes them)`,
              { cause: error },
            );
          }
        },
      };
      return writer;
    },
  };
}

/** The S3 destination a config's `csv_output_destination` (or another key) points at. */
export function s3DestinationFromConfig(config: Config, url: string, options: S3DestinationOptions = {}): Destination {
  return s3Destination(url, s3SettingsFromConfig(config), options);
}

/**
 * Joins a folder URL and a file name. The folder gets a trailing `/` first (quirk Q14: the
 * original used URL-join semantics, which silently drop the last path segment of
 * `…/prefix` without a slash).
 *
 * @example
 * joinUrl('https://b.s3.amazonaws.com/logs/run1', 'xapi.csv.gz');
 * // → 'https://b.s3.amazonaws.com/logs/run1/xapi.csv.gz'
 */
export function joinUrl(base: string, name: string): string {
  return `${base.endsWith('/') ? base : `${base}/`}${name.replace(/^\/+/, '')}`;
}

/** An `s3://bucket/prefix/` folder as the `http(s)://` URL ClickHouse's `s3()` reads. */
export function s3UrlToHttp(url: string, settings: Pick<S3Settings, 'endpoint' | 'region'>, key: string): string {
  const { bucket, prefix } = parseS3Url(url, key);
  if (settings.endpoint !== null) return `${settings.endpoint.replace(/\/+$/, '')}/${bucket}/${prefix}`;
  // Virtual-hosted style, except for dotted bucket names, which break the TLS wildcard.
  return bucket.includes('.')
    ? `https://s3.${settings.region}.amazonaws.com/${bucket}/${prefix}`
    : `https://${bucket}.s3.${settings.region}.amazonaws.com/${prefix}`;
}
