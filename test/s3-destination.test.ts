/** The s3:// destination against an S3-protocol server on 127.0.0.1 (s3rver, started here). */

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, XapiDbLoadError } from '../src/errors.ts';
import {
  MIN_PART_SIZE_BYTES,
  parseS3Url,
  type S3Settings,
  s3Destination,
  s3SettingsFromConfig,
} from '../src/storage/s3.ts';
import { S3RVER_KEY, type StartedS3Server, startS3Server, TEST_SECRET } from './support/s3-server.ts';

let server: StartedS3Server;
let settings: S3Settings;

beforeAll(async () => {
  server = await startS3Server();
  await server.createBucket('dest');
  settings = { endpoint: server.endpoint, region: 'us-east-1', accessKeyId: S3RVER_KEY, secretAccessKey: TEST_SECRET };
});
afterAll(async () => server?.stop());

async function writeAll(
  file: { write(data: Uint8Array): Promise<void> },
  data: Buffer,
  step = 256 * 1024,
): Promise<void> {
  for (let i = 0; i < data.length; i += step) await file.write(data.subarray(i, i + step));
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('parseS3Url', () => {
  it.each([
    { url: 's3://bucket/logs/run1', bucket: 'bucket', prefix: 'logs/run1/' },
    { url: 's3://bucket/logs/run1/', bucket: 'bucket', prefix: 'logs/run1/' },
    { url: 's3://bucket', bucket: 'bucket', prefix: '' },
    { url: 's3://bucket/', bucket: 'bucket', prefix: '' },
    { url: 's3://my.bucket//x', bucket: 'my.bucket', prefix: 'x/' },
  ])('normalizes $url (quirk Q14: trailing slash)', ({ url, bucket, prefix }) => {
    expect(parseS3Url(url)).toEqual({ bucket, prefix });
  });

  it.each(['s3://', 's3://B/x', 's3:///x', 'https://bucket/x', 's3://bucket/x?y'])('rejects %s', (url) => {
    expect(() => parseS3Url(url)).toThrowError(ConfigError);
  });
});

describe('s3SettingsFromConfig', () => {
  const base = { s3Endpoint: null, s3Region: 'us-east-1', s3Key: null, s3Secret: null };
  it('uses the default AWS chain without key and secret, path-style endpoint without a trailing slash', () => {
    expect(s3SettingsFromConfig(base)).toEqual({
      endpoint: null,
      region: 'us-east-1',
      accessKeyId: null,
      secretAccessKey: null,
    });
    expect(s3SettingsFromConfig({ ...base, s3Endpoint: 'http://127.0.0.1:9000/' }).endpoint).toBe(
      'http://127.0.0.1:9000',
    );
  });
  it('rejects a key without a secret, naming the env override', () => {
    expect(() => s3SettingsFromConfig({ ...base, s3Key: 'AKIA' })).toThrowError(/s3_secret: missing.*XAPI_DB_LOAD_AWS/);
  });
});

describe('s3Destination', () => {
  it('streams a file larger than the part size as a multipart upload; nothing is visible before commit', async () => {
    const dest = s3Destination('s3://dest/multi', settings, { partSizeBytes: MIN_PART_SIZE_BYTES });
    const data = randomBytes(2 * MIN_PART_SIZE_BYTES + 123_457);
    const file = await dest.createFile('big.bin');
    expect(file.location).toBe('s3://dest/multi/big.bin');
    await writeAll(file, data);
    expect(await server.listKeys('dest', 'multi/')).toEqual([]);
    await file.commit();
    expect(await server.listKeys('dest', 'multi/')).toEqual(['multi/big.bin']);
    expect((await server.getObject('dest', 'multi/big.bin')).equals(data)).toBe(true);
    // `Post` is s3rver's event for a completed multipart upload (a single PUT is `Put`).
    expect(server.created.filter((c) => c.key === 'multi/big.bin').map((c) => c.how)).toEqual(['Post']);
  });

  it('uploads a small file with one request at commit', async () => {
    const dest = s3Destination('s3://dest/small/', settings);
    const file = await dest.createFile('small.csv.gz');
    await file.write(new Uint8Array([1, 2, 3]));
    expect(await server.listKeys('dest', 'small/')).toEqual([]);
    await file.commit();
    expect([...(await server.getObject('dest', 'small/small.csv.gz'))]).toEqual([1, 2, 3]);
  });

  it('a failed file leaves no object, even after parts were uploaded', async () => {
    const dest = s3Destination('s3://dest/aborted/', settings, { partSizeBytes: MIN_PART_SIZE_BYTES });
    const file = await dest.createFile('xapi.csv.gz');
    await writeAll(file, randomBytes(3 * MIN_PART_SIZE_BYTES));
    // s3rver does not implement AbortMultipartUpload (HTTP 405): the error says so, and that the
    // parts stay invisible. AWS S3 and MinIO implement it.
    const error = await failure(file.abort());
    expect(error.message).toMatch(/abort the multipart upload of s3:\/\/dest\/aborted\/xapi\.csv\.gz/);
    expect(error.message).toMatch(/no object was created/);
    expect(await server.listKeys('dest', 'aborted/')).toEqual([]);
    // Abort is idempotent and a later commit is refused.
    await file.abort();
    await expect(file.commit()).rejects.toThrowError(/commit after aborted/);
  });

  it('an object from an earlier run stays intact until the new upload completes', async () => {
    await server.putObject('dest', 'keep/xapi.csv.gz', new Uint8Array([9, 9]));
    const dest = s3Destination('s3://dest/keep/', settings);
    const file = await dest.createFile('xapi.csv.gz');
    await file.write(new Uint8Array([1]));
    await file.abort();
    expect([...(await server.getObject('dest', 'keep/xapi.csv.gz'))]).toEqual([9, 9]);
  });

  it('checkWritable passes and leaves no probe object behind', async () => {
    await s3Destination('s3://dest/probe/', settings).checkWritable();
    expect(await server.listKeys('dest', 'probe/')).toEqual([]);
  });

  it('checkWritable names a missing bucket and the endpoint, never the secret', async () => {
    const error = await failure(s3Destination('s3://no-such-bucket/x/', settings).checkWritable());
    expect(error).toBeInstanceOf(XapiDbLoadError);
    expect(error.message).toBe(
      `csv_output_destination: bucket "no-such-bucket" does not exist at endpoint ${server.endpoint}; create it first (or check s3_endpoint)`,
    );
  });

  it('checkWritable reports rejected credentials, naming the key id and never the secret', async () => {
    const error = await failure(
      s3Destination('s3://dest/x/', { ...settings, accessKeyId: 'WRONGKEY' }).checkWritable(),
    );
    expect(error.message).toMatch(
      new RegExp(
        `^S3 at endpoint ${server.endpoint} rejected the credentials \\(s3_key "WRONGKEY"\\).*InvalidAccessKeyId`,
      ),
    );
    expect(error.message).not.toContain(TEST_SECRET);
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(TEST_SECRET);
  });

  it('checkWritable reports an unreachable endpoint', async () => {
    const error = await failure(
      s3Destination('s3://dest/x/', { ...settings, endpoint: 'http://127.0.0.1:9' }).checkWritable(),
    );
    expect(error.message).toBe('cannot reach S3 at endpoint http://127.0.0.1:9 to write to s3://dest/x/: ECONNREFUSED');
  });

  it('a write fails (does not hang) when the server goes away mid-upload', async () => {
    await using other = await startS3Server();
    await other.createBucket('gone');
    const dest = s3Destination(
      's3://gone/x/',
      { ...settings, endpoint: other.endpoint },
      { partSizeBytes: MIN_PART_SIZE_BYTES },
    );
    const file = await dest.createFile('xapi.csv.gz');
    await writeAll(file, randomBytes(MIN_PART_SIZE_BYTES + 1));
    await other.stop();
    const data = randomBytes(MIN_PART_SIZE_BYTES);
    const error = await failure(
      (async () => {
        for (let i = 0; i < 40; i++) await writeAll(file, data);
        await file.commit();
      })(),
    );
    expect(error.message).toMatch(/cannot reach S3 at endpoint .* to upload s3:\/\/gone\/x\/xapi\.csv\.gz: ECONN/);
    await file.abort().catch(() => {});
  });
});
