/**
 * The machine's own limit for the csv path: gzip alone, at the same level and with the same
 * number of worker threads, on the same bytes the run produced (chunked as the run chunks).
 * It compresses as many bytes as the run did (a sample of them, cycled): a limit timed over
 * one second and a run timed over ten would see different machine weather, and best-of-N
 * would favour the shorter one.
 */

import { createReadStream } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';

export interface GzipLimit {
  readonly bytesPerSecond: number;
  /** Bytes compressed per CPU second (all threads): what the machine's load hardly changes. */
  readonly bytesPerCpuSecond: number;
  readonly sampleBytes: number;
}

// Each worker receives its chunks, says ready, and starts compressing on "go", so thread
// start-up and data transfer are not timed.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { gzipSync } = require('node:zlib');
const { chunks, level, bytes } = workerData;
parentPort.once('message', () => {
  const cpu = process.threadCpuUsage();
  let out = 0;
  let done = 0;
  for (let i = 0; done < bytes && chunks.length > 0; i = (i + 1) % chunks.length) {
    out += gzipSync(chunks[i], { level }).length;
    done += chunks[i].length;
  }
  const used = process.threadCpuUsage(cpu);
  parentPort.postMessage({ done, out, cpuSeconds: (used.user + used.system) / 1e6 });
});
parentPort.postMessage({ ready: true });
`;

/** The first `maxBytes` of a gzip file's content, streamed (the file may be far larger than memory). */
async function readPrefix(gzFile: string, maxBytes: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  const stream = createReadStream(gzFile).pipe(createGunzip());
  for await (const part of stream as AsyncIterable<Buffer>) {
    parts.push(part);
    size += part.length;
    if (size >= maxBytes) {
      stream.destroy();
      break;
    }
  }
  return Buffer.concat(parts).subarray(0, Math.min(size, maxBytes));
}

/**
 * Gzips `totalBytes` of the file's content (its first `maxSampleBytes`, cycled) in `chunkBytes`
 * pieces on `workers` threads.
 */
export async function measureGzipLimit(
  gzFile: string,
  level: number,
  workers: number,
  chunkBytes: number,
  totalBytes: number,
  maxSampleBytes = 300 * 1024 * 1024,
): Promise<GzipLimit> {
  const sample = await readPrefix(gzFile, maxSampleBytes);
  const chunks: Buffer[] = [];
  for (let o = 0; o < sample.length; o += chunkBytes) chunks.push(sample.subarray(o, o + chunkBytes));
  const perWorker: Buffer[][] = Array.from({ length: workers }, () => []);
  // Copy each chunk: cloning a view would clone the whole underlying buffer.
  chunks.forEach((c, i) => {
    perWorker[i % workers]?.push(Buffer.from(new Uint8Array(c)));
  });
  const threads = perWorker.map(
    (list) =>
      new Worker(WORKER_SOURCE, { eval: true, workerData: { chunks: list, level, bytes: totalBytes / workers } }),
  );
  const message = (w: Worker) =>
    new Promise<{ done?: number; cpuSeconds?: number }>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
  await Promise.all(threads.map(message));
  const started = performance.now();
  const done = threads.map(message);
  for (const w of threads) w.postMessage('go');
  const replies = await Promise.all(done);
  const seconds = (performance.now() - started) / 1000;
  const compressed = replies.reduce((sum, m) => sum + (m.done ?? 0), 0);
  const cpuSeconds = replies.reduce((sum, m) => sum + (m.cpuSeconds ?? 0), 0);
  await Promise.all(threads.map((w) => w.terminate()));
  return {
    bytesPerSecond: compressed / seconds,
    bytesPerCpuSecond: compressed / cpuSeconds,
    sampleBytes: sample.length,
  };
}
