/**
 * What a sink receives: a chunk spec (which rows, how encoded) and the finished chunk. Defined
 * here, beside the Sink interface, so the runner imports backends and never the other way round.
 */

import type { TableKey } from '../formats/tables.ts';
import type { ChunkEncoding } from '../generate/encode.ts';

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

/** A finished chunk, handed to a sink in order. */
export interface ChunkResult extends ChunkSpec {
  readonly rows: number;
  readonly rawBytes: number;
  /** The encoded chunk, gzipped when the spec asked for it. */
  readonly data: Uint8Array;
  readonly ids: readonly string[];
}
