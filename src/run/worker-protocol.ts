/** Messages between the generation pool and its worker threads. */

import type { Config } from '../config/types.ts';
import type { ChunkEncoding } from '../formats/encode.ts';
import type { TableKey } from '../formats/tables.ts';

/**
 * What to make: chunks `index … index + count − 1` of `table`, encoded one after the other,
 * gzipped (as one member) at `gzipLevel` unless `null`.
 */
export interface ChunkSpec {
  readonly table: TableKey;
  readonly index: number;
  /** Consecutive chunks in this job (1 unless the sink groups them, see `ChunkFormat.group`). */
  readonly count: number;
  readonly encoding: ChunkEncoding;
  readonly gzipLevel: number | null;
  /** Also return the statement ids (Ralph counts acknowledgements by id). */
  readonly withIds: boolean;
}

export interface ChunkJob extends ChunkSpec {
  readonly id: number;
}

export type WorkerRequest =
  | { readonly kind: 'init'; readonly config: Config }
  | { readonly kind: 'job'; readonly job: ChunkJob };

export type WorkerReply =
  | { readonly kind: 'ready' }
  | {
      readonly kind: 'result';
      readonly id: number;
      readonly rows: number;
      /** Size of the encoded text before compression. */
      readonly rawBytes: number;
      /** The encoded chunk, gzipped when the job asked for it. */
      readonly data: Uint8Array;
      readonly ids: readonly string[];
    }
  | { readonly kind: 'error'; readonly id: number; readonly message: string };

/** A finished chunk, handed to a sink in order. */
export interface ChunkResult extends ChunkSpec {
  readonly rows: number;
  readonly rawBytes: number;
  /** The encoded chunk, gzipped when the spec asked for it. */
  readonly data: Uint8Array;
  readonly ids: readonly string[];
}
