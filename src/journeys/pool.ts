/**
 * Runs slices inline or on worker threads and hands results back in submission order, with at
 * most `window` slices in memory: output bytes never depend on the worker count.
 */

import { Worker } from 'node:worker_threads';
import { XapiDbLoadError } from '../errors.ts';
import type { JourneysConfig } from './config.ts';
import { runSlice, SliceContext, type SliceResult, type SliceTask } from './slice.ts';

export interface SliceRunner {
  run(task: SliceTask): Promise<SliceResult>;
  close(): Promise<void>;
}

/**
 * Without limits V8 lets each worker's heap grow lazily to hundreds of MB of garbage; a small
 * young generation keeps peak RSS flat (slices are short-lived strings), as in src/run.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 512 };

function workerUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./worker.${ext}`, import.meta.url);
}

type Reply =
  | { kind: 'ready' }
  | { kind: 'result'; id: number; result: SliceResult }
  | { kind: 'error'; id: number; message: string };

class WorkerRunner implements SliceRunner {
  private next = 0;
  private turn = 0;
  private readonly waiting = new Map<number, { resolve: (r: SliceResult) => void; reject: (e: Error) => void }>();

  private readonly threads: Worker[];

  private constructor(threads: Worker[]) {
    this.threads = threads;
    for (const thread of threads) {
      thread.on('message', (reply: Reply) => {
        if (reply.kind === 'ready') return;
        const pending = this.waiting.get(reply.id);
        this.waiting.delete(reply.id);
        if (reply.kind === 'result') pending?.resolve(reply.result);
        else pending?.reject(new XapiDbLoadError(`journeys worker failed: ${reply.message}`));
      });
      thread.on('error', (error) => this.failAll(error));
    }
  }

  private failAll(error: unknown): void {
    for (const p of this.waiting.values()) p.reject(new XapiDbLoadError('journeys worker crashed', { cause: error }));
    this.waiting.clear();
  }

  static async start(config: JourneysConfig, size: number): Promise<WorkerRunner> {
    const threads: Worker[] = [];
    try {
      for (let i = 0; i < size; i++) threads.push(new Worker(workerUrl(), { resourceLimits: WORKER_LIMITS }));
      await Promise.all(
        threads.map(
          (thread) =>
            new Promise<void>((resolve, reject) => {
              const onMessage = (reply: Reply) => {
                thread.off('error', reject);
                thread.off('message', onMessage);
                if (reply.kind === 'ready') resolve();
                else
                  reject(
                    new XapiDbLoadError(`journeys worker failed to start: ${'message' in reply ? reply.message : ''}`),
                  );
              };
              thread.on('message', onMessage);
              thread.once('error', reject);
              thread.postMessage({ kind: 'init', config });
            }),
        ),
      );
    } catch (error) {
      await Promise.all(threads.map((t) => t.terminate()));
      throw error;
    }
    return new WorkerRunner(threads);
  }

  run(task: SliceTask): Promise<SliceResult> {
    const id = this.next++;
    const thread = this.threads[this.turn++ % this.threads.length] as Worker;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      thread.postMessage({ kind: 'task', id, task });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.terminate()));
  }
}

/**
 * Starts `size` worker threads (at least one: the main thread then only writes, so its heap
 * stays small); `size` 0 runs slices on this thread.
 */
export async function startSliceRunner(config: JourneysConfig, size: number): Promise<SliceRunner> {
  if (size > 0) return WorkerRunner.start(config, size);
  const ctx = new SliceContext(config);
  return {
    run: async (task) => runSlice(ctx, task),
    close: async () => {},
  };
}
