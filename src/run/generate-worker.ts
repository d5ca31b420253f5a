/**
 * Worker-thread entry: rebuilds the world from the config once, then turns chunk jobs into
 * encoded (and optionally gzipped) bytes. Each job is independent; the pool reorders results.
 */

import { parentPort } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import type { Config } from '../config/types.ts';
import { ByteWriter } from '../formats/byte-writer.ts';
import { type DatasetPlan, planDataset } from '../generate/dataset.ts';
import { encodeChunks } from '../generate/encode.ts';
import { buildWorld, type World } from '../generate/world.ts';
import type { ChunkJob, WorkerReply, WorkerRequest } from './worker-protocol.ts';

if (!parentPort) throw new Error('generate-worker must run in a worker thread');
const port = parentPort;

let world: World | undefined;
let plan: DatasetPlan | undefined;
const scratch = new ByteWriter();

function runJob(job: ChunkJob): WorkerReply {
  if (!world || !plan) throw new Error('worker used before init');
  const encoded = encodeChunks(scratch, world, plan, job.table, job.index, job.count, job.encoding, job.withIds);
  const bytes = job.gzipLevel === null ? encoded.data : gzipSync(encoded.data, { level: job.gzipLevel });
  // The reply transfers `data.buffer`, so it must be a buffer of its own: gzip's output usually
  // is (sent as is); the scratch buffer, reused for the next job, or a pooled slice is copied.
  const owned = bytes !== encoded.data && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const data = owned ? new Uint8Array(bytes.buffer, 0, bytes.byteLength) : new Uint8Array(bytes);
  return { kind: 'result', id: job.id, rows: encoded.rows, rawBytes: encoded.data.byteLength, data, ids: encoded.ids };
}

port.on('message', (message: WorkerRequest) => {
  if (message.kind === 'init') {
    try {
      world = buildWorld(message.config as Config);
      plan = planDataset(world);
      port.postMessage({ kind: 'ready' } satisfies WorkerReply);
    } catch (error) {
      port.postMessage({
        kind: 'error',
        id: -1,
        message: String((error as Error)?.stack ?? error),
      } satisfies WorkerReply);
    }
    return;
  }
  try {
    const reply = runJob(message.job);
    port.postMessage(reply, reply.kind === 'result' ? [reply.data.buffer as ArrayBuffer] : []);
  } catch (error) {
    port.postMessage({
      kind: 'error',
      id: message.job.id,
      message: String((error as Error)?.stack ?? error),
    } satisfies WorkerReply);
  }
});
