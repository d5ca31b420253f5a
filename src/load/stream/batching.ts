/**
 * Batching for a streamed load: consecutive chunks of one table are gathered (in memory, or in
 * a temporary file the engine reads) until about `segmentBytes`, then sent as one insert while
 * the workers make the next chunks. Chunks are never inserted row by row, and never re-inserted:
 * 4,096-statement chunks sent one by one into the raw table took ~14 s per 100k statements,
 * since every insert runs the whole materialized-view chain.
 */

import type { FileHandle } from 'node:fs/promises';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TableKey } from '../../formats/tables.ts';
import type { BatchBytes } from './insert-path.ts';

/** One chunk of CSV rows of a table (the runner's chunk results satisfy it). */
export interface CsvChunk {
  readonly table: TableKey;
  /** First chunk index, and how many consecutive chunks the data holds. */
  readonly index: number;
  readonly count: number;
  readonly rows: number;
  readonly data: Uint8Array;
}

/** Chunks of one table sent as one insert. */
export interface Batch {
  readonly table: TableKey;
  readonly firstChunk: number;
  readonly lastChunk: number;
  readonly rows: number;
  readonly bytes: number;
  readonly data: BatchBytes;
}

interface PendingBatch {
  readonly table: TableKey;
  readonly firstChunk: number;
  lastChunk: number;
  rows: number;
  bytes: number;
  readonly parts: Uint8Array[];
  readonly file?: { readonly path: string; readonly handle: FileHandle };
}

/** "chunk 3" or "chunks 0–17", for error messages. */
export function chunkLabel(batch: Pick<Batch, 'firstChunk' | 'lastChunk'>): string {
  return batch.firstChunk === batch.lastChunk
    ? `chunk ${batch.firstChunk}`
    : `chunks ${batch.firstChunk}–${batch.lastChunk}`;
}

/**
 * Gathers chunks per table. `tempDir` set: batches are files there (the `file` insert path);
 * otherwise the chunks stay in memory (the `client` path).
 */
export class Batcher {
  readonly #pending = new Map<TableKey, PendingBatch>();
  readonly #segmentBytes: number;
  readonly #tempDir: string | undefined;
  #files = 0;

  constructor(segmentBytes: number, tempDir?: string) {
    this.#segmentBytes = segmentBytes;
    this.#tempDir = tempDir;
  }

  /** Adds a chunk; returns the table's batch when it reached the segment size. */
  async add(chunk: CsvChunk): Promise<Batch | undefined> {
    const table = chunk.table;
    let batch = this.#pending.get(table);
    if (!batch) {
      const file =
        this.#tempDir === undefined
          ? undefined
          : await (async () => {
              const path = join(this.#tempDir as string, `${table}-${this.#files++}.csv`);
              return { path, handle: await open(path, 'w') };
            })();
      batch = {
        table,
        firstChunk: chunk.index,
        lastChunk: chunk.index,
        rows: 0,
        bytes: 0,
        parts: [],
        ...(file ? { file } : {}),
      };
      this.#pending.set(table, batch);
    }
    if (batch.file) await batch.file.handle.write(chunk.data);
    else batch.parts.push(chunk.data);
    batch.lastChunk = chunk.index + chunk.count - 1;
    batch.rows += chunk.rows;
    batch.bytes += chunk.data.byteLength;
    return batch.bytes >= this.#segmentBytes ? this.take(table) : undefined;
  }

  /** The table's pending batch (its file closed), or undefined when nothing is pending. */
  async take(table: TableKey): Promise<Batch | undefined> {
    const batch = this.#pending.get(table);
    if (!batch) return undefined;
    this.#pending.delete(table);
    if (batch.file) await batch.file.handle.close();
    const { firstChunk, lastChunk, rows, bytes } = batch;
    return {
      table,
      firstChunk,
      lastChunk,
      rows,
      bytes,
      data: batch.file ? { path: batch.file.path } : { parts: batch.parts },
    };
  }

  /** Closes and removes every pending file. Never throws. */
  async discard(): Promise<void> {
    for (const batch of this.#pending.values()) {
      await batch.file?.handle.close().catch(() => {});
      if (batch.file) await rm(batch.file.path, { force: true }).catch(() => {});
    }
    this.#pending.clear();
  }
}

/**
 * At most one insert in flight: `run` starts one after the previous settled; `settle` waits for
 * it and rethrows its failure, which also surfaces at the next `run`.
 */
export class InFlight {
  #current: Promise<void> = Promise.resolve();
  #failed: { readonly error: unknown } | undefined;

  /** Throws the failure of the insert that ran in the background, if any. */
  check(): void {
    if (this.#failed) throw this.#failed.error;
  }

  async settle(): Promise<void> {
    await this.#current;
    this.check();
  }

  /** Waits for the insert in flight, then starts `task` in the background. */
  async run(task: () => Promise<void>): Promise<void> {
    await this.settle();
    this.#current = task().catch((error: unknown) => {
      this.#failed = { error };
    });
  }

  /** Waits for the insert in flight without rethrowing (cleanup after a failure). */
  async drain(): Promise<void> {
    await this.#current;
  }
}
