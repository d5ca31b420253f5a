/**
 * An S3-protocol server (`s3rver`) on 127.0.0.1, in-process, on a free port, storing into a
 * temporary directory. s3rver accepts the access key `S3RVER` (any other key is rejected with
 * InvalidAccessKeyId) and does not check the secret.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';

/** The part of s3rver's API used here (the package ships no types). */
interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  on(event: 'event', listener: (event: S3rverEvent) => void): void;
}
interface S3rverEvent {
  readonly Records: readonly {
    readonly eventName: string;
    readonly s3: { readonly object: { readonly key: string } };
  }[];
}

/** An object created on the server: `Put` (one request) or `Post` (a completed multipart upload). */
export interface CreatedObject {
  readonly key: string;
  readonly how: string;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
}) => S3rverInstance;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

export const S3RVER_KEY = 'S3RVER';
/** s3rver ignores the secret, so tests use a recognizable one and check it never shows up. */
export const TEST_SECRET = 'tEsT-sEcReT-6f1d3c';

export interface StartedS3Server extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly client: S3Client;
  /** Objects created so far, in order (`ObjectCreated:*` events). */
  readonly created: readonly CreatedObject[];
  createBucket(name: string): Promise<void>;
  /** Keys under `prefix` in `bucket`, sorted. */
  listKeys(bucket: string, prefix?: string): Promise<string[]>;
  getObject(bucket: string, key: string): Promise<Buffer>;
  putObject(bucket: string, key: string, body: Uint8Array): Promise<void>;
  stop(): Promise<void>;
}

export async function startS3Server(): Promise<StartedS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'xdl-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const created: CreatedObject[] = [];
  server.on('event', (event) => {
    for (const record of event.Records) {
      if (record.eventName.startsWith('ObjectCreated:')) {
        created.push({ key: record.s3.object.key, how: record.eventName.slice('ObjectCreated:'.length) });
      }
    }
  });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: TEST_SECRET },
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    client.destroy();
    await server.close();
    await rm(directory, { recursive: true, force: true });
  };
  return {
    endpoint,
    client,
    created,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async listKeys(bucket, prefix = '') {
      const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (out.Contents ?? []).map((o) => o.Key ?? '').sort();
    },
    async getObject(bucket, key) {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    },
    async putObject(bucket, key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
