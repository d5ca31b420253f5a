/**
 * A pool of generation worker threads with an ordered, bounded map: chunks are made in parallel
 * but handed back strictly in the order they were asked for, and at most `window` chunks are
 * ever in memory. That is what keeps output bytes independent of the worker count and memory
 * independent of the dataset size.
 */

import { Worker } from 'node:worker_threads';
import type { ChunkResult, ChunkSpec } from '../backends/chunk.ts';
import type { Config } from '../config/types.ts';
import { XapiDbLoadError } from '../errors.ts';
import { workerExecArgv } from './worker-exec-argv.ts';
import type { ChunkJob, WorkerReply, WorkerRequest } from './worker-protocol.ts';

interface Pending {
  readonly spec: ChunkSpec;
  readonly worker: PoolWorker;
  readonly promise: Promise<ChunkResult>;
}

interface PoolWorker {
  readonly thread: Worker;
  outstanding: number;
  readonly waiting: Map<number, { resolve: (r: ChunkResult) => void; reject: (e: Error) => void; spec: ChunkSpec }>;
}

/** The worker entry next to this file: `.ts` when running from sources, `.js` once built. */
function workerUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./generate-worker.${ext}`, import.meta.url);
}

/**
 * A worker holds one world and one chunk at a time; without limits V8 lets each thread's heap
 * grow lazily to hundreds of MB of garbage before collecting. Small young generations keep
 * peak RSS flat whatever the dataset size (scavenges of short-lived chunk strings are cheap).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 512 };

export class GenerationPool {
  private readonly workers: PoolWorker[];
  private nextId = 0;
  private closed = false;

  private constructor(workers: PoolWorker[]) {
    this.workers = workers;
  }

  /** Starts `size` workers and waits until each has built the world. */
  static async start(config: Config, size: number): Promise<GenerationPool> {
    const workers: PoolWorker[] = [];
    const ready: Promise<void>[] = [];
    for (let i = 0; i < size; i++) {
      const thread = new Worker(workerUrl(), { resourceLimits: WORKER_LIMITS, execArgv: workerExecArgv() });
      const worker: PoolWorker = { thread, outstanding: 0, waiting: new Map() };
      workers.push(worker);
      ready.push(
        new Promise<void>((resolve, reject) => {
          const onMessage = (reply: WorkerReply) => {
            if (reply.kind === 'ready') {
              thread.off('message', onMessage);
              resolve();
            } else if (reply.kind === 'error') {
              reject(new XapiDbLoadError(`generation worker failed to start: ${reply.message}`));
            }
          };
          thread.on('message', onMessage);
          thread.once('error', reject);
        }),
      );
      thread.postMessage({ kind: 'init', config } satisfies WorkerRequest);
    }
    const pool = new GenerationPool(workers);
    try {
      await Promise.all(ready);
    } catch (error) {
      await pool.close();
      throw error;
    }
    for (const worker of workers) pool.listen(worker);
    return pool;
  }

  private listen(worker: PoolWorker): void {
    worker.thread.on('message', (reply: WorkerReply) => {
      if (reply.kind === 'ready') return;
      const waiter = worker.waiting.get(reply.id);
      if (!waiter) return;
      worker.waiting.delete(reply.id);
      worker.outstanding--;
      if (reply.kind === 'error') {
        waiter.reject(
          new XapiDbLoadError(`generating ${waiter.spec.table} chunk ${waiter.spec.index} failed: ${reply.message}`),
        );
      } else {
        waiter.resolve({
          ...waiter.spec,
          rows: reply.rows,
          rawBytes: reply.rawBytes,
          data: reply.data,
          ids: reply.ids,
        });
      }
    });
    const failAll = (error: Error) => {
      for (const waiter of worker.waiting.values()) waiter.reject(error);
      worker.waiting.clear();
    };
    worker.thread.on('error', (error) =>
      failAll(new XapiDbLoadError(`generation worker crashed: ${error.message}`, { cause: error })),
    );
    worker.thread.on('exit', (code) => {
      if (!this.closed) failAll(new XapiDbLoadError(`generation worker exited unexpectedly with code ${code}`));
    });
  }

  private submit(spec: ChunkSpec): Pending {
    // Least-loaded worker: keeps every thread busy when chunk costs differ.
    let worker = this.workers[0] as PoolWorker;
    for (const w of this.workers) if (w.outstanding < worker.outstanding) worker = w;
    const job: ChunkJob = { ...spec, id: this.nextId++ };
    worker.outstanding++;
    const promise = new Promise<ChunkResult>((resolve, reject) => {
      worker.waiting.set(job.id, { resolve, reject, spec });
    });
    // Pending promises are awaited in order; mark rejections handled so one early failure
    // does not surface as an unhandled rejection while we wait for an earlier chunk.
    promise.catch(() => {});
    worker.thread.postMessage({ kind: 'job', job } satisfies WorkerRequest);
    return { spec, worker, promise };
  }

  /**
   * Makes every chunk of `specs` and yields the results in the same order, with at most
   * `window` chunks in flight or waiting to be consumed.
   */
  async *map(specs: Iterable<ChunkSpec>, window = this.workers.length * 3): AsyncGenerator<ChunkResult> {
    const queue: Pending[] = [];
    const iterator = specs[Symbol.iterator]();
    let exhausted = false;
    const refill = () => {
      while (!exhausted && queue.length < window) {
        const next = iterator.next();
        if (next.done) exhausted = true;
        else queue.push(this.submit(next.value));
      }
    };
    refill();
    while (queue.length > 0) {
      const head = queue.shift() as Pending;
      const result = await head.promise;
      refill();
      yield result;
    }
  }

  /** Stops every worker. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.thread.terminate()));
  }
}
